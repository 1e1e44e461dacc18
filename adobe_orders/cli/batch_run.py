"""The terminal's side of running a batch (``apply``, ``undo``): before, during and after it.

Before: the results file must be writable, or the batch's record would be lost. During: Ctrl-C stops
the batch instead of killing the process. After: one summary and one exit code, read from the results.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import AdobeOrdersError
from .exit_codes import EXIT_INTERRUPTED, EXIT_NOTHING, EXIT_OK, EXIT_ROWS

if TYPE_CHECKING:  # pandas loads only for the commands that need it
    import pandas as pd


def check_writable(out: str) -> None:
    """Before anything is sent: a results file that cannot be written would lose the batch's record."""
    path = Path(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        existed = path.exists()
        with path.open("a", encoding="utf-8"):
            pass
        if not existed:
            path.unlink()
    except OSError as exc:
        raise AdobeOrdersError(f"Cannot write the results file {out} ({exc.strerror or exc}); choose another "
                               "--out. Nothing was sent.") from None


def interrupts_stop_the_batch() -> threading.Event:
    """From here on, Ctrl-C stops the batch instead of killing the process: before it starts (no row
    is sent), while it runs (the engine's own handler: no new request, in-flight ones finish), and
    after (the results file and the summary are always written)."""
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    return stop


def summary_text(results: pd.DataFrame) -> str:
    """Counts, then each row that needs attention, named as everywhere else (``line 22``)."""
    from ..batch.report import attention_lines, counts_text

    return "\n".join([counts_text(results) or "no rows", *attention_lines(results)])


def exit_code(results: pd.DataFrame) -> int:
    """The batch's outcome as one number (``EXIT_CODES``): a script tells "done" from "needs a person" by it."""
    from ..batch.report import unfilled_rows
    from ..batch.schema import NEEDS_ATTENTION, RowStatus

    # a row left blank is no problem (partly filled files are normal); a file with no value at all sends nothing
    statuses = set(results["status"].astype(str)[~unfilled_rows(results)])
    if results.attrs.get("interrupted"):
        return EXIT_INTERRUPTED
    if results.attrs.get("already_undone") or not statuses - {RowStatus.INVALID, RowStatus.DUPLICATE}:
        return EXIT_NOTHING
    return EXIT_ROWS if statuses & {s.value for s in NEEDS_ATTENTION} else EXIT_OK
