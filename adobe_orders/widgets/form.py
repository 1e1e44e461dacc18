"""``UpdateOrderForm``: change one order's externalReferenceId, and see what Adobe returned."""

from __future__ import annotations

import json
import uuid
from html import escape
from typing import Any

import ipywidgets as w
from IPython.display import JSON

from ..batch.apply import update_one
from ..client import OrdersClient
from ..connection import client_or_connect
from ..errors import ValidationError
from ..models import Order
from ..render import MUTED_TEXT, is_blank, status_badge, table_html, tone_colour
from ..validation import REFERENCE_MAX_LENGTH, check_customer_id, check_external_reference_id, check_order_id, problems
from .common import bullet_list, environment_banner, id_html, message_html, stylesheet

HISTORY_COLUMNS = ["time", "customerId", "orderId", "previous", "new", "status", "batch"]
# Label column plus a monospace input that shows 35 characters (the longest reference) whole.
LABEL_WIDTH = "12em"
FIELD_LAYOUT = {"width": f"calc({LABEL_WIDTH} + 40ch + 24px)", "max_width": "100%"}


def _field(description: str, placeholder: str) -> w.Text:
    field = w.Text(description=description, placeholder=placeholder, style={"description_width": LABEL_WIDTH},
                   layout=w.Layout(**FIELD_LAYOUT))
    field.add_class("ao-field")
    return field


def change_html(current: Any, target: str) -> str:
    """The change Update would make, before it is made: ``PO-2026-0001 → PO-UX-2026-0042``."""
    before = "<i>(none)</i>" if is_blank(current) else f"<b>{escape(str(current))}</b>"
    return f"externalReferenceId: {before} → <b>{escape(target)}</b>"


def field_problem(check: Any, value: str) -> str | None:
    """Why a typed value is refused, or None (an empty field is not yet wrong: it is still to be filled)."""
    if not value.strip():
        return None
    try:
        check(value)
    except ValidationError as exc:
        return exc.message
    return None


def diff_html(previous: Any, target: Any, batch_id: Any) -> str:
    """``externalReferenceId: PO-1 → PO-2``; an empty previous value shows as "(empty)", never "None"."""
    before = ("<i>(empty)</i>" if is_blank(previous) else escape(str(previous)))
    return (f"<b>externalReferenceId</b>: {before} → <b>{escape(str(target))}</b>"
            f" <small>(batch {id_html(batch_id)})</small>")


