"""Order history as a hostile but legal Adobe serves it: knobs a test turns on, all off by default.

Each one is something the contract says a reader must survive ("Read history the robust way"):

- ``page_cap``: a page holds at most this many orders, whatever ``limit`` asked for (the answer's
  ``limit`` and ``links`` say the capped size, as a server that caps silently would).
- ``omit_total_count``: answers without ``totalCount`` (Adobe's own older samples have none);
  ``links.next`` is then the only way through.
- ``renew_after(customer, pages=N)``: right after the N-th history page request for that customer
  is answered, Adobe creates an auto-renewal for it. It is the newest order, so it comes first and
  every later offset shifts by one. Counted in requests, not time, so a test knows exactly which
  page sees the shift. ``renew_after_each(customer, pages=N)``: one after each of the next N.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol


class OrderStore(Protocol):
    """What a quirk needs of the emulator's state (``state.EmulatorState``, which holds the quirks)."""

    def snapshot(self) -> list[dict[str, Any]]: ...

    def add_orders(self, orders: Iterable[dict[str, Any]]) -> int: ...


@dataclass
class HistoryQuirks:
    page_cap: int | None = None
    omit_total_count: bool = False
    _renewals: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    _pages: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    created: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.page_cap is not None and (isinstance(self.page_cap, bool) or not 1 <= self.page_cap <= 100):
            raise ValueError(f"page_cap must be a whole number from 1 to 100, not {self.page_cap!r}")

    def renew_after(self, customer_id: str, *, pages: int = 1) -> None:
        """Create a renewal for ``customer_id`` right after its ``pages``-th history page request
        (counted from now on, successful or not) is answered. Call it again for more renewals."""
        if pages < 1:
            raise ValueError("pages counts history page requests, from 1")
        with self._lock:
            self._renewals[customer_id].append(self._pages[customer_id] + pages)

    def renew_after_each(self, customer_id: str, *, pages: int) -> None:
        """A renewal right after each of the customer's next ``pages`` history page requests: a
        history that never holds still while it is read."""
        with self._lock:
            start = self._pages[customer_id]
            self._renewals[customer_id].extend(range(start + 1, start + pages + 1))

    def page_served(self, state: OrderStore, customer_id: str) -> None:
        """Count one history page request of ``customer_id``; make the renewals now due."""
        with self._lock:
            self._pages[customer_id] += 1
            due = self._renewals.get(customer_id, [])
            count = due.count(self._pages[customer_id])
            if count:
                due[:] = [n for n in due if n != self._pages[customer_id]]
        for _ in range(count):
            self.created.append(add_renewal(state, customer_id))


def add_renewal(state: OrderStore, customer_id: str) -> dict[str, Any]:
    """A new auto-renewal of the customer's newest NEW/RENEWAL order, newer than every order it has."""
    orders = sorted((o for o in state.snapshot() if o["customerId"] == customer_id),
                    key=lambda o: (o["creationDate"], o["orderId"]), reverse=True)
    if not orders:
        raise ValueError(f"customer {customer_id!r} has no orders to renew")
    renewed = next((o for o in orders if o.get("orderType") in ("NEW", "RENEWAL", "TRANSFER")), orders[0])
    newest = datetime.strptime(orders[0]["creationDate"], "%Y-%m-%dT%H:%M:%SZ")
    taken = {o["orderId"] for o in orders}
    number = len(orders)
    while (order_id := f"RN{number:08d}") in taken:
        number += 1
    order = {
        "externalReferenceId": "",
        "orderId": order_id,
        "customerId": customer_id,
        "orderType": "RENEWAL",
        "referenceOrderId": renewed["orderId"],
        "referencedOrderId": "",
        "currencyCode": renewed.get("currencyCode", "USD"),
        # One second after the newest order (not the wall clock): it is first in history, always.
        "creationDate": (newest + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "status": "1000",
        "source": "System",
        "lineItems": [dict(li) for li in renewed.get("lineItems", [])],
    }
    state.add_orders([order])
    return order


__all__ = ["HistoryQuirks", "add_renewal"]
