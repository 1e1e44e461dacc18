"""Order history of many customers as one typed DataFrame: the start of "find the orders to tag".

One row per order, newest first within each customer, customers in the order given. The
histories are read page by page on ``workers`` threads (``paging.read_histories``: a customer's
later pages in parallel, so no thread idles while one large customer finishes); a customer that
fails (unknown ID, refused credentials, the API down) is reported in
``frame.attrs["failed_customers"]`` and never stops the others.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..batch.schema import RESULT_COLUMNS
from ..errors import ApiError
from ..models import STATUS_NAMES, Order
from ..paging import read_histories
from ..validation import check_customer_id

if TYPE_CHECKING:
    from ..client import OrdersClient

ORDER_TYPES = ["NEW", "RENEWAL", "RETURN", "TRANSFER", "SWITCH", "REVERT_SWITCH"]
ORDER_JSON = "order_json"
assert ORDER_JSON in RESULT_COLUMNS  # the results-frame name, so line_items() reads both frames

#: Columns of a ``fetch_orders`` frame, in order, with what each holds.
ORDER_COLUMNS: dict[str, str] = {
    "customerId": "the customer (text: leading zeros kept)",
    "orderId": "the order (text)",
    "creation_date": "when Adobe created the order (UTC datetime)",
    "order_type": "NEW, RENEWAL, RETURN, TRANSFER, SWITCH or REVERT_SWITCH (categorical)",
    "status": "Adobe's status code, e.g. 1000 (categorical)",
    "status_name": "the status in words, e.g. complete",
    "source": "API (placed by a partner) or System (Adobe, e.g. auto-renewals)",
    "external_reference_id": "the reference the order holds now (blank: none)",
    "reference_order_id": "the order a RETURN / REVERT_SWITCH refers to (blank: none)",
    "currency": "the order's currency code",
    "line_count": "number of line items (nullable int)",
    "total_quantity": "sum of line item quantities (nullable int)",
    "offer_ids": "the line items' offer IDs, comma-separated",
    "subscription_ids": "the line items' subscription IDs, comma-separated (blank while pending)",
    "total_price": "pricingSummary total when priced (fetch_price=True and Adobe priced it), else blank",
    "price_currency": "the currency of total_price",
    ORDER_JSON: "the order as Adobe returned it, compact JSON (line_items() expands it)",
}


def fetch_orders(
    customers: str | Iterable[str],
    client: OrdersClient | None = None,
    *,
    order_type: str | Iterable[str] | None = None,
    status: str | Iterable[str] | None = None,
    start_date: date | datetime | str | None = None,
    end_date: date | datetime | str | None = None,
    missing_reference: bool = False,
    fetch_price: bool = False,
    workers: int = 4,
    progress: bool = True,
) -> pd.DataFrame:
    """Every order of ``customers`` (one row per order) as a typed DataFrame.

    Filters are Adobe's (``order_type``/``status``: one value or several, meaning OR) plus
    ``missing_reference=True``: only orders whose ``externalReferenceId`` is blank — the
    ones to tag. With no dates, *every* order is read (not only the current term, Adobe's own
    default). ``end_date`` given as a ``date`` includes that whole day (UTC); as a ``datetime``
    it is the exact instant. ``fetch_price=True`` asks Adobe for pricing and fills
    ``total_price`` for the orders Adobe prices.

    A customer that fails is listed in ``frame.attrs["failed_customers"]`` (customer → reason)
    and its rows are missing; the others are complete. The result's ``order_json`` column is
    the results-frame column of the same name, so ``line_items(frame)`` works on it.
    """
    from ..client import OrdersClient

    wanted = _customers(customers)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a whole number of at least 1, not {workers!r}")
    own = client is None
    client = client or OrdersClient.from_env()
    until = _end_of_day(end_date)
    rows: dict[str, list[dict[str, Any]]] = {}
    failed: dict[str, str] = {}
    bar = _bar(len(wanted), progress)
    try:
        # Page by page across the workers (a customer's later pages in parallel), so a large
        # customer does not keep one thread busy while the others idle at the end.
        histories = read_histories(client, wanted, workers=workers,
                                   on_customer=None if bar is None else lambda _: bar.update(1),
                                   convert=lambda o: None if missing_reference and (o.external_reference_id or "")
                                   .strip() else _row(o),
                                   order_type=order_type, status=status, start_date=start_date, end_date=until,
                                   fetch_price=fetch_price)
    finally:
        if bar is not None:
            bar.close()
        if own:
            client.close()
    rows.update(histories.orders)
    for customer, exc in histories.errors.items():
        failed[customer] = _reason(exc) if isinstance(exc, ApiError) else str(exc)
    frame = _frame([r for c in wanted for r in rows.get(c, [])])
    frame.attrs["failed_customers"] = {c: failed[c] for c in wanted if c in failed}
    frame.attrs["customers"] = wanted
    frame.attrs["api"] = client.label
    return frame


def _customers(customers: str | Iterable[str]) -> list[str]:
    """Checked, stripped, de-duplicated, in the order given. A bad ID is refused before any call."""
    given = [customers] if isinstance(customers, str) else list(customers)
    out: list[str] = []
    for value in given:
        checked = check_customer_id(value)
        if checked not in out:
            out.append(checked)
    if not out:
        raise ValueError("No customer IDs given")
    return out


def _end_of_day(end: date | datetime | str | None) -> date | datetime | str | None:
    if isinstance(end, datetime) or not isinstance(end, date | str):
        return end
    day = end if isinstance(end, date) else _date_only(end)
    if day is None:
        return end
    last = datetime(day.year, day.month, day.day) + timedelta(days=1) - timedelta(seconds=1)
    return last


def _date_only(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if len(text.strip()) == 10 else None
    except ValueError:
        return None


def _reason(exc: ApiError) -> str:
    code = f" {exc.code}" if exc.code else ""
    return f"HTTP {exc.status_code}{code}: {exc.message}"


def _bar(total: int, progress: bool) -> Any:
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="customers", unit="customer")


def _row(order: Order) -> dict[str, Any]:
    summary = order.extra.get("pricingSummary")
    total = price_currency = None
    if isinstance(summary, list) and len(summary) == 1 and isinstance(summary[0], dict):
        total = summary[0].get("totalLineItemPartnerPrice")
        price_currency = summary[0].get("currencyCode")
    quantities = [li.quantity for li in order.line_items if isinstance(li.quantity, int)]
    return {
        "customerId": order.customer_id,
        "orderId": order.order_id,
        "creation_date": order.creation_date,
        "order_type": order.order_type,
        "status": order.status,
        "status_name": order.status_name or None,
        "source": order.source,
        "external_reference_id": order.external_reference_id or None,
        "reference_order_id": order.reference_order_id or None,
        "currency": order.currency_code,
        "line_count": len(order.line_items),
        "total_quantity": sum(quantities) if quantities else None,
        "offer_ids": ", ".join(li.offer_id for li in order.line_items if li.offer_id) or None,
        "subscription_ids": ", ".join(li.subscription_id for li in order.line_items if li.subscription_id) or None,
        "total_price": total if isinstance(total, int | float) else None,
        "price_currency": price_currency,
        ORDER_JSON: json.dumps(order.to_api(), separators=(",", ":")),
    }


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(ORDER_COLUMNS))
    text = ["customerId", "orderId", "status_name", "source", "external_reference_id", "reference_order_id",
            "currency", "offer_ids", "subscription_ids", "price_currency", ORDER_JSON]
    for column in text:
        frame[column] = frame[column].astype("string")
    frame["creation_date"] = pd.to_datetime(frame["creation_date"], utc=True, errors="coerce")
    # Adobe may add types and statuses: an unknown one is kept (a category of its own), never blanked.
    types = frame["order_type"].dropna().astype(str)
    frame["order_type"] = pd.Categorical(types.reindex(frame.index),
                                         categories=ORDER_TYPES + sorted(set(types) - set(ORDER_TYPES)))
    codes = frame["status"].dropna().astype(str)
    frame["status"] = pd.Categorical(codes.reindex(frame.index),
                                     categories=sorted(STATUS_NAMES) + sorted(set(codes) - set(STATUS_NAMES)))
    for column in ("line_count", "total_quantity"):
        frame[column] = frame[column].astype("Int64")
    frame["total_price"] = frame["total_price"].astype("Float64")
    return frame


__all__ = ["ORDER_COLUMNS", "fetch_orders"]
