"""The order Adobe returns, as frozen dataclasses with snake_case names.

IDs stay strings (leading zeros, letters). Fields we do not know are kept in ``extra`` and
written back by ``to_api``, because Adobe adds fields (pricing, links, flexDiscounts...) and a
model that drops them would silently lose what an analyst later needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import ResponseShapeError
from .render import cell_html, is_blank, table_html, text_table

if TYPE_CHECKING:
    import pandas as pd  # loaded only when a frame is asked for: the client needs no pandas

ORDER_FIELDS = {
    "externalReferenceId": "external_reference_id",
    "orderId": "order_id",
    "customerId": "customer_id",
    "orderType": "order_type",
    "referenceOrderId": "reference_order_id",
    "status": "status",
    "source": "source",
    "currencyCode": "currency_code",
    "creationDate": "creation_date",
}
LINE_ITEM_FIELDS = {
    "extLineItemNumber": "ext_line_item_number",
    "offerId": "offer_id",
    "quantity": "quantity",
    "subscriptionId": "subscription_id",
    "status": "status",
    "currencyCode": "currency_code",
    "deploymentId": "deployment_id",
}
#: The line item columns every view shows, in this order (Adobe's field names).
LINE_ITEM_COLUMNS = list(LINE_ITEM_FIELDS)
CANCELLING_COLUMNS = ("extLineItemNumber", "referenceLineItemNumber", "offerId", "quantity", "subscriptionId",
                      "status")
STATUS_NAMES = {
    "1000": "complete",
    "1002": "pending",
    "1004": "failed",
    "1008": "cancelled",
    "1020": "failed: distributor inactive",
    "1022": "failed: reseller inactive",
    "1024": "failed: customer inactive",
    "1026": "failed: invalid customer",
}


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


_LINE_ITEM_TEXT = ("offer_id", "subscription_id", "status", "currency_code", "deployment_id")
T = TypeVar("T")


def _built(cls: type[T], fields: dict[str, Any]) -> T:
    """A frozen model from an answer's fields, every field given: what ``cls(**fields)`` makes, at
    a third of the cost (a history page parses 100 orders; the generated frozen ``__init__`` sets
    each field through ``object.__setattr__``)."""
    instance = object.__new__(cls)
    instance.__dict__.update(fields)
    return instance


@dataclass(frozen=True)
class LineItem:
    ext_line_item_number: int | None = None
    offer_id: str | None = None
    quantity: int | None = None
    subscription_id: str | None = None
    status: str | None = None
    currency_code: str | None = None
    deployment_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> LineItem:
        known = {py: data.get(api) for api, py in LINE_ITEM_FIELDS.items()}
        for key in _LINE_ITEM_TEXT:
            value = known[key]
            if value is not None and type(value) is not str:
                known[key] = str(value)
        known["extra"] = {k: v for k, v in data.items() if k not in LINE_ITEM_FIELDS}
        return _built(cls, known)

    def to_api(self) -> dict[str, Any]:
        out = {api: getattr(self, py) for api, py in LINE_ITEM_FIELDS.items() if getattr(self, py) is not None}
        return {**out, **self.extra}

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status or "", self.status or "")

    def flat(self) -> dict[str, Any]:
        """The line item as one flat row: its fields, then what Adobe added when it is there
        (pricing with ``fetch-price``, ``proratedDays``, ``discountCode``, ``flexDiscounts``,
        ``promotions``). A field Adobe did not send is not in the row: views show it blank."""
        row = self.to_api()
        pricing = row.pop("pricing", None)
        if isinstance(pricing, dict):
            for key in PRICING_FIELDS:
                if key in pricing:
                    row[key] = pricing[key]
        for key in ("flexDiscounts", "promotions"):
            if key in row:
                row[key] = describe_codes(row[key])
        return row


#: Pricing fields of ``lineItems[].pricing`` (fetch-price), in Adobe's order.
PRICING_FIELDS = ["partnerPrice", "discountedPartnerPrice", "netPartnerPrice", "lineItemPartnerPrice"]
#: Line item fields shown after the fixed ones, when at least one line item has them.
OPTIONAL_LINE_FIELDS = ["proratedDays", *PRICING_FIELDS, "discountCode", "flexDiscounts", "promotions"]


def describe_codes(value: Any) -> str:
    """``flexDiscounts``/``promotions`` as text: ``CODE (RESULT)`` joined by ``; ``."""
    if not isinstance(value, list):
        return "" if value is None else str(value)
    parts = []
    for entry in value:
        if isinstance(entry, dict):
            code = entry.get("code") or entry.get("id") or ""
            result = entry.get("result") or entry.get("status")
            parts.append(f"{code} ({result})" if result else str(code))
        else:
            parts.append(str(entry))
    return "; ".join(parts)


def line_item_list(data: dict[str, Any]) -> list[Any]:
    """An order's ``lineItems`` when it is a list, else none: a number or ``true`` there (an odd
    answer) is not iterable and must not turn one order into a TypeError for a whole page."""
    items = data.get("lineItems")
    return items if isinstance(items, list) else []


@dataclass(frozen=True)
class Order:
    order_id: str
    customer_id: str
    external_reference_id: str | None = None
    order_type: str | None = None
    reference_order_id: str | None = None
    status: str | None = None
    source: str | None = None
    currency_code: str | None = None
    creation_date: str | None = None
    line_items: tuple[LineItem, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Order:
        """The order in an answer. Anything that is not an order — a history page (``items``,
        ``totalCount``), an error body, a list — raises ``ResponseShapeError`` instead of
        becoming an empty order that would look real in every view."""
        if not isinstance(data, dict):
            raise ResponseShapeError(f"Expected an order (a JSON object), got {type(data).__name__}")
        if "orderId" not in data:
            if "items" in data and "totalCount" in data:
                raise ResponseShapeError("This is a page of order history, not an order: read its `items` "
                                         "(OrdersClient.list_orders does), one order each.")
            raise ResponseShapeError(f"Expected an order with an `orderId`; got the fields {sorted(data)[:8]}")
        known: dict[str, Any] = {py: data.get(api) for api, py in ORDER_FIELDS.items()}
        for key, value in known.items():
            if value is not None and type(value) is not str:
                known[key] = str(value)
        known["order_id"] = known["order_id"] or ""
        known["customer_id"] = known["customer_id"] or ""
        known["line_items"] = tuple(LineItem.from_api(li) for li in line_item_list(data) if isinstance(li, dict))
        known["extra"] = {k: v for k, v in data.items() if k not in ORDER_FIELDS and k != "lineItems"}
        return _built(cls, known)

    def to_api(self) -> dict[str, Any]:
        """The API's camelCase JSON again, unknown fields included."""
        out: dict[str, Any] = {
            api: getattr(self, py) for api, py in ORDER_FIELDS.items() if getattr(self, py) is not None
        }
        out["lineItems"] = [li.to_api() for li in self.line_items]
        return {**out, **self.extra}

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status or "", self.status or "")

    def header(self) -> dict[str, Any]:
        return {
            "customerId": self.customer_id,
            "orderId": self.order_id,
            "externalReferenceId": self.external_reference_id,
            "orderType": self.order_type,
            "status": self.status,
            "statusName": self.status_name,
            "source": self.source,
            "currencyCode": self.currency_code,
            "creationDate": self.creation_date,
            "referenceOrderId": self.reference_order_id,
            "lineItemCount": len(self.line_items),
            **({"pricingSummary": self.pricing_summary} if "pricingSummary" in self.extra else {}),
        }

    @property
    def pricing_summary(self) -> str:
        """``pricingSummary`` (fetch-price) as text, e.g. ``1660.68 USD``; blank when Adobe sent none."""
        summary = self.extra.get("pricingSummary")
        if not isinstance(summary, list):
            return ""
        return "; ".join(f"{s.get('totalLineItemPartnerPrice', '')} {s.get('currencyCode', '')}".strip()
                         for s in summary if isinstance(s, dict))

    @property
    def cancelling_items(self) -> list[dict[str, Any]]:
        """A SWITCH's ``cancellingItems`` (the subscriptions it replaces), as Adobe sent them."""
        items = self.extra.get("cancellingItems")
        return [LineItem.from_api(i).flat() for i in items if isinstance(i, dict)] if isinstance(items, list) else []

    def line_item_columns(self) -> list[str]:
        return line_item_columns([self])

    def to_frame(self) -> pd.DataFrame:
        """The order's header as a one-row DataFrame."""
        import pandas as pd  # loaded only when a frame is asked for: the client needs no pandas

        return pd.DataFrame([{k: "" if v is None else v for k, v in self.header().items()}], dtype="object")

    def line_items_frame(self) -> pd.DataFrame:
        """One row per line item, with the customer and order IDs attached."""
        return line_items_frame([self])

    # -- as a person reads it: the notebook's HTML (Jupyter calls ``_repr_html_``), the CLI's text --------
    def line_items_html(self) -> str:
        rows = [{**li.flat(), "status": f"{li.status or ''} {li.status_name}".strip()} for li in self.line_items]
        return table_html(rows, self.line_item_columns(), css_class="line-items")

    def cancelling_items_html(self) -> str:
        """A SWITCH's ``cancellingItems``; empty when the order has none."""
        rows = self.cancelling_items
        if not rows:
            return ""
        extra = sorted({k for r in rows for k in r} - set(CANCELLING_COLUMNS))
        columns = [*CANCELLING_COLUMNS, *extra]
        return f"<b>Cancelling items ({len(rows)})</b>" + table_html(rows, columns, css_class="cancelling-items")

    def _repr_html_(self) -> str:
        fields = "".join(f"<dt>{escape(k)}</dt><dd>{cell_html(v)}</dd>"
                         for k, v in self.header().items() if k not in ("statusName", "lineItemCount"))
        return (
            f'<div class="adobe-orders-order"><b>Order {escape(self.order_id)}</b> of customer '
            f"{escape(self.customer_id)} — status {cell_html(self.status)} {cell_html(self.status_name)}"
            f'<dl style="display:grid;grid-template-columns:max-content auto;gap:0 1em">{fields}</dl>'
            f"<b>Line items ({len(self.line_items)})</b>{self.line_items_html()}{self.cancelling_items_html()}</div>"
        )

    def __str__(self) -> str:
        h = self.header()
        width = max(len(k) for k in h)
        head = "\n".join(f"{k.ljust(width)}  {'' if is_blank(v) else v}" for k, v in h.items())
        items = text_table([li.flat() for li in self.line_items], self.line_item_columns())
        text = f"{head}\n\nLine items:\n{items}"
        if self.cancelling_items:
            text += "\n\nCancelling items:\n" + text_table(self.cancelling_items, list(CANCELLING_COLUMNS))
        return text


