"""``OrderBrowser``: find the orders to tag without knowing their IDs.

Customers' order history (every order, not only the current term) in a sortable, searchable grid
that scrolls in its own box; filters for order type, status, dates and "missing reference only".
Choose one order and it opens in the update form below; select several, give them a reference,
and they go to the batch panel (dry run, apply, undo — journaled like any batch).
"""

from __future__ import annotations

import re
from datetime import date
from html import escape
from typing import Any

import ipywidgets as w
import pandas as pd

from ..client import OrdersClient
from ..connection import client_or_connect
from ..discovery import fetch_orders
from ..errors import AdobeOrdersError, ValidationError
from ..models import STATUS_NAMES
from ..validation import check_external_reference_id
from .common import environment_banner, message_html, page_support, stylesheet
from .form import UpdateOrderForm
from .grid import display_frame, grid_options
from .grid_widget import Grid
from .panel import BatchUpdatePanel

ANY = ""
ORDER_TYPES = ["NEW", "RENEWAL", "RETURN", "TRANSFER", "SWITCH", "REVERT_SWITCH"]
#: Grid columns, in order; the browser's frame keeps every fetch_orders column.
COLUMNS = ["customerId", "orderId", "created", "order_type", "status", "status_name", "source",
           "external_reference_id", "reference_order_id", "line_count", "offer_ids", "total_price"]
GRID_HEIGHT = "320px"


def reference_problem(value: str) -> str | None:
    """Why ``value`` cannot be sent as a reference, or None (the same rule as every other surface)."""
    try:
        check_external_reference_id(value)
    except ValidationError as exc:
        return exc.message
    return None


def iso_date(text: str, label: str) -> date | None:
    """A date typed as YYYY-MM-DD (blank: no limit); anything else is a one-line error naming the field."""
    text = (text or "").strip()
    if not text:
        return None
    problem = f"'{label}' must be a date as YYYY-MM-DD, e.g. 2026-01-31 (got '{text}')."
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(problem)
    try:
        return date.fromisoformat(text)
    except ValueError:  # 2026-02-30
        raise ValueError(problem) from None


def split_ids(text: str) -> list[str]:
    """Customer IDs pasted from Excel: one per line, or separated by commas, semicolons or spaces."""
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


