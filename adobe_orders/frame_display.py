"""This package's frames, displayed in a notebook: blanks for missing values, reasons whole.

``ao.validate_updates(updates)`` or ``ao.history()`` as the last line of a cell is what the README
shows, and pandas' own display printed ``None`` and ``<NA>`` in hundreds of cells and cut every
reason at 50 characters. A text/html formatter for DataFrames fixes the display only: the frame
keeps its values (``isna()`` still works). It applies to frames with this package's columns
(results, history, orders, matches); every other frame is displayed by pandas as always.
"""

from __future__ import annotations

import sys
from typing import Any

#: Any one of these columns marks a frame this package made (results, history, orders, match problems/updates).
OWN_COLUMNS = frozenset({"previous_value", "target_value", "external_reference_id", "problem", "source_row",
                         "current_reference"})


def is_own_frame(frame: Any) -> bool:
    return bool(OWN_COLUMNS & {str(c) for c in frame.columns})


def frame_html(frame: Any) -> str | None:
    """pandas' own HTML, with missing values blank and text whole, for this package's frames."""
    import pandas as pd

    if not is_own_frame(frame):
        return frame._repr_html_()
    shown = frame.astype(object).where(frame.notna(), "")
    with pd.option_context("display.max_colwidth", None):
        return shown._repr_html_()


def register() -> None:
    """Install the formatter in the running IPython kernel, if there is one (idempotent; never imports IPython)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return
    import pandas as pd  # already loaded by the modules that call this

    shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, frame_html)
