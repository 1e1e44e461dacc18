"""Many customers' order history at once, read page by page across a pool of workers.

Reading each customer on its own thread, link after link, leaves workers idle at the end: with
8 workers and 20 customers of 3 pages each, the last 4 customers run on 4 threads while 4 wait,
and one customer with 5,000 orders keeps a single thread busy for 50 round trips after all the
others are done. Here the unit of work is a *page*: each customer's first page says how many
orders it has (``totalCount``), and its remaining pages become tasks of their own (by
``offset``), taken before any new customer is started, so every worker stays busy until the
last page and a large customer finishes about as fast as a small one.

An order that appears on two pages (one created while paging shifted the others) is kept once;
a customer whose page fails after its retries is reported with that error, never stopping the rest.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from .client import HistoryPage, OrdersClient

T = TypeVar("T")


def _order(item: dict[str, Any], text: str | None) -> Any:
    from .models import Order

    return Order.from_api(item)


@dataclass
class _History:
    pages: dict[int, list[tuple[str, Any]]] = field(default_factory=dict)  # offset -> (order ID, item)
    expected: int | None = None  # pages in all, once the first one is in
    error: BaseException | None = None


@dataclass(frozen=True)
class Histories(Generic[T]):
    """Each customer's orders (newest first, each once, as ``convert`` made them), or the error
    that stopped its history."""

    orders: dict[str, list[T]]
    errors: dict[str, BaseException]
    pages: int


def read_histories(client: OrdersClient, customers: Sequence[str], *, workers: int, page_size: int = 100,
                   on_customer: Callable[[str], None] | None = None,
                   convert: Callable[[dict[str, Any], str | None], T | None] = _order,
                   **filters: Any) -> Histories[T]:
    """Every page of every customer's history, ``workers`` pages at a time.

    ``filters`` are ``history_pages``' (order_type, status, start_date, end_date, fetch_price).

    ``convert(item, text)`` gets each order as Adobe sent it: decoded, and its JSON text (``None``
    when the page could not be read that way); by default it makes an ``Order`` of it. It runs in
    the worker that read the page, between that worker's two round trips (while the others wait on
    the network, not all at the end), so it is kept small. An order it returns ``None`` for is left
    out.

    ``on_customer(customer)`` is called once a customer is complete (or failed): a progress bar.
    Errors a page raises (``ApiError``, ``TransportError``, ``ResponseShapeError``) are that
    customer's outcome; anything else is a bug and is raised.
    """
    from .client import history_order_id
    from .errors import AdobeOrdersError

    state = {c: _History() for c in customers}
    tasks: deque[tuple[str, int]] = deque((c, 0) for c in state)
    lock = threading.Condition()
    running = 0
    crash: list[BaseException] = []
    pages = 0

    def finished(history: _History) -> bool:
        return history.error is not None or (history.expected is not None and len(history.pages) == history.expected)

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
            error: BaseException | None = None
            items: list[tuple[str, Any]] = []
            try:
                if history.error is None:
                    page = next(iter(client.history_pages(customer, offset=offset, page_size=page_size, **filters)))
                    texts = page.texts or (None,) * len(page.items)
                    items = [(history_order_id(item), convert(item, text))
                             for item, text in zip(page.items, texts, strict=True)]
            except AdobeOrdersError as exc:
                error = exc
            except BaseException as exc:
                error = exc
                crash.append(exc)
            with lock:
                running -= 1
                done_before = finished(history)
                if error is not None:
                    history.error = history.error or error
                elif page is not None:
                    pages += 1
                    history.pages[offset] = items
                    if offset == 0:
                        rest = list(range(page.count, page.total, page_size)) if page.count else []
                        history.expected = 1 + len(rest)
                        # The customer's other pages go first: it finishes early, and no new
                        # customer starts while one is half read.
                        tasks.extendleft((customer, at) for at in reversed(rest))
                if finished(history) and not done_before and on_customer is not None:
                    on_customer(customer)
                lock.notify_all()

    threads = [threading.Thread(target=work, name=f"adobe-orders-history-{i}", daemon=True)
               for i in range(max(1, workers))]
    client.reserve_connections(len(threads))
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
        seen: set[str] = set()
        kept: list[T] = []
        for offset in sorted(history.pages):
            for order_id, item in history.pages[offset]:
                if order_id not in seen:
                    seen.add(order_id)
                    if item is not None:
                        kept.append(item)
        orders[customer] = kept
    return Histories(orders, errors, pages)


__all__ = ["Histories", "read_histories"]
