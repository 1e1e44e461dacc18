"""``adobe-orders app``: the widgets as one web page, for colleagues who don't write Python.

Voilà (Jupyter's own way to turn widgets into an app: no code cells shown) runs ``app.ipynb``
from this folder, whose one cell calls :func:`build_app`. The page holds the update form, the
batch panel and, where this version has it, the order browser, each with the environment
banner and the production confirmation of the notebook widgets. It listens on 127.0.0.1 only, behind a
token, a Host check and same-origin websockets (``server``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import ipywidgets as w

from ..connection import connect
from ..widgets import BatchUpdatePanel, OrderBrowser, UpdateOrderForm
from ..widgets.common import environment_banner, stylesheet

NOTEBOOK = Path(__file__).resolve().parent / "app.ipynb"
#: The folder the CLI was started in: the app's journal, results and .env belong there, not here.
WORKDIR_ENV = "ADOBE_ORDERS_APP_WORKDIR"


def build_app(client: Any = None) -> w.VBox:
    """The page: a title, then one tab per job (one order, a batch, finding orders)."""
    workdir = os.environ.get(WORKDIR_ENV)
    if workdir:
        os.chdir(workdir)
    client = client or connect(announce=False)  # the page's banner says which API it talks to
    pages: list[tuple[str, w.Widget]] = [("Batch from a file", BatchUpdatePanel(client)),
                                         ("One order", UpdateOrderForm(client)), ("Find orders", OrderBrowser(client))]
    tabs = w.Tab(children=[page for _, page in pages], titles=tuple(title for title, _ in pages))
    title = w.HTML("<h2 style='margin:4px 0'>Adobe order references</h2>"
                   "<div>Change the externalReferenceId (PO number) of Adobe VIP Marketplace orders: "
                   "a whole file at once, or one order.</div>")
    # one banner for the page: the tabs' own banners would repeat it
    hide_inner = w.HTML("<style>.ao-app .widget-tab .adobe-orders-env { display: none; }</style>",
                        layout=w.Layout(height="0px", margin="0"))
    app = w.VBox([stylesheet(), hide_inner, environment_banner(client), title, tabs],
                 layout=w.Layout(max_width="1200px", margin="0 auto", padding="8px"))
    app.add_class("adobe-orders")
    app.add_class("ao-app")
    return app


__all__ = ["NOTEBOOK", "WORKDIR_ENV", "build_app"]
