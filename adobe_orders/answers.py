"""What a call brings back, as the rest of the package reads it: the call itself (``CallInfo``), an order
with its call (``Reply``) and one page of order history (``HistoryPage``), with the checks a page passes.

Plain data, apart from the client that makes them: ``paging`` and the batch engine read pages and
replies without depending on how they were fetched.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from .errors import HistoryChangedError, ResponseShapeError
from .models import Order


@dataclass(frozen=True)
class CallInfo:
    """What support needs about one logical call, whatever its outcome."""

    method: str
    status_code: int | None
    request_id: str | None
    correlation_id: str | None
    attempts: int


@dataclass(frozen=True)
class Reply:
    order: Order
    info: CallInfo


@dataclass(frozen=True)
class HistoryPage:
    """One page of order history: its orders, Adobe's counts, and the call that fetched it.

    ``items`` are the page's orders as Adobe sent them; ``orders`` parses them
    into ``Order`` models on first use. Parsing costs more than reading the page, so a caller that
    needs only some fields of 100 orders (``fetch_orders`` builds rows straight from ``items``)
    does not pay for it while other workers wait on the network."""

    items: tuple[dict[str, Any], ...]
    total: int | None  # Adobe's totalCount; None when the answer has none
    offset: int
    count: int
    info: CallInfo
    more: bool = False  # the answer links to a next page

    @cached_property
    def orders(self) -> tuple[Order, ...]:
        return tuple(Order.from_api(item) for item in self.items)

    @classmethod
    def from_api(cls, data: dict[str, Any], info: CallInfo, *, offset: int = 0) -> HistoryPage:
        """The page in ``data``, asked for at ``offset`` (its own ``offset`` field wins when sent).
        ``totalCount`` may be missing (Adobe's older samples have none): ``total`` is then None."""
        items = data.get("items")
        if not isinstance(items, list):
            raise ResponseShapeError("Order history answered without `items`: "
                                     f"got the fields {sorted(data)[:8]}")
        total = _count(data.get("totalCount"))
        if total is None and data.get("totalCount") is not None:
            raise ResponseShapeError(f"Order history answered a totalCount of {str(data['totalCount'])[:40]!r}, "
                                     "not a count")
        sent = _count(data.get("offset"))
        at = sent if sent is not None else offset
        links = data.get("links")
        more = isinstance(links, dict) and isinstance(links.get("next"), dict) and bool(links["next"].get("uri"))
        return cls(tuple(items), total, at, len(items), info, more)


def check_page(page: HistoryPage, asked: int, total: int | None, seen: set[str], customer: str) -> None:
    """The checks every page of one walk passes, or ``HistoryChangedError`` says which failed."""
    if page.offset != asked:
        raise HistoryChangedError(f"customer {customer}: asked for the page at offset {asked}, "
                                  f"Adobe answered the one at {page.offset}")
    if page.total != total:
        raise HistoryChangedError(f"customer {customer}: Adobe's totalCount went from {total} to {page.total} "
                                  "while the history was read (an order was created or left it)")
    for item in page.items:
        order_id = history_order_id(item)
        if order_id in seen:
            raise HistoryChangedError(f"customer {customer}: order {order_id} came on two pages "
                                      "(the history shifted while it was read)")
        seen.add(order_id)


def history_order_id(item: Any) -> str:
    """The ``orderId`` of one history item, as ``Order.order_id`` would hold it. An item that is
    not an order raises the same ``ResponseShapeError`` as parsing it would, before anything uses it."""
    if not isinstance(item, dict) or "orderId" not in item:
        Order.from_api(item)  # raises, saying what came instead of an order
    value = item["orderId"]
    return "" if value is None else value if type(value) is str else str(value)


def _count(value: object) -> int | None:
    """A count as Adobe sends it (``252``, or ``"252"``), or None when it is none."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None



def after_overlap(page: HistoryPage, last: str, customer: str) -> HistoryPage:
    """A page asked for one order back, without that order, once it is the one expected there."""
    first = history_order_id(page.items[0]) if page.items else None
    if first != last:
        raise HistoryChangedError(f"customer {customer}: the page after order {last} did not start with it "
                                  "(an order entered or left the history while it was read)")
    return replace(page, items=page.items[1:], offset=page.offset + 1, count=page.count - 1)


__all__ = ["CallInfo", "HistoryPage", "Reply", "after_overlap", "check_page", "history_order_id"]
