"""This package's frames, displayed in a notebook: blanks for missing values, reasons whole.

``ao.validate_updates(updates)`` or ``ao.history()`` as the last line of a cell is what the README
shows, and pandas' own display printed ``None`` and ``<NA>`` in hundreds of cells and cut every
reason at 50 characters. A text/html formatter for DataFrames fixes the display only: the frame
keeps its values (``isna()`` still works).

Only frames this package returned are displayed so: each is marked in ``attrs`` (``mark_own``), and a
frame derived from one keeps the mark, as pandas carries ``attrs`` on. A frame the user built —
whatever its columns — is displayed by pandas exactly as always. Importing the package installs
nothing: the formatter is installed when the package first returns a frame in a running kernel.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: The ``attrs`` key that marks a frame this package made.
MARK = "adobe_orders"
#: Any one of these columns holds values worth the blank-cell display (results, history, orders, matches).
OWN_COLUMNS = frozenset({"previous_value", "target_value", "external_reference_id", "problem", "source_row",
                         "current_reference"})


def mark_own(frame: pd.DataFrame) -> pd.DataFrame:
    """Mark ``frame`` as this package's (it is displayed with blanks), and install the formatter if
    a kernel runs. Returns the same frame."""
    frame.attrs[MARK] = True
    register()
    return frame


def is_own_frame(frame: Any) -> bool:
    return bool(frame.attrs.get(MARK)) and bool(OWN_COLUMNS & {str(c) for c in frame.columns})


def frame_html(frame: Any) -> str | None:
    """pandas' own HTML, with missing values blank and text whole, for this package's frames."""
    if not is_own_frame(frame):
        return frame._repr_html_()
    import pandas as pd  # loaded already: ``frame`` is a DataFrame

    shown = frame.astype(object).where(frame.notna(), "")
    with pd.option_context("display.max_colwidth", None):
        return shown._repr_html_()


def register() -> None:
    """Install the formatter in the running IPython kernel, if there is one (idempotent; never imports IPython)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return
    import pandas as pd  # loaded already by the code that made the frame

    shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, frame_html)
