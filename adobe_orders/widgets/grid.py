"""Tables an analyst can read: results, previews, history and orders as a real data grid.

The grid is itables' ``ITable`` widget (DataTables, via anywidget; ``grid_widget.Grid`` stores its
code once per notebook). Why it: its cells are real text in the page (screen readers, copy-paste and
browser tests read them; nothing is painted on a canvas), it sorts, searches and pages on its own, it
scrolls inside its own box, it follows JupyterLab's dark theme, and its JavaScript ships inside the
Python package (no CDN, works offline and in Voilà). The frame is turned into text first, so a missing
value is an empty cell (never ``None``, ``nan`` or ``<NA>``), and long reasons wrap whole instead of
being cut.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import pandas as pd

from ..errors import UsageError, type_name
from ..render import is_blank
from .common import stylesheet
from .grid_widget import Grid

#: Columns of sentences, shown wrapped (whole); everything else (IDs, codes such as no_match) never wraps.
WRAP_COLUMNS = ("reason", "error", "message", "note")
#: Columns left out of grids unless asked for: the whole order JSON belongs in line_items()/orders().
HIDDEN_COLUMNS = ("order_json", "order")
GRID_HEIGHT = "360px"
#: Above this, itables would sample rows; a results table must show every row, so it is generous.
MAX_BYTES = "8MB"

GRID_CSS = """
.dt-container { font-size: var(--jp-ui-font-size1, 13px); color: var(--jp-content-font-color1, inherit); }
table.dataTable td.ao-wrap { white-space: normal; min-width: 36em; max-width: 60em; }
table.dataTable tbody td { padding: 2px 8px; line-height: 1.35; }
"""


def _text(value: Any) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an HTTP status read back as 404.0
    return str(value)


def display_frame(frame: pd.DataFrame, *, columns: list[str] | None = None,
                  headers: dict[str, str] | None = None) -> pd.DataFrame:
    """``frame`` as text for display: blanks for missing values, whole values, no hidden columns.

    ``headers`` renames columns for the reader (``previous_value`` → "Before"); exports keep the API names.
    """
    keep = columns if columns is not None else [c for c in frame.columns if c not in HIDDEN_COLUMNS]
    shown = frame.loc[:, keep]
    cells: dict[str, list[str]] = {}
    if frame.index.name and frame.index.name not in shown.columns:  # the spreadsheet line: a column of its own
        cells[str(frame.index.name)] = [_text(v) for v in shown.index]
    cells.update({str(c): [_text(v) for v in shown[c].tolist()] for c in shown.columns})
    if headers:
        cells = {headers.get(name, name): values for name, values in cells.items()}
    return pd.DataFrame(cells, dtype=object)


def data_grid(frame: pd.DataFrame, *, columns: list[str] | None = None, caption: str | None = None,
              height: str = GRID_HEIGHT, headers: dict[str, str] | None = None) -> Any:
    """An ``ITable`` widget of ``frame`` (see the module docstring), or update-ready for ``grid.update``."""
    if not isinstance(frame, pd.DataFrame):
        raise UsageError(f"show() takes a DataFrame (results, a preview, history or orders), not {type_name(frame)}.")
    return Grid(display_frame(frame, columns=columns, headers=headers), caption=caption,
                  **grid_options(frame, columns, height))


def grid_options(frame: pd.DataFrame, columns: list[str] | None = None, height: str = GRID_HEIGHT) -> dict[str, Any]:
    keep = columns if columns is not None else [str(c) for c in frame.columns if c not in HIDDEN_COLUMNS]
    offset = 1 if frame.index.name and frame.index.name not in keep else 0  # the line column comes first
    wrap = [i + offset for i, c in enumerate(keep) if c in WRAP_COLUMNS]
    # every cell is text and sorts as text: IDs keep their zeros and their left alignment
    defs: list[dict[str, Any]] = [{"targets": "_all", "type": "string", "className": "dt-left"}]
    if wrap:
        defs.insert(0, {"targets": wrap, "className": "dt-left ao-wrap"})
    return dict(
        classes="display compact nowrap cell-border",
        style="table-layout:auto;width:auto;margin:0",
        scrollX=True, scrollY=height, scrollCollapse=True,
        paging=len(frame) > 500, pageLength=500, lengthMenu=[100, 500, 2000],
        columnDefs=defs, showIndex=False, maxBytes=MAX_BYTES, css=GRID_CSS,
        text_in_header_can_be_selected=False,
    )


def update_grid(grid: Any, frame: pd.DataFrame, *, columns: list[str] | None = None,
                height: str = GRID_HEIGHT, headers: dict[str, str] | None = None) -> None:
    """Show another frame in an existing grid (one grid per widget, never a pile of tables)."""
    grid.update(display_frame(frame, columns=columns, headers=headers), **grid_options(frame, columns, height))


def show(frame: pd.DataFrame, *, columns: list[str] | None = None, caption: str | None = None,
         height: str = GRID_HEIGHT) -> w.VBox:
    """Show a results, preview, history or orders frame as a sortable, searchable grid.

    Missing values are blank, reasons are whole, IDs keep their zeros and never wrap, and the
    grid scrolls inside its own box. ``order_json`` is left out (``line_items(results)`` and
    ``orders(results)`` show it as tables); name ``columns`` to choose.
    """
    box = w.VBox([stylesheet(), data_grid(frame, columns=columns, caption=caption, height=height)])
    box.add_class("adobe-orders")
    return box


__all__ = ["data_grid", "display_frame", "show", "update_grid"]
