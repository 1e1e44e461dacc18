"""Customers' complete order history: every order exactly once, or the customer named as failed.

Order history is paged by offset, and it changes while it is read: a renewal Adobe creates
meanwhile is the newest order, so it comes first and every later order moves one place on. A
reader that computes offsets from the first page then loses one order at each page boundary
that moved, or reads one twice; a server may also send fewer orders than ``limit`` asked for, or
no ``totalCount`` at all (api-contract.md, "Read history the robust way").

Two ways through, both checked:

- **In parallel** (``read_histories``), when the first page has a ``totalCount`` and more
  pages follow: the later pages are asked for all at once, stepping by what the first page
  *held* (not by ``limit``) less one, so each page starts with the last order of the page before
  it. Every page must say the same ``totalCount``, hold exactly the orders that count leaves for
  it, and start with the order the page before it ended with. Orders keep their order in the
  history (newest first), so if every boundary lines up, every order that existed throughout the
  read sits on a page between two boundaries it cannot have crossed, and none is missing or
  read twice — whatever moved, in whatever order the pages were answered. The overlap costs one
  order per page, rarely a page (250 orders at 100 a page are still 3 pages).
- **In a chain** through ``links.next`` (``read_history``): when the parallel pages disagree
  in any way, when there is no ``totalCount``, for ``list_orders``. ``client.history_pages``
  checks each page as it comes (same ``totalCount``, no order twice, each page where the last
  ended, as many orders as ``totalCount`` at the end; without a ``totalCount``, each page asked
  for one order back, starting with the order the last one ended with, since nothing else shows an
  order that *left* the history before that point); a walk that saw the history change is
  thrown away and read again, up to ``WALKS`` times, then the customer fails with the reason.
  What a chain cannot see: between two of its pages, one order entering the *middle* of the
  history (a pending order completing, under a status filter) while another leaves it —
  ``totalCount`` stays and nothing repeats. The parallel read's overlap does see that.

The unit of parallel work is a *page*, not a customer: a customer's later pages are taken before
any new customer is started, so every worker stays busy until the last page and one large
customer does not keep a single thread busy after the others are done.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from .answers import HistoryPage, history_order_id
from .errors import AdobeOrdersError, BadRequestError, HistoryChangedError
from .models import Order

T = TypeVar("T")


class HistorySource(Protocol):
    """What reading histories needs of a client (``client.OrdersClient``, which reads through this module)."""

    @property
    def history_pages(self) -> Callable[..., Iterator[HistoryPage]]:
        """``history_pages(customer, offset=…, page_size=…, **filters)``: one walk's pages."""
#: Chained reads of one customer's history before it is reported as failed: a history that
#: changed under three reads in a row is changing faster than it can be read.
WALKS = 3
#: Fewer orders than this on the first page and the overlap would cost too much: read in a chain.
MIN_PARALLEL_PAGE = 3


def _order(item: dict[str, Any]) -> Any:
    return Order.from_api(item)


@dataclass(frozen=True)
class History:
    """One customer's orders as Adobe sent them (newest first, each once); ``pages`` is the page
    requests it took."""

    items: list[dict[str, Any]]
    pages: int


def read_history(client: HistorySource, customer: str, *, page_size: int = 100, walks: int = WALKS,
                 **filters: Any) -> History:
    """One customer's complete history, read through ``links.next``; read again (up to ``walks``
    times in all) while it changes under the read. ``HistoryChangedError`` when it never held
    still; any other error (unknown customer, the API down) as the page raised it."""
    pages = 0
    reasons: list[str] = []
    for _ in range(max(1, walks)):
        items: list[dict[str, Any]] = []
        try:
            for page in client.history_pages(customer, page_size=page_size, **filters):
                pages += 1
                items.extend(page.items)
        except HistoryChangedError as exc:
            reasons.append(str(exc))
            continue
        return History(items, pages)
    raise HistoryChangedError(f"order history not read completely in {len(reasons)} tries: {reasons[-1]}. "
                              "Try again later")


@dataclass
class _Customer:
    pages: dict[int, list[tuple[str, Any]]] = field(default_factory=dict)  # offset -> (order ID, item)
    total: int = 0
    size: int = 0  # what the first page held: every later page holds as many, or the rest
    expected: int | None = None  # pages in all, once the first one is in
    error: BaseException | None = None
    disagreed: bool = False  # a parallel page did not fit: read the whole history in a chain
    chain_queued: bool = False
    chained: list[tuple[str, Any]] | None = None
    done: bool = False


@dataclass(frozen=True)
class Histories(Generic[T]):
    """Each customer's orders (newest first, each once, as ``convert`` made them), or the error
    that stopped its history."""

    orders: dict[str, list[T]]
    errors: dict[str, BaseException]
    pages: int


