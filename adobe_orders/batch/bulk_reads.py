"""Bulk reads: the current value of many orders of one customer from order-history pages.

A batch needs each order's current ``externalReferenceId`` before it changes it (the journal keeps
it, so the change can be undone). One GET per order costs a round trip per row; Adobe's order
history returns up to 100 orders per call. So for every customer with several orders in a batch,
the rows' workers read that customer's history pages once (newest first, from an early start date
so older orders are not hidden by Adobe's current-term default) and take each order's value from
there. Any order the pages did not return — older than the pages read, created meanwhile, a
failed page — is read with its own GET, exactly as without bulk reads. A walk that sees the
history move (``HistoryChangedError``: a renewal created meanwhile shifts the offsets) keeps what
it found — each order is taken by its ID, never by its place — and walks again for the rest.

Paging stops as soon as it is no longer cheaper than GETs: after each page, if the pages still
to read are not fewer than the orders still missing, the rest are read one by one. So a batch of
3 orders of a customer with 5,000 orders costs one page and at most 3 GETs, never 50 pages.

What this trades: a value is read up to a few seconds before its PATCH instead of milliseconds
before. Neither gap can be closed (Adobe's PATCH is not conditional), the previous value is still
journaled before the PATCH, and undo restores an order only while it still holds the value the
batch set, so a change made by someone else in between is never overwritten.

Order of work: the engine interleaves customers (largest first), so the first wave of workers
reads distinct customers' pages in parallel and no customer's rows are left for the end.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from math import ceil
from typing import Any, Protocol, TypeVar

from ..answers import CallInfo, Reply, history_order_id
from ..errors import AdobeOrdersError, HistoryChangedError
from ..models import Order
from ..paging import WALKS

#: A customer needs at least this many orders in a batch before its history is read (one order:
#: one GET is as cheap as one page).
MIN_ORDERS = 2
PAGE_SIZE = 100  # Adobe's maximum


class Page(Protocol):
    """What bulk reads need of an order-history page (``client.HistoryPage``)."""

    @property
    def items(self) -> Sequence[dict[str, Any]]: ...

    @property
    def total(self) -> int | None: ...

    @property
    def offset(self) -> int: ...

    @property
    def count(self) -> int: ...

    @property
    def info(self) -> CallInfo: ...


PageReader = Callable[[str], Iterator[Page]]
T = TypeVar("T")


def pages_left(page: Page) -> int | None:
    """History pages after this one: Adobe's ``totalCount`` less what has been paged through, in
    pages of what this one held (a server may send fewer than ``limit``); None when the answer has
    no ``totalCount``."""
    if page.total is None:
        return None
    return max(0, ceil((page.total - (page.offset + page.count)) / max(page.count, 1)))


@dataclass
class _Customer:
    wanted: set[str]
    done: threading.Event = field(default_factory=threading.Event)
    claimed: bool = False


class BulkReads:
    """Current orders for one batch, read page by page on first need, each handed out once.

    ``take(customer, order)`` is called by the batch's workers instead of a GET: the first worker
    to need a customer reads its pages (the others needing that customer wait for it), then every
    row gets its order from what the pages returned, or ``None`` to do its own GET.
    """

    def __init__(self, pairs: Iterable[tuple[str, str]], read_pages: PageReader, *,
                 stopped: Callable[[], bool] = lambda: False) -> None:
        by_customer: dict[str, set[str]] = defaultdict(set)
        for customer, order in pairs:
            by_customer[customer].add(order)
        self._customers = {c: _Customer(set(o)) for c, o in by_customer.items() if len(o) >= MIN_ORDERS}
        self._read_pages = read_pages
        self._stopped = stopped
        self._lock = threading.Lock()
        self._found: dict[tuple[str, str], tuple[Order, CallInfo]] = {}
        self.pages_read = 0

    def covers(self, customer: str) -> bool:
        return customer in self._customers

    def take(self, customer: str, order: str) -> tuple[Order, CallInfo] | None:
        """The order as its customer's history returned it (once), or None: read it with a GET."""
        state = self._customers.get(customer)
        if state is None:
            return None
        with self._lock:
            mine = not state.claimed
            state.claimed = True
        if mine:
            try:
                self._read(customer, state)
            finally:
                state.done.set()
        else:
            state.done.wait()
        with self._lock:
            return self._found.pop((customer, order), None)

    def _read(self, customer: str, state: _Customer) -> None:
        missing = set(state.wanted)
        for _ in range(WALKS):
            try:
                self._walk(customer, missing)
                return
            except HistoryChangedError:
                # The history moved under the walk (a renewal created meanwhile shifts every
                # offset, so an order may have been skipped). What the pages gave is right: each
                # order is taken by its ID, with the value it held when its page was read. Walk
                # again for the rest, as long as that is cheaper than their GETs.
                continue
            except AdobeOrdersError:
                # A page that failed after its retries (or came back in a shape that is not a
                # page): those rows read their orders one by one, and a real problem (unknown
                # customer, refused credentials) shows on each row as it does without bulk reads.
                return

    def _walk(self, customer: str, missing: set[str]) -> None:
        for page in self._read_pages(customer):
            # Only the orders this batch holds are parsed: a page of 100 may carry 3 of them.
            found: dict[str, dict[str, Any]] = {}
            for item in page.items:
                if (order_id := history_order_id(item)) in missing:
                    found.setdefault(order_id, item)
            parsed = [(order_id, Order.from_api(item)) for order_id, item in found.items()]
            with self._lock:
                self.pages_read += 1
                for order_id, order in parsed:
                    missing.discard(order_id)
                    self._found[(customer, order_id)] = (order, page.info)
            left = pages_left(page)
            # Without a totalCount, at least one more page (the link says there is one).
            if not missing or (left if left is not None else 1) >= len(missing) or self._stopped():
                return


def interleave(items: Sequence[T], customer_of: Callable[[T], str | None]) -> list[T]:
    """Round-robin over customers, the customer with the most items first; order kept per customer.

    Why: workers take items in this order, so the first wave reads many customers' pages at once,
    and one large (or slow) customer's rows are spread over the batch instead of all left at its
    end, where they would run on a few workers while the others idle.
    """
    groups: dict[str | None, list[T]] = defaultdict(list)
    for item in items:
        groups[customer_of(item)].append(item)
    active = sorted(groups.values(), key=len, reverse=True)
    out: list[T] = []
    depth = 0
    while active:
        for queue in active:
            out.append(queue[depth])
        depth += 1
        # Sorted longest first, so the queues that still have items are a prefix: O(items) overall.
        while active and len(active[-1]) <= depth:
            active.pop()
    return out


def reply_of(found: tuple[Order, CallInfo]) -> Reply:
    return Reply(*found)
