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
from pathlib import Path

import anywidget
import ipywidgets as w
import traitlets

from ..client import OrdersClient
from ..render import MUTED_TEXT, tone_colour

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
/* Buttons: white text on each filled style reads at 4.5 : 1 or better in every state and theme
   (ipywidgets' own warning and info colours give 2.7 and 3.5); a disabled button is always the same
   outlined, dashed, unfilled style, so enabled and disabled are told apart at a glance. */
.adobe-orders .jupyter-button.mod-primary:enabled { background: #1565c0; color: #fff; }
.adobe-orders .jupyter-button.mod-warning:enabled { background: #b45309; color: #fff; }
.adobe-orders .jupyter-button.mod-info:enabled { background: #00727c; color: #fff; }
.adobe-orders .jupyter-button.mod-danger:enabled { background: #c62828; color: #fff; }
.adobe-orders .jupyter-button.mod-success:enabled { background: #2e7d32; color: #fff; }
.adobe-orders button:disabled, .adobe-orders .jupyter-button:disabled {
  cursor: not-allowed; filter: none; opacity: 1; box-shadow: none; background: transparent;
  color: var(--jp-ui-font-color2, #616161); border: 1px dashed var(--jp-border-color1, #9e9e9e); }
/* Focus: 2 px, at 3 : 1 or better against the page (WCAG 2.2 non-text contrast and focus appearance). */
.adobe-orders { --ao-focus: #1565c0; }
body[data-jp-theme-light="false"] .adobe-orders { --ao-focus: #90caf9; }
.adobe-orders :is(button, input, select, textarea, a, [tabindex]):focus-visible,
.adobe-orders .jupyter-button:focus, .adobe-orders .widget-text input:focus,
.adobe-orders .widget-textarea textarea:focus, .adobe-orders .widget-dropdown select:focus {
  outline: 2px solid var(--ao-focus) !important; outline-offset: 1px; }
.adobe-orders table.dataTable tbody tr:focus, .adobe-orders table.dataTable tbody tr:focus-visible,
.adobe-orders table.dataTable tbody td:focus {
  outline: 2px solid var(--ao-focus) !important; outline-offset: -2px; }
.adobe-orders .ao-invalid input, .adobe-orders .ao-invalid textarea {
  border: 2px solid var(--jp-error-color1, #d32f2f) !important; }
.adobe-orders .jupyter-widget-Collapse-header:focus-visible { outline: 2px solid var(--ao-focus); }
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


class PageSupport(anywidget.AnyWidget):
    """What widget state cannot express, done by a few lines of JavaScript in the page (page_support.js):
    icons hidden from accessible names, the Order JSON accordion and the selected tab reachable by Tab,
    ``aria-invalid`` on inputs the kernel marks invalid, grid rows that say whether they are selected, a
    grid header that scrolls its body along, and ``reveal()``: scroll the part marked ``ao-reveal`` into view.
    It holds no data; its JavaScript is a few kilobytes, so saved notebooks stay small."""

    _esm = Path(__file__).with_name("page_support.js")
    reveal_count = traitlets.Int(0).tag(sync=True)

    def reveal(self) -> None:
        """Scroll the widget's part with the ``ao-reveal`` class into view and focus its first button."""
        self.reveal_count += 1


def stylesheet() -> w.Box:
    """A zero-height box with the stylesheet and the page support; a child of every widget of this package."""
    style = w.HTML(STYLESHEET, layout=w.Layout(height="0px", margin="0", overflow="hidden"))
    return w.Box([style, PageSupport()], layout=w.Layout(height="0px", margin="0", overflow="hidden"))


def page_support(box: w.Box) -> PageSupport:
    """The PageSupport inside a widget's ``stylesheet()`` child."""
    for child in box.children:
        if isinstance(child, w.Box) and child.children and isinstance(child.children[-1], PageSupport):
            return child.children[-1]
    raise LookupError("this widget has no stylesheet() child")


def environment_banner(client: OrdersClient) -> w.HTML:
    """Where the requests go, said once: the kind of place, its address, what that means."""
    colour, title, note = BANNER_STYLE["production" if client.needs_confirmation else client.destination]
    return w.HTML(
        f'<div class="adobe-orders-env" style="background:{colour};color:#fff;padding:4px 8px;'
        f'border-radius:4px;font-weight:bold">{title} — {escape(client.base_url)} · {note}</div>'
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
