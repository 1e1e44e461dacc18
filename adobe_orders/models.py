"""The order Adobe returns, as frozen dataclasses with snake_case names.

IDs stay strings (leading zeros, letters). Fields we do not know are kept in ``extra`` and
written back by ``to_api``, because Adobe adds fields (pricing, links, flexDiscounts...) and a
model that drops them would silently lose what an analyst later needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

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
        for key in ("offer_id", "subscription_id", "status", "currency_code", "deployment_id"):
            known[key] = _str(known[key])
        extra = {k: v for k, v in data.items() if k not in LINE_ITEM_FIELDS}
        return cls(**known, extra=extra)

    def to_api(self) -> dict[str, Any]:
        out = {api: getattr(self, py) for api, py in LINE_ITEM_FIELDS.items() if getattr(self, py) is not None}
        return {**out, **self.extra}

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status or "", self.status or "")


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
        from .errors import ResponseShapeError

        if not isinstance(data, dict):
            raise ResponseShapeError(f"Expected an order (a JSON object), got {type(data).__name__}")
        if "orderId" not in data:
            if "items" in data and "totalCount" in data:
                raise ResponseShapeError("This is a page of order history, not an order: read its `items` "
                                         "(OrdersClient.list_orders does), one order each.")
            raise ResponseShapeError(f"Expected an order with an `orderId`; got the fields {sorted(data)[:8]}")
        known: dict[str, Any] = {py: _str(data.get(api)) for api, py in ORDER_FIELDS.items()}
        known["order_id"] = known["order_id"] or ""
        known["customer_id"] = known["customer_id"] or ""
        items = tuple(LineItem.from_api(li) for li in data.get("lineItems") or [] if isinstance(li, dict))
        extra = {k: v for k, v in data.items() if k not in ORDER_FIELDS and k != "lineItems"}
        return cls(**known, line_items=items, extra=extra)

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
            "lineItemCount": len(self.line_items),
        }

    def to_frame(self) -> pd.DataFrame:
        """The order's header as a one-row DataFrame."""
        import pandas as pd

        return pd.DataFrame([self.header()], dtype="object")

    def line_items_frame(self) -> pd.DataFrame:
        """One row per line item, with the customer and order IDs attached."""
        import pandas as pd

        from .render import LINE_ITEM_COLUMNS

        rows = [
            {"customerId": self.customer_id, "orderId": self.order_id, **li.to_api(),
             "statusName": li.status_name}
            for li in self.line_items
        ]
        frame = pd.DataFrame(rows, columns=["customerId", "orderId", *LINE_ITEM_COLUMNS, "statusName"])
        return frame.astype("object")

    def _repr_html_(self) -> str:
        from .render import order_html

        return order_html(self)

    def __str__(self) -> str:
        from .render import order_text

        return order_text(self)
