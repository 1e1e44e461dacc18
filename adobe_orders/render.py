"""HTML and plain-text views of orders and results: pure functions, shared by the form,
the batch panel, ``Order._repr_html_`` and the CLI, so every place shows an order alike."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Order

LINE_ITEM_COLUMNS = ["extLineItemNumber", "offerId", "quantity", "subscriptionId", "status",
                     "currencyCode", "deploymentId"]
STATUS_COLOURS = {
    "updated": "#1a7f37",
    "unchanged": "#57606a",
    "would-update": "#0969da",
    "skipped": "#8250df",
    "invalid": "#bc4c00",
    "failed": "#cf222e",
    "pending": "#9a6700",
}


def _cell(value: Any) -> str:
    return "" if value is None else escape(str(value))


CELL_STYLE = "border-bottom:1px solid #d0d7de;padding:2px 8px;text-align:left"


def table_html(rows: Iterable[Mapping[str, Any]], columns: list[str], *, css_class: str = "") -> str:
    head = "".join(f'<th style="{CELL_STYLE}">{escape(c)}</th>' for c in columns)
    body = "".join(
        "<tr>" + "".join(f'<td style="{CELL_STYLE}">{_cell(row.get(c))}</td>' for c in columns) + "</tr>"
        for row in rows
    )
    return (f'<table class="adobe-orders {escape(css_class)}" style="border-collapse:collapse;font-size:12px">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def line_items_html(order: Order) -> str:
    rows = [{**li.to_api(), "status": f"{li.status} {li.status_name}".strip()} for li in order.line_items]
    return table_html(rows, LINE_ITEM_COLUMNS, css_class="line-items")


def order_html(order: Order) -> str:
    h = order.header()
    fields = "".join(
        f"<dt>{escape(k)}</dt><dd>{_cell(v)}</dd>"
        for k, v in h.items() if k not in ("statusName", "lineItemCount")
    )
    return (
        f'<div class="adobe-orders-order"><b>Order {escape(order.order_id)}</b> of customer '
        f"{escape(order.customer_id)} — status {_cell(order.status)} {_cell(order.status_name)}"
        f'<dl style="display:grid;grid-template-columns:max-content auto;gap:0 1em">{fields}</dl>'
        f"<b>Line items ({len(order.line_items)})</b>{line_items_html(order)}</div>"
    )


def text_table(rows: Sequence[Mapping[str, Any]], columns: list[str]) -> str:
    cells = [[str(c) for c in columns]] + [["" if r.get(c) is None else str(r.get(c)) for c in columns]
                                           for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def order_text(order: Order) -> str:
    h = order.header()
    width = max(len(k) for k in h)
    head = "\n".join(f"{k.ljust(width)}  {'' if v is None else v}" for k, v in h.items())
    items = text_table([li.to_api() for li in order.line_items], LINE_ITEM_COLUMNS)
    return f"{head}\n\nLine items:\n{items}"


def status_badge(status: str) -> str:
    colour = STATUS_COLOURS.get(status, "#57606a")
    return (f'<span style="color:white;background:{colour};border-radius:3px;padding:0 4px">'
            f"{escape(status)}</span>")


def status_table_html(rows: Sequence[Mapping[str, Any]], columns: list[str], *, css_class: str = "") -> str:
    """A table whose ``status`` cells are coloured by outcome."""
    html = table_html(rows, columns, css_class=css_class)
    for status, colour in STATUS_COLOURS.items():
        html = html.replace(f'<td style="{CELL_STYLE}">{status}</td>',
                            f'<td style="{CELL_STYLE};color:{colour};font-weight:bold">{status}</td>')
    return html