class UpdateOrderForm(w.VBox):
    """A form for one order: validates as you type, fetches, updates (journaled), shows the result."""

    def __init__(self, client: OrdersClient | None = None, **kwargs: Any) -> None:
        self.client = client_or_connect(client, "UpdateOrderForm")
        self.last_result: dict[str, Any] | None = None
        self.history: list[dict[str, Any]] = []
        self.banner = environment_banner(self.client)
        self.customer_id = _field("Customer ID", "e.g. 0001000000")
        self.order_id = _field("Order ID", "e.g. 0123456000")
        self.reference = _field("External reference ID", "your PO / order number")
        self._shown: tuple[str, str] | None = None  # (customer, order) of the order on view
        self.counter = w.HTML(f"0/{REFERENCE_MAX_LENGTH}")
        self.confirm = w.Checkbox(description="Yes, change this order in PRODUCTION", value=False,
                                  layout=w.Layout(display="" if self.client.needs_confirmation
                                                  else "none"))
        self.fetch_button = w.Button(description="Fetch order", icon="search", tooltip="Read the current order")
        self.dry_run_button = w.Button(description="Dry run", icon="eye", disabled=True,
                                       tooltip="Read the order and show the change Update would make; nothing is sent")
        self.update_button = w.Button(description="Update", button_style="primary", icon="check", disabled=True,
                                      tooltip="Set the external reference ID")
        self._current: Any = None  # the externalReferenceId of the order on view (read by Fetch or Dry run)
        # the message is the inputs' description for assistive technology (aria-describedby), so it has an id
        self._message_id = f"ao-msg-{uuid.uuid4().hex[:12]}"
        self.message = w.HTML()
        self.diff = w.HTML()
        self.order_view = w.HTML()
        self.json_view = w.Output()
        self.json_box = w.Accordion(children=[self.json_view], titles=("Order JSON",), selected_index=None)
        self.history_view = w.HTML()
        for field in (self.customer_id, self.order_id, self.reference):
            field.observe(self._on_field_value, names="value")
        self.confirm.observe(self._on_field_value, names="value")
        for field in (self.customer_id, self.order_id, self.reference):
            field.add_class("ao-validated")
            field.add_class(f"ao-describedby-{self._message_id}")
        self.fetch_button.on_click(self._on_fetch_click)
        self.dry_run_button.on_click(lambda _: self.dry_run())
        self.update_button.on_click(self._on_update_click)
        super().__init__(children=[
            stylesheet(), self.banner, self.customer_id, self.order_id, w.HBox([self.reference, self.counter]),
            self.confirm,
            w.HBox([self.fetch_button, self.dry_run_button, self.update_button]), self.message, self.diff,
            self.order_view,
            self.json_box, self.history_view,
        ], **kwargs)
        self.add_class("adobe-orders")
        self._refresh()

    def __repr__(self) -> str:
        return f"<UpdateOrderForm {self.client.label}: {len(self.history)} update(s)>"

    # -- validation while typing ---------------------------------------------------------------
    def _on_field_value(self, change: dict[str, Any]) -> None:
        if self._shown is not None and self._shown != self._ids():
            self._clear_order()  # the order on view no longer belongs to the IDs above it
        self._refresh()

    def _ids(self) -> tuple[str, str]:
        return self.customer_id.value.strip(), self.order_id.value.strip()

    def _problems(self, *, with_value: bool) -> list[str]:
        return problems(self.customer_id.value, self.order_id.value, self.reference.value if with_value else None)

    def _say(self, html: str) -> None:
        """The form's one message line, announced to screen readers as it changes (a status region)."""
        self.message.value = f'<div id="{self._message_id}" role="status">{html}</div>'

    def _mark_fields(self) -> None:
        """A refused value marks its input invalid (red border, ``aria-invalid``, described by the message)."""
        for field, check in ((self.customer_id, check_customer_id), (self.order_id, check_order_id),
                             (self.reference, check_external_reference_id)):
            if field_problem(check, field.value):
                field.add_class("ao-invalid")
            else:
                field.remove_class("ao-invalid")

    def _refresh(self, *, keep_message: bool = False) -> None:
        length = len(self.reference.value.strip())
        over = length > REFERENCE_MAX_LENGTH
        self.counter.value = (f'<span style="color:{tone_colour("error") if over else MUTED_TEXT}">'
                              f"{length}/{REFERENCE_MAX_LENGTH}</span>")
        found = self._problems(with_value=True)
        needs_confirm = self.client.needs_confirmation and not self.confirm.value
        self.update_button.disabled = bool(found) or needs_confirm
        self.dry_run_button.disabled = bool(found)
        self.fetch_button.disabled = bool(self._problems(with_value=False))
        if not keep_message:
            self._say_state(found, needs_confirm)
        self._mark_fields()  # after the message: the input then points at the words that explain it

    def _say_state(self, found: list[str], needs_confirm: bool) -> None:
        """The message for what the fields hold now: what to fix, or the change Update would make."""
        if found:
            self._say(message_html("Update is disabled until:" + bullet_list(found), "warn"))
        elif needs_confirm:
            self._say(message_html("Tick the PRODUCTION box to enable Update.", "warn"))
        elif self._shown == self._ids():
            self._say(self._preview())
        else:
            self._say(message_html("Ready: Dry run shows the change without sending it; Update reads the order, "
                                   "then changes it."))

    def _preview(self) -> str:
        """The change itself, for the order on view: what Update would send, or that it would send nothing."""
        target = self.reference.value.strip()
        if not is_blank(self._current) and str(self._current) == target:
            return message_html(f"This order already holds <b>{escape(target)}</b>: Update would send nothing.")
        return message_html(f"Update will change {change_html(self._current, target)} (nothing sent yet).")

    # -- actions -------------------------------------------------------------------------------
    def _on_fetch_click(self, _: w.Button) -> None:
        self.fetch()

    def _on_update_click(self, _: w.Button) -> None:
        self.submit()

    def fetch(self) -> Order | None:
        """Show the order as it is now; nothing is changed."""
        self._clear_order()
        try:
            order = self.client.get_order(*self._ids())
        except Exception as exc:
            self._say(message_html(escape(str(exc)), "error"))
            return None
        self._show_order(order)
        if self._problems(with_value=True) or not self.reference.value.strip():
            current = order.external_reference_id
            self._say(message_html("Current externalReferenceId: " + ("<i>(none)</i>" if is_blank(current) else
                                                                      f"<b>{escape(str(current))}</b>"), "info"))
        else:
            self._say(self._preview())
        return order

    def dry_run(self) -> str | None:
        """The form's own dry run: read the order, show the change Update would make; nothing is sent."""
        if self.dry_run_button.disabled:
            return None
        if self.fetch() is None:
            return None
        self._say(self._preview())
        return self.message.value

    def submit(self) -> dict[str, Any] | None:
        """Update the order (journaled, so it can be undone), then show what Adobe returned."""
        if self.update_button.disabled:
            return None
        self.update_button.disabled = True
        self._say(message_html("Updating…"))
        self._clear_order()
        try:
            row = update_one(self.client, self.customer_id.value, self.order_id.value, self.reference.value,
                             kind="form", confirm=self.confirm.value)
        except Exception as exc:
            self._say(message_html(f"Not updated: {escape(str(exc))}", "error"))
            self._refresh(keep_message=True)
            return None
        result: dict[str, Any] = {str(k): (None if v is None or v != v else v) for k, v in row.items()}
        self.last_result = result
        self._record(result)
        if result["status"] in ("updated", "unchanged"):
            self._say(message_html(
                f"{status_badge(result['status'])} order {id_html(result['orderId'])}"
                + (" was already at that value; nothing was sent." if result["status"] == "unchanged" else "."),
                "ok"))
            self.diff.value = diff_html(result["previous_value"], result["current_value"],
                                        result["batch_id"])
        else:
            # ApiError text already carries Adobe's code and the request and correlation IDs.
            self._say(message_html(f"{status_badge(result['status'])} {escape(str(result['reason']))}", "error"))
            self.diff.value = ""
        if result.get("order_json"):
            self._show_order(Order.from_api(json.loads(result["order_json"])))
        self._refresh(keep_message=True)
        return result

    def _clear_order(self) -> None:
        """Empty the order views, so no view ever shows another order than the IDs above."""
        self._shown = None
        self._current = None
        self.diff.value = self.order_view.value = ""
        self.json_view.outputs = ()

    def _show_order(self, order: Order) -> None:
        head = order.header()
        fields = {k: head[k] for k in ("orderId", "customerId", "externalReferenceId", "orderType", "status",
                                       "statusName", "source", "currencyCode", "creationDate")}
        self._shown = (order.customer_id, order.order_id)
        self._current = order.external_reference_id
        self.order_view.value = (f"<b>Order {id_html(order.order_id)} of customer {id_html(order.customer_id)}"
                                 "</b>" + table_html([fields], list(fields), css_class="order-header")
                                 + f"<b>Line items ({len(order.line_items)})</b>" + order.line_items_html())
        self.json_view.outputs = ()
        self.json_view.append_display_data(JSON(order.to_api(), expanded=False))

    def _record(self, result: dict[str, Any]) -> None:
        self.history.append({"time": (result.get("updated_at") or "")[11:19], "customerId": result["customerId"],
                             "orderId": result["orderId"], "previous": result["previous_value"],
                             "new": result["current_value"], "status": result["status"],
                             "batch": result["batch_id"]})
        self.history_view.value = ("<b>Updates from this form</b>"
                                   + table_html(list(reversed(self.history)), HISTORY_COLUMNS, css_class="history"))
