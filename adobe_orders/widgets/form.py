"""``UpdateOrderForm``: change one order's externalReferenceId, and see what Adobe returned."""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w
from IPython.display import JSON

from ..models import Order
from ..render import line_items_html, status_badge, table_html
from ..validation import REFERENCE_MAX_LENGTH, problems
from .common import bullet_list, environment_banner, message_html

if TYPE_CHECKING:
    from ..client import OrdersClient

HISTORY_COLUMNS = ["time", "customerId", "orderId", "previous", "new", "status", "batch"]


class UpdateOrderForm(w.VBox):
    """A form for one order: validates as you type, fetches, updates (journaled), shows the result."""

    def __init__(self, client: OrdersClient | None = None, **kwargs: Any) -> None:
        from ..client import OrdersClient

        self.client = client or OrdersClient.from_env()
        self.last_result: dict[str, Any] | None = None
        self.history: list[dict[str, Any]] = []
        self.banner = environment_banner(self.client)
        self.customer_id = w.Text(description="Customer ID", placeholder="e.g. 0001000000",
                                  style={"description_width": "150px"})
        self.order_id = w.Text(description="Order ID", placeholder="e.g. 0123456000",
                               style={"description_width": "150px"})
        self.reference = w.Text(description="External reference ID", placeholder="your PO / order number",
                                style={"description_width": "150px"})
        self.counter = w.HTML(f"0/{REFERENCE_MAX_LENGTH}")
        self.confirm = w.Checkbox(description="Yes, change this order in PRODUCTION", value=False,
                                  layout=w.Layout(display="" if self.client.environment == "production"
                                                  else "none"))
        self.fetch_button = w.Button(description="Fetch order", icon="search", tooltip="Read the current order")
        self.update_button = w.Button(description="Update", button_style="primary", icon="check", disabled=True,
                                      tooltip="Set the external reference ID")
        self.message = w.HTML()
        self.diff = w.HTML()
        self.order_view = w.HTML()
        self.json_view = w.Output()
        self.json_box = w.Accordion(children=[self.json_view], titles=("Order JSON",), selected_index=None)
        self.history_view = w.HTML()
        for field in (self.customer_id, self.order_id, self.reference):
            field.observe(self._on_field_value, names="value")
        self.confirm.observe(self._on_field_value, names="value")
        self.fetch_button.on_click(self._on_fetch_click)
        self.update_button.on_click(self._on_update_click)
        super().__init__(children=[
            self.banner, self.customer_id, self.order_id, w.HBox([self.reference, self.counter]), self.confirm,
            w.HBox([self.fetch_button, self.update_button]), self.message, self.diff, self.order_view,
            self.json_box, self.history_view,
        ], **kwargs)
        self._refresh()

    def __repr__(self) -> str:
        return f"<UpdateOrderForm {self.client.label}: {len(self.history)} update(s)>"

    # -- validation while typing ---------------------------------------------------------------
    def _on_field_value(self, change: dict[str, Any]) -> None:
        self._refresh()

    def _problems(self, *, with_value: bool) -> list[str]:
        return problems(self.customer_id.value, self.order_id.value, self.reference.value if with_value else None)

    def _refresh(self, *, keep_message: bool = False) -> None:
        length = len(self.reference.value.strip())
        over = length > REFERENCE_MAX_LENGTH
        self.counter.value = (f'<span style="color:{"#cf222e" if over else "#57606a"}">'
                              f"{length}/{REFERENCE_MAX_LENGTH}</span>")
        found = self._problems(with_value=True)
        needs_confirm = self.client.environment == "production" and not self.confirm.value
        self.update_button.disabled = bool(found) or needs_confirm
        self.fetch_button.disabled = bool(self._problems(with_value=False))
        if keep_message:
            return
        if found:
            self.message.value = message_html("Update is disabled until:" + bullet_list(found), "warn")
        elif needs_confirm:
            self.message.value = message_html("Tick the PRODUCTION box to enable Update.", "warn")
        else:
            self.message.value = message_html("Ready: Update reads the order, then changes it.")

    # -- actions -------------------------------------------------------------------------------
    def _on_fetch_click(self, _: w.Button) -> None:
        self.fetch()

    def _on_update_click(self, _: w.Button) -> None:
        self.submit()

    def fetch(self) -> Order | None:
        """Show the order as it is now; nothing is changed."""
        try:
            order = self.client.get_order(self.customer_id.value.strip(), self.order_id.value.strip())
        except Exception as exc:
            self.message.value = message_html(escape(str(exc)), "error")
            return None
        self.message.value = message_html(
            f"Current externalReferenceId: <b>{escape(str(order.external_reference_id))}</b>", "info")
        self._show_order(order)
        return order

    def submit(self) -> dict[str, Any] | None:
        """Update the order (journaled, so it can be undone), then show what Adobe returned."""
        from ..batch import update_one

        if self.update_button.disabled:
            return None
        self.update_button.disabled = True
        self.message.value = message_html("Updating…")
        try:
            row = update_one(self.client, self.customer_id.value, self.order_id.value, self.reference.value,
                             kind="form", confirm=self.confirm.value)
        except Exception as exc:
            self.message.value = message_html(f"Not updated: {escape(str(exc))}", "error")
            self._refresh(keep_message=True)
            return None
        result: dict[str, Any] = {str(k): (None if v is None or v != v else v) for k, v in row.items()}
        self.last_result = result
        self._record(result)
        if result["status"] in ("updated", "unchanged"):
            self.message.value = message_html(
                f"{status_badge(result['status'])} order {escape(result['orderId'])}"
                + (" was already at that value; nothing was sent." if result["status"] == "unchanged" else "."),
                "ok")
            self.diff.value = (f"<b>externalReferenceId</b>: {escape(str(result['previous_external_reference_id']))}"
                               f" → <b>{escape(str(result['external_reference_id']))}</b>"
                               f" <small>(batch {escape(result['batch_id'])})</small>")
        else:
            # ApiError text already carries Adobe's code and the request and correlation IDs.
            self.message.value = message_html(
                f"{status_badge(result['status'])} {escape(str(result['error']))}", "error")
            self.diff.value = ""
        if result.get("order"):
            self._show_order(Order.from_api(json.loads(result["order"])))
        self._refresh(keep_message=True)
        return result

    def _show_order(self, order: Order) -> None:
        head = order.header()
        fields = {k: head[k] for k in ("orderId", "customerId", "externalReferenceId", "orderType", "status",
                                       "statusName", "source", "currencyCode", "creationDate")}
        self.order_view.value = (table_html([fields], list(fields), css_class="order-header")
                                 + f"<b>Line items ({len(order.line_items)})</b>" + line_items_html(order))
        self.json_view.outputs = ()
        self.json_view.append_display_data(JSON(order.to_api(), expanded=False))

    def _record(self, result: dict[str, Any]) -> None:
        self.history.append({"time": (result.get("updated_at") or "")[11:19], "customerId": result["customerId"],
                             "orderId": result["orderId"], "previous": result["previous_external_reference_id"],
                             "new": result["external_reference_id"], "status": result["status"],
                             "batch": result["batch_id"]})
        self.history_view.value = ("<b>Updates from this form</b>"
                                   + table_html(list(reversed(self.history)), HISTORY_COLUMNS, css_class="history"))