OPTIONAL_NUMBERS = ("proratedDays", *PRICING_FIELDS)


def line_item_columns(orders: Any) -> list[str]:
    """The fixed line item columns, then each optional one that at least one line item has."""
    present: set[str] = set()
    for order in orders:
        for li in order.line_items:
            present |= set(li.flat())
    return [*LINE_ITEM_COLUMNS, *(c for c in OPTIONAL_LINE_FIELDS if c in present)]


def line_items_frame(orders: list[Order]) -> pd.DataFrame:
    """One row per line item of all ``orders``: the fixed columns, then each optional one (pricing,
    proratedDays, discounts…) that at least one line item has. A text field Adobe did not send is
    blank, not NaN; a number it did not send stays missing (never invented as 0)."""
    import pandas as pd  # loaded only when a frame is asked for: the client needs no pandas

    columns = line_item_columns(orders)
    rows = [{"customerId": o.customer_id, "orderId": o.order_id, **li.flat(), "statusName": li.status_name}
            for o in orders for li in o.line_items]
    frame = pd.DataFrame(rows, columns=["customerId", "orderId", *columns, "statusName"]).astype("object")
    text = [c for c in frame.columns if c not in ("extLineItemNumber", "quantity", *OPTIONAL_NUMBERS)]
    frame[text] = frame[text].where(frame[text].notna(), "")
    return frame