class OrderBrowser(w.VBox):
    """Browse customers' orders, open one in the form, or send a selection to the batch panel."""

    def __init__(self, client: OrdersClient | None = None, customers: list[str] | str | None = None,
                 **kwargs: Any) -> None:
        self.client = client_or_connect(client, "OrderBrowser")
        self.frame: pd.DataFrame | None = None  # the orders on view, in grid order
        self.banner = environment_banner(self.client)
        self.customers = w.Textarea(description="Customer IDs", placeholder="one per line, or comma-separated",
                                    style={"description_width": "8em"}, layout=w.Layout(width="38em", height="5em"))
        if customers:
            self.customers.value = customers if isinstance(customers, str) else "\n".join(customers)
        self.order_type = w.Dropdown(options=[("Any type", ANY)] + [(t, t) for t in ORDER_TYPES], value=ANY,
                                     description="Order type", style={"description_width": "8em"})
        self.status = w.Dropdown(options=[("Any status", ANY)] + [(f"{c} {n}", c) for c, n in STATUS_NAMES.items()],
                                 value=ANY, description="Status", style={"description_width": "8em"})
        # ISO dates as text, like the grid: the browser's date input follows the locale (mm/dd/yyyy in en-US)
        self.since = w.Text(description="Created from", placeholder="YYYY-MM-DD", style={"description_width": "8em"},
                            layout=w.Layout(width="calc(8em + 14ch + 24px)"))
        self.until = w.Text(description="to", placeholder="YYYY-MM-DD", style={"description_width": "3em"},
                            layout=w.Layout(width="calc(3em + 14ch + 24px)"))
        self.missing_only = w.Checkbox(description="Missing reference only", value=False, indent=False)
        self.search_button = w.Button(description="Find orders", button_style="primary", icon="search")
        self.message = w.HTML()
        # The grid exists from the start, hidden until the first Find: the page loads its code while the analyst
        # types, so the first Find only fills it (click to grid is what the analyst waits for).
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
        self.grid: Any = Grid(empty, **self._grid_options(empty, COLUMNS))
        self.grid.observe(lambda _: self._set_buttons(), names="selected_rows")
        self.grid_box = w.VBox([self.grid], layout=w.Layout(display="none"))
        self.selection = w.HTML()
        self.open_button = w.Button(description="Open in form", icon="edit", disabled=True,
                                    tooltip="Open the chosen order in the update form", layout=w.Layout(width="auto"))
        self.reference = w.Text(description="Reference", placeholder="PO for the selected orders",
                                style={"description_width": "6em"}, layout=w.Layout(width="32em"))
        self.send_button = w.Button(description="Send to batch panel", icon="table", disabled=True,
                                    tooltip="Give the selected orders this reference in the batch panel",
                                    layout=w.Layout(width="auto"))
        self.form = UpdateOrderForm(self.client)
        self.panel = BatchUpdatePanel(self.client)
        self.form.layout.display = self.panel.layout.display = "none"
        # One banner for the whole browser: the form and panel talk to the same API through the same client.
        self.form.banner.layout.display = self.panel.banner.layout.display = "none"
        self.search_button.on_click(lambda _: self.search())
        self.open_button.on_click(lambda _: self.open_selected())
        self.send_button.on_click(lambda _: self.send_selected())
        self.reference.observe(lambda _: self._set_buttons(), names="value")
        super().__init__(children=[
            stylesheet(), self.banner, self.customers,
            w.HBox([self.order_type, self.status], layout=w.Layout(flex_flow="row wrap")),
            w.HBox([self.since, self.until, self.missing_only], layout=w.Layout(flex_flow="row wrap",
                                                                               align_items="center")),
            self.search_button, self.message, self.grid_box, self.selection,
            w.HBox([self.open_button, self.reference, self.send_button], layout=w.Layout(flex_flow="row wrap")),
            self.form, self.panel,
        ], **kwargs)
        self.add_class("adobe-orders")
        self.add_class("adobe-orders-browser")

    def __repr__(self) -> str:
        shown = 0 if self.frame is None else len(self.frame)
        return f"<OrderBrowser {self.client.label}: {shown} orders>"

    # -- finding -------------------------------------------------------------------------------
    def search(self) -> pd.DataFrame | None:
        """Read the customers' order history with the filters set; show it in the grid."""
        ids = split_ids(self.customers.value)
        if not ids:
            self.message.value = message_html("Enter at least one customer ID.", "warn")
            return None
        try:
            since, until = iso_date(self.since.value, "Created from"), iso_date(self.until.value, "to")
        except ValueError as exc:
            self.message.value = message_html(escape(str(exc)), "warn")
            return None
        if isinstance(since, date) and isinstance(until, date) and since > until:
            self.message.value = message_html(f"'Created from' ({since}) is after 'to' ({until}).", "warn")
            return None
        self.message.value = message_html(f"Reading the order history of {len(ids)} customer(s)…", "info")
        try:
            frame = fetch_orders(ids, self.client, order_type=self.order_type.value or None,
                                 status=self.status.value or None, start_date=since, end_date=until,
                                 missing_reference=self.missing_only.value, progress=False)
        except (ValueError, AdobeOrdersError) as exc:  # a malformed ID (nothing sent), refused credentials…
            self.message.value = message_html(escape(str(exc)), "error")
            return None
        self._show(frame)
        return frame

    def _show(self, frame: pd.DataFrame) -> None:
        self.frame = frame.reset_index(drop=True)
        failed = frame.attrs.get("failed_customers", {})
        read = len(frame.attrs.get("customers", [])) - len(failed)
        text = (f"{len(frame)} orders of {read} customer(s), newest first. Click a column header to sort. "
                "Select rows by clicking, or by keyboard: Tab into the grid, ↑/↓ to move, Space to select."
                if len(frame) else f"No orders found for {read} customer(s) with these filters.")
        problems_text = "".join(f"<br>Customer {escape(c)} not read: {escape(r)}" for c, r in failed.items())
        self.message.value = message_html(text + problems_text, "warn" if failed else "info")
        shown = _display(self.frame)
        columns = [c for c in COLUMNS if c in shown]
        self.grid_box.layout.display = ""
        self.grid.update(display_frame(shown, columns=columns), **self._grid_options(shown, columns))
        self._set_buttons()

    @staticmethod
    def _grid_options(shown: pd.DataFrame, columns: list[str]) -> dict[str, Any]:
        """The shared grid's options, plus row selection: click, shift/ctrl-click, or by keyboard (DataTables
        Select's keys: Tab into the grid, arrows move, Space toggles)."""
        return {**grid_options(shown, columns, GRID_HEIGHT),
                "select": {"style": "os", "items": "row", "keys": True}, "selected_rows": []}

    # -- choosing ------------------------------------------------------------------------------
    @property
    def selected(self) -> pd.DataFrame:
        """The selected orders (all columns of fetch_orders)."""
        if self.frame is None:
            return pd.DataFrame()
        rows = [i for i in self.grid.selected_rows if 0 <= i < len(self.frame)]
        return self.frame.iloc[rows]

    def select(self, order_ids: list[str]) -> None:
        """Select orders by ID (what clicking rows does)."""
        if self.frame is None:
            return
        wanted = set(order_ids)
        self.grid.selected_rows = [i for i, o in enumerate(self.frame["orderId"]) if o in wanted]

    def _set_buttons(self) -> None:
        chosen = self.selected
        self.open_button.disabled = len(chosen) != 1
        self.send_button.disabled = len(chosen) == 0 or reference_problem(self.reference.value) is not None
        if len(chosen):
            self.selection.value = (f"{len(chosen)} selected: " +
                                    ", ".join(escape(o) for o in chosen["orderId"].head(8)) +
                                    ("…" if len(chosen) > 8 else ""))
        else:
            self.selection.value = ""

    def open_selected(self) -> None:
        """Open the one selected order in the update form (fetched fresh from the API)."""
        chosen = self.selected
        if len(chosen) != 1:
            self.message.value = message_html("Select exactly one order to open it in the form.", "warn")
            return
        row = chosen.iloc[0]
        self.form.customer_id.value = str(row["customerId"])
        self.form.order_id.value = str(row["orderId"])
        self._show_below(self.form)
        self.form.fetch()

    def send_selected(self) -> pd.DataFrame | None:
        """Load the selected orders, each with the reference typed, into the batch panel (nothing sent)."""
        chosen = self.selected
        value = self.reference.value.strip()
        issue = reference_problem(value)
        if not len(chosen) or issue:
            self.message.value = message_html("Select orders and type a valid reference first. "
                                              + escape(issue or ""), "warn")
            return None
        updates = pd.DataFrame({"customerId": chosen["customerId"].astype(str).tolist(),
                                "orderId": chosen["orderId"].astype(str).tolist(),
                                "externalReferenceId": [value] * len(chosen)}, dtype=object)
        self.panel.load(updates)
        self._show_below(self.panel)
        return updates

    def _show_below(self, part: w.Widget) -> None:
        """One part at a time under the grid, where the user clicked: the form or the batch panel.

        The other one is hidden, and the form forgets its order, so it never shows one outside the selection.
        A running batch keeps its panel on view (hiding it would hide its Cancel).
        """
        other = self.panel if part is self.form else self.form
        if other is self.form:
            self.form.customer_id.value = self.form.order_id.value = self.form.reference.value = ""
            self.form.layout.display = "none"
        elif not self.panel.running:
            self.panel.layout.display = "none"
        for each in (self.form, self.panel):
            each.remove_class("ao-reveal")
        part.add_class("ao-reveal")
        part.layout.display = ""
        page_support(self).reveal()


def _display(frame: pd.DataFrame) -> pd.DataFrame:
    """The grid's view: creation time as sortable text (UTC), no order JSON."""
    shown = frame.copy()
    shown.insert(2, "created", frame["creation_date"].dt.strftime("%Y-%m-%d %H:%M").astype(object))
    if shown["total_price"].isna().all():
        shown = shown.drop(columns=["total_price"])
    return shown


__all__ = ["OrderBrowser", "split_ids"]
