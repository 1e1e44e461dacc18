"""Adobe's Get order history, as a pure function of the emulator's state and a query string.

Rules (api-contract.md, "Get order history", and Adobe's public docs where it is silent):

- Filters: ``order-type``, ``status``, ``reference-order-id``, ``offer-id``, ``reseller-id``,
  ``start-date``, ``end-date``. Different parameters combine with AND; a repeated one means OR.
- ``start-date`` defaults to the start of the customer's current term (the last anniversary of
  their first order), so older orders are hidden unless it is given; ``end-date`` defaults to now.
  ``YYYY-MM-DD`` is midnight UTC; otherwise ISO-8601 with ``Z``. Both bounds are inclusive.
- Newest first. ``limit`` 1..100, default 25, larger values silently capped at 100.
  ``limit=0`` (or negative, or not a number) is outside the documented 1..100 and answered
  400 1132 like any invalid search value — Adobe documents capping only for values above 100.
- ``offset`` past the total: 400 1133. A bad filter value: 400 1132. Unknown customer: 404 1116.
- ``links.self`` always; ``links.next``/``links.prev`` only when those pages exist. Their
  ``uri`` keeps the request's filters, so following them pages through the same result.
- Hostile but legal variants (a page cap below ``limit``, no ``totalCount``, a renewal created
  between two page requests) are off by default and turned on through ``state.quirks`` (quirks.py).
- ``fetch-price=true`` adds pricing (see data.pricing_for); without it no pricing field is sent.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from .data import anniversary_on_or_before, with_pricing
from .state import EmulatorState

ORDER_TYPES = {"NEW", "TRANSFER", "RENEWAL", "RETURN", "SWITCH", "REVERT_SWITCH"}
STATUSES = {"1000", "1002", "1004", "1008", "1020", "1022", "1024", "1026"}
DEFAULT_LIMIT, MAX_LIMIT = 25, 100
#: The one reseller every emulated customer belongs to (orders do not carry it).
RESELLER_ID = "1000098765"
_ID = re.compile(r"^[^\W_][\w-]{0,39}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z$")

Reply = tuple[int, dict[str, Any]]


class SearchError(ValueError):
    def __init__(self, status: int, code: str, message: str, detail: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.detail = status, code, message, detail


def _error(err: SearchError) -> Reply:
    return err.status, {"code": err.code, "message": err.message, "additionalDetails": [err.detail]}


def _bad(name: str, value: str) -> SearchError:
    return SearchError(400, "1132", "Invalid value for search parameter", f"{name}: {value!r}")


def parse_instant(name: str, value: str) -> datetime:
    if _DATE.match(value):
        fmt = "%Y-%m-%d"
    elif _INSTANT.match(value):
        value = value[:19] + "Z"  # fractions of a second do not matter to a creationDate in seconds
        fmt = "%Y-%m-%dT%H:%M:%SZ" if len(value) == 20 else "%Y-%m-%dT%H:%MZ"
    else:
        raise _bad(name, value)
    try:
        return datetime.strptime(value, fmt).replace(tzinfo=UTC)
    except ValueError:
        raise _bad(name, value) from None


def _int(name: str, value: str, minimum: int) -> int:
    if not re.fullmatch(r"\d{1,30}", value) or int(value) < minimum:
        raise _bad(name, value)
    return int(value)


def fetch_price(pairs: list[tuple[str, str]]) -> bool:
    values = [v for k, v in pairs if k == "fetch-price"]
    for v in values:
        if v.lower() not in ("true", "false"):
            raise _bad("fetch-price", v)
    return bool(values) and values[-1].lower() == "true"


def history_page(state: EmulatorState, customer_id: str, query: str, path: str) -> Reply:
    try:
        return _page(state, customer_id, query, path)
    except SearchError as err:
        return _error(err)
    finally:
        # After the answer is made and before it is sent: the next request sees the renewal.
        state.quirks.page_served(state, customer_id)


def _page(state: EmulatorState, customer_id: str, query: str, path: str) -> Reply:
    if not state.has_customer(customer_id):
        raise SearchError(404, "1116", "Invalid Customer", f"customer-id: {customer_id!r}")
    pairs = parse_qsl(query, keep_blank_values=True)
    many: dict[str, set[str]] = {}
    for key, value in pairs:
        many.setdefault(key, set()).add(value)
    for name, allowed in (("order-type", ORDER_TYPES), ("status", STATUSES)):
        for value in many.get(name, ()):
            if value not in allowed:
                raise _bad(name, value)
    for name in ("reference-order-id", "offer-id", "reseller-id"):
        for value in many.get(name, ()):
            if not _ID.match(value):
                raise _bad(name, value)
    last = {k: v for k, v in pairs}
    limit = min(_int("limit", last["limit"], 1), MAX_LIMIT) if "limit" in last else DEFAULT_LIMIT
    if state.quirks.page_cap is not None:  # a server that caps below what was asked (quirks.py)
        limit = min(limit, state.quirks.page_cap)
    offset = _int("offset", last["offset"], 0) if "offset" in last else 0
    priced = fetch_price(pairs)
    now = state.now()
    anniversary = state.anniversaries.get(customer_id)
    if "start-date" in last:
        start = parse_instant("start-date", last["start-date"])
    else:
        term = anniversary_on_or_before(anniversary, now.date()) if anniversary else now.date()
        start = datetime(term.year, term.month, term.day, tzinfo=UTC)
    end = parse_instant("end-date", last["end-date"]) if "end-date" in last else now
    if start > end:
        raise SearchError(400, "1132", "Invalid value for search parameter",
                          f"start-date {start:%Y-%m-%dT%H:%M:%SZ} is after end-date {end:%Y-%m-%dT%H:%M:%SZ}")

    # creationDate is always YYYY-MM-DDTHH:MM:SSZ, so comparing the text compares the instants.
    first, last_ = f"{start:%Y-%m-%dT%H:%M:%SZ}", f"{end:%Y-%m-%dT%H:%M:%SZ}"

    def keep(order: dict[str, Any]) -> bool:
        if not first <= order["creationDate"] <= last_:
            return False
        if "order-type" in many and order.get("orderType") not in many["order-type"]:
            return False
        if "status" in many and order.get("status") not in many["status"]:
            return False
        if "reference-order-id" in many and order.get("referenceOrderId") not in many["reference-order-id"]:
            return False
        if "offer-id" in many and not {li.get("offerId") for li in order.get("lineItems", [])} & many["offer-id"]:
            return False
        return "reseller-id" not in many or RESELLER_ID in many["reseller-id"]

    total, items = state.customer_page(customer_id, keep, offset, limit, deep=priced)
    if offset > 0 and offset >= total:
        raise SearchError(400, "1133", "Offset out of range", f"offset {offset} with {total} orders")
    for order in items:
        order["links"] = {"self": {"uri": f"{path}/{quote(order['orderId'], safe='')}", "method": "GET",
                                   "headers": []}}
        if priced:
            with_pricing(order, anniversary)
    filters = [(k, v) for k, v in pairs if k not in ("offset", "limit")]

    def link(at: int) -> dict[str, Any]:
        return {"uri": f"{path}?{urlencode([*filters, ('offset', str(at)), ('limit', str(limit))])}",
                "method": "GET", "headers": []}

    links = {"self": link(offset)}
    if offset + limit < total:
        links["next"] = link(offset + limit)
    if offset > 0:
        links["prev"] = link(max(offset - limit, 0))
    answer = {"totalCount": total, "count": len(items), "offset": offset, "limit": limit, "items": items,
              "links": links}
    if state.quirks.omit_total_count:
        del answer["totalCount"]
    return 200, answer


__all__ = ["RESELLER_ID", "SearchError", "fetch_price", "history_page"]
