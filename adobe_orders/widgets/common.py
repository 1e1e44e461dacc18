"""Pieces every notebook widget shares: the stylesheet, the environment banner, messages.

Output is written through widget *state* (``outputs = ()`` then ``append_display_data``),
never ``clear_output()``: in JupyterLab the clear is a message that can arrive after the new
output and wipe it (see ../shared/testing-jupyter.md, "Bug only the browser caught").

Colours come from JupyterLab's theme variables (``--jp-*``) mixed towards the theme's own text
colour, so text stays readable (4.5 : 1 or better) in light and dark themes alike; the fallbacks
after each ``var()`` are for front-ends without those variables (Voilà's plain page, VS Code).
"""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING

import ipywidgets as w

from ..render import MUTED_TEXT, tone_colour

if TYPE_CHECKING:
    from ..client import OrdersClient

# The banner keeps fixed colour pairs (white on a strong colour; each above 5 : 1): PRODUCTION must
# look the same, red, in every theme.
BANNER_STYLE = {
    "local": ("#1a7f37", "LOCAL EMULATOR", "nothing you do here reaches Adobe"),
    "sandbox": ("#0969da", "ADOBE SANDBOX", "Adobe's test environment"),
    "production": ("#cf222e", "PRODUCTION", "changes are real and reach reconciliation"),
}

# Widths: a 35-character reference in a monospace input needs 35ch plus padding; labels are
# long enough for "External reference ID"; IDs never wrap in the middle.
STYLESHEET = """<style>
.adobe-orders .ao-field .widget-label { min-width: 12em; }
.adobe-orders .ao-field input { font-family: var(--jp-code-font-family, monospace); }
.adobe-orders .ao-field { width: calc(12em + 40ch + 24px); max-width: 100%; }
.adobe-orders .ao-id, .adobe-orders code { white-space: nowrap; }
.adobe-orders .adobe-orders-msg, .adobe-orders .widget-html-content { overflow-wrap: normal; word-break: normal; }
.adobe-orders .widget-html-content { line-height: 1.5; min-width: 0; max-width: 100%; }
.adobe-orders .widget-html { max-width: 100%; min-width: 0; }
.adobe-orders .ao-scroll { overflow: auto; max-width: 100%; }
.adobe-orders button:disabled, .adobe-orders .jupyter-button:disabled {
  cursor: not-allowed; filter: grayscale(1); opacity: 0.45; box-shadow: none; }
.adobe-orders .jupyter-widgets.widget-upload, .adobe-orders .widget-upload { width: auto; min-width: max-content; }
.adobe-orders .ao-badge { display: inline-block; white-space: nowrap; border-radius: 10px; padding: 0 8px;
  margin: 0 4px 2px 0; font-weight: 600; border: 1px solid currentColor; }
.adobe-orders a.ao-link { color: var(--jp-content-link-color, #0d47a1); text-decoration: underline; }
.adobe-orders .ao-progress-text { font-variant-numeric: tabular-nums; white-space: nowrap; }
.adobe-orders .jupyter-widget-Collapse-header, .adobe-orders .p-Collapse-header,
.adobe-orders .jupyter-widgets.widget-tab > .lm-TabBar .lm-TabBar-tab,
.adobe-orders .jupyter-widgets.widget-tab > .p-TabBar .p-TabBar-tab {
  color: var(--jp-ui-font-color1, rgba(0, 0, 0, 0.87)); }
</style>"""


def stylesheet() -> w.HTML:
    """A zero-height HTML widget holding the stylesheet; a child of every widget of this package."""
    return w.HTML(STYLESHEET, layout=w.Layout(height="0px", margin="0", overflow="hidden"))


def environment_banner(client: OrdersClient) -> w.HTML:
    colour, title, note = BANNER_STYLE["production" if client.needs_confirmation else client.destination]
    return w.HTML(
        f'<div class="adobe-orders-env" style="background:{colour};color:#fff;padding:4px 8px;'
        f'border-radius:4px;font-weight:bold">{title} · {escape(client.label)} — {note}</div>'
    )


# Request and correlation IDs (UUIDs) and batch IDs in messages: browsers break lines at their hyphens.
_IDS = re.compile(r"(?<![\w-])([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
                  r"|\d{8}-\d{6}-[0-9a-f]{6})(?![\w-])")


def message_html(text: str, kind: str = "info") -> str:
    """A message line; the IDs in it (request, correlation, batch) never wrap in their middle."""
    colour = MUTED_TEXT if kind == "info" else tone_colour({"ok": "success", "error": "error", "warn": "warn"}[kind])
    text = _IDS.sub(r'<span class="ao-id">\1</span>', text)
    return f'<div class="adobe-orders-msg {kind}" style="color:{colour}">{text}</div>'


def id_html(value: object) -> str:
    """An ID (customer, order, batch) that never wraps in its middle."""
    return f'<span class="ao-id">{escape(str(value))}</span>'


def bullet_list(items: list[str]) -> str:
    return "<ul style='margin:0'>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"
