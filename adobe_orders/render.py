"""HTML and plain text for people: cells, tables, status badges and the theme's colours.

Pure functions that know no model, shared by the order's own views (``Order._repr_html_``,
``str(order)``), the form, the batch panel, the results report and the CLI, so every place shows
a value, a table and a status alike."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

# Each status has a tone; a tone is a JupyterLab theme colour mixed 40 % towards the theme's own text
# colour (black in light themes, white in dark ones), which keeps it at 4.5 : 1 or more on the
# notebook's background in both. Fallbacks are for pages without JupyterLab's variables.
TONES = {
    "success": "var(--jp-success-color1, #388e3c)",
    "error": "var(--jp-error-color1, #d32f2f)",
    "warn": "var(--jp-warn-color1, #f57c00)",
    "info": "var(--jp-brand-color1, #1976d2)",
    "accent": "var(--jp-info-color1, #0097a7)",
    "neutral": "var(--jp-content-font-color2, #757575)",
}
STATUS_TONES = {
    "updated": "success",
    "unchanged": "neutral",
    "ready": "info",
    "would_update": "info",
    "duplicate": "accent",
    "skipped": "accent",
    "not_run": "warn",
    "pending": "warn",
    "invalid": "warn",
    "failed": "error",
}
TEXT = "var(--jp-content-font-color0, #000)"
MUTED_TEXT = f"color-mix(in srgb, {TEXT} 72%, var(--jp-layout-color0, #fff))"
BORDER = "var(--jp-border-color2, #e0e0e0)"


def tone_colour(tone: str) -> str:
    """A text colour for ``tone`` that reads at 4.5 : 1 or better in light and dark themes."""
    return f"color-mix(in srgb, {TONES[tone]} 60%, {TEXT})"


def is_blank(value: Any) -> bool:
    """None, NaN, pandas NA/NaT and empty text all show as an empty cell, never as text."""
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    if isinstance(value, str):
        return value == ""
    pd = sys.modules.get("pandas")  # a pandas NA or NaT exists only once pandas is loaded: never load it here
    if pd is None or hasattr(value, "__len__"):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def cell_html(value: Any) -> str:
    """A value as an HTML cell's text: blank when missing, escaped otherwise."""
    return "" if is_blank(value) else escape(str(value))


SCROLL_BOX = "overflow:auto;max-width:100%;max-height:420px"
CELL_STYLE = f"border-bottom:1px solid {BORDER};padding:1px 8px;text-align:left;white-space:nowrap"


def table_html(rows: Iterable[Mapping[str, Any]], columns: list[str], *, css_class: str = "") -> str:
    head = "".join(f'<th style="{CELL_STYLE}">{escape(c)}</th>' for c in columns)
    body = "".join(
        "<tr>" + "".join(f'<td style="{CELL_STYLE}">{cell_html(row.get(c))}</td>' for c in columns) + "</tr>"
        for row in rows
    )
    # Each table scrolls inside its own box, so a wide or long one is never clipped by the page.
    return (f'<div class="ao-scroll" style="{SCROLL_BOX}"><table class="adobe-orders {escape(css_class)}" '
            f'style="border-collapse:collapse;font-size:12px"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def text_table(rows: Sequence[Mapping[str, Any]], columns: list[str]) -> str:
    cells = [[str(c) for c in columns]] + [["" if is_blank(r.get(c)) else str(r.get(c)) for c in columns]
                                           for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def status_badge(status: str, count: int | None = None) -> str:
    """A status as a small outlined badge, optionally with its count (``updated 16``)."""
    colour = tone_colour(STATUS_TONES.get(status, "neutral"))
    text = escape(status) + (f" {count}" if count is not None else "")
    return (f'<span class="ao-badge ao-status-{escape(status)}" style="color:{colour};border:1px solid '
            f'{colour};border-radius:10px;padding:0 8px;white-space:nowrap;font-weight:600">{text}</span>')


def status_table_html(rows: Sequence[Mapping[str, Any]], columns: list[str], *, css_class: str = "") -> str:
    """A table whose ``status`` cells are coloured by outcome."""
    html = table_html(rows, columns, css_class=css_class)
    for status, tone in STATUS_TONES.items():
        html = html.replace(f'<td style="{CELL_STYLE}">{status}</td>',
                            f'<td style="{CELL_STYLE};color:{tone_colour(tone)};font-weight:bold">{status}</td>')
    return html