def read_histories(client: HistorySource, customers: Sequence[str], *, workers: int, page_size: int = 100,
                   on_customer: Callable[[str], None] | None = None,
                   convert: Callable[[dict[str, Any]], T | None] = _order,
                   **filters: Any) -> Histories[T]:
    """Every customer's complete history, ``workers`` pages at a time (see the module's doc).

    ``filters`` are ``history_pages``' (order_type, status, start_date, end_date, fetch_price).

    ``convert(item)`` gets each order as Adobe sent it; by default it makes an ``Order`` of it. It runs in
    the worker that read the page, between that worker's two round trips (while the others wait on
    the network, not all at the end), so it is kept small. An order it returns ``None`` for is left
    out.

    ``on_customer(customer)`` is called once a customer is complete (or failed): a progress bar.
    Errors a page raises (``ApiError``, ``TransportError``, ``ResponseShapeError``,
    ``HistoryChangedError``) are that customer's outcome; anything else is a bug and is raised.
    """
    state = {c: _Customer() for c in customers}
    # A task is (customer, offset) for one page, or (customer, None) for a chained read of it all.
    tasks: deque[tuple[str, int | None]] = deque((c, 0) for c in state)
    lock = threading.Condition()
    running = 0
    crash: list[BaseException] = []
    pages = 0

    def converted(items: Sequence[dict[str, Any]]) -> list[tuple[str, Any]]:
        return [(history_order_id(item), convert(item)) for item in items]

    def settle(customer: str, history: _Customer) -> None:
        """Call with the lock held, after a page of ``customer`` came in or failed."""
        if history.done:
            return
        if history.error is None and history.chained is None:
            if not history.disagreed:
                if history.expected is None or len(history.pages) < history.expected:
                    return
                history.disagreed = _joined(history) is None
            if history.disagreed:
                # The parallel pages do not fit together: the history moved, or the server pages
                # differently than its first page said. Read it again, in a chain (once).
                if not history.chain_queued:
                    history.chain_queued = True
                    tasks.appendleft((customer, None))
                return
        history.done = True
        if on_customer is not None:
            on_customer(customer)

    def work() -> None:
        nonlocal running, pages
        while True:
            with lock:
                while not tasks and running and not crash:
                    lock.wait()
                if not tasks or crash:
                    lock.notify_all()
                    return
                customer, offset = tasks.popleft()
                running += 1
            history = state[customer]
            page: HistoryPage | None = None
            chained: History | None = None
            error: BaseException | None = None
            items: list[tuple[str, Any]] = []
            try:
                if history.error is None and offset is None:
                    chained = read_history(client, customer, page_size=page_size, **filters)
                    items = converted(chained.items)
                elif history.error is None and not history.disagreed and offset is not None:
                    page = next(iter(client.history_pages(customer, offset=offset, page_size=page_size,
                                                          **filters)))
                    items = converted(page.items)
            except BadRequestError as exc:
                # "Offset out of range" on a later page: the history shrank since the first.
                if offset and exc.code == "1133":
                    with lock:
                        history.disagreed = True
                else:
                    error = exc
            except AdobeOrdersError as exc:
                error = exc
            except BaseException as exc:
                error = exc
                crash.append(exc)
            with lock:
                running -= 1
                if error is not None:
                    history.error = history.error or error
                elif chained is not None:
                    pages += chained.pages
                    history.chained = items
                elif page is not None and offset is not None:
                    pages += 1
                    if offset == 0:
                        _plan(customer, history, page, items, tasks)
                    else:
                        history.pages[offset] = items
                        history.disagreed = history.disagreed or not _fits(history, page, offset)
                settle(customer, history)
                lock.notify_all()

    threads = [threading.Thread(target=work, name=f"adobe-orders-history-{i}", daemon=True)
               for i in range(max(1, workers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if crash:
        raise crash[0]
    orders: dict[str, list[T]] = {}
    errors: dict[str, BaseException] = {}
    for customer, history in state.items():
        if history.error is not None:
            errors[customer] = history.error
            continue
        joined = history.chained if history.chained is not None else _joined(history)
        assert joined is not None  # settle() chained every customer whose pages did not join
        orders[customer] = [item for _, item in joined if item is not None]
    return Histories(orders, errors, pages)


def _plan(customer: str, history: _Customer, page: HistoryPage, items: list[tuple[str, Any]],
          tasks: deque[tuple[str, int | None]]) -> None:
    """After the first page: the offsets of the others, or a chained read when they cannot be
    planned (no ``totalCount``, a page too small to overlap)."""
    history.pages[0] = items
    if not page.more or (page.total is not None and page.count >= page.total):
        # One page. If it holds fewer than its totalCount says, the pages will not join and the
        # chained read names the shortfall.
        history.total, history.expected = page.count if page.total is None else page.total, 1
        return
    if page.total is None or page.count < MIN_PARALLEL_PAGE:
        history.expected = 1
        history.disagreed = True
        return
    history.total, history.size = page.total, page.count
    step = page.count - 1
    rest = []
    at = step
    while at - step + page.count < page.total:  # the page before did not reach the end
        rest.append(at)
        at += step
    history.expected = 1 + len(rest)
    # The customer's other pages go first: it finishes early, and no new customer starts while
    # one is half read.
    tasks.extendleft((customer, offset) for offset in reversed(rest))


def _fits(history: _Customer, page: HistoryPage, offset: int) -> bool:
    """A later parallel page says what the first one did, and holds what is left for it."""
    return (page.total == history.total and page.offset == offset
            and page.count == min(history.size, history.total - offset))


def _joined(history: _Customer) -> list[tuple[str, Any]] | None:
    """The parallel pages as one history, if every boundary lines up; None if any does not."""
    offsets = sorted(history.pages)
    out = list(history.pages[offsets[0]])
    for at in offsets[1:]:
        page = history.pages[at]
        if not page or not out or page[0][0] != out[-1][0]:
            return None
        out.extend(page[1:])
    if len(out) != history.total or len({order_id for order_id, _ in out}) != len(out):
        return None
    return out


__all__ = ["WALKS", "Histories", "History", "read_histories", "read_history"]
