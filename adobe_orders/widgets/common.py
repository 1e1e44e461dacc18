"""Pieces both notebook widgets share: the environment banner and message rendering.

Output is written through widget *state* (``outputs = ()`` then ``append_display_data``),
never ``clear_output()``: in JupyterLab the clear is a message that can arrive after the new
output and wipe it (see ../shared/testing-jupyter.md, "Bug only the browser caught").
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import ipywidgets as w

if TYPE_CHECKING:
    from ..client import OrdersClient

BANNER_STYLE = {
    "local": ("#1a7f37", "LOCAL EMULATOR", "nothing you do here reaches Adobe"),
    "sandbox": ("#0969da", "ADOBE SANDBOX", "Adobe's test environment"),
    "production": ("#cf222e", "PRODUCTION", "changes are real and reach reconciliation"),
}


def environment_banner(client: OrdersClient) -> w.HTML:
    colour, title, note = BANNER_STYLE[client.environment]
    return w.HTML(
        f'<div class="adobe-orders-env" style="background:{colour};color:white;padding:4px 8px;'
        f'border-radius:4px;font-weight:bold">{title} · {escape(client.label)} — {note}</div>'
    )


def message_html(text: str, kind: str = "info") -> str:
    colour = {"info": "#57606a", "ok": "#1a7f37", "error": "#cf222e", "warn": "#9a6700"}[kind]
    return f'<div class="adobe-orders-msg {kind}" style="color:{colour}">{text}</div>'


def bullet_list(items: list[str]) -> str:
    return "<ul style='margin:0'>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"
