"""The grid widget: itables' ``ITable``, with its JavaScript stored once per notebook instead of once per grid.

Why: anywidget keeps a widget's JavaScript and CSS in the widget's own state, and a notebook saves every
widget's state. itables' module is about 600 KB and its CSS 100 KB, so each grid added about 750 KB: the
executed example notebooks saved at 4.8 and 5.7 MB. Here one ``GridCode`` model holds that code for the
kernel's lifetime; each ``Grid`` carries a loader of a few lines (``grid_loader.js``) that imports it
once per page. The live grid is itables' own, unchanged; a saved notebook keeps one copy of the code.
"""

from __future__ import annotations

from pathlib import Path

import ipywidgets as w
import traitlets
from itables.widget import ITable

LOADER = Path(__file__).resolve().parent / "grid_loader.js"


class GridCode(w.Widget):
    """itables' JavaScript module and CSS, once per kernel; no view of its own."""

    esm = traitlets.Unicode().tag(sync=True)
    css = traitlets.Unicode().tag(sync=True)


_code: GridCode | None = None


def grid_code() -> GridCode:
    """The kernel's one GridCode (made on first use, kept for the kernel's lifetime)."""
    global _code
    if _code is None or _code.comm is None:  # closed (Widget.close_all) or never made
        _code = GridCode(esm=str(ITable._esm), css=str(ITable._css))
    return _code


class Grid(ITable):
    """An ``ITable`` whose code lives in the shared :class:`GridCode`."""

    _esm = LOADER
    _css = ""  # type: ignore[assignment]  # the CSS comes with the code, once
    _code = traitlets.Instance(GridCode).tag(sync=True, **w.widget_serialization)

    @traitlets.default("_code")
    def _default_code(self) -> GridCode:
        return grid_code()


__all__ = ["Grid", "GridCode", "grid_code"]
