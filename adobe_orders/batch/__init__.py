"""Bulk updates from a DataFrame: read, validate, apply, journal, resume, retry, undo, export.

The package's public surface is ``__all__`` below; every other name is internal to ``batch``. Where each
job lives: reading a file (``reading``, ``csv_quotes``), which column is which (``columns``), the words
of a batch (``schema``), checking rows (``validate``); the entry points ``apply``, ``rerun`` (resume and
retry), ``undo``, ``history`` and ``report``; the engine they share (``plan``, ``preflight``, ``engine``,
``run_state``, ``row_update``, ``bulk_reads``, ``bookkeeping``, ``results``). Every run writes to a
journal (``adobe_orders.journal``).
"""

from .apply import apply_updates
from .history import history, line_items, orders
from .reading import read_updates
from .report import ResultsReport, report
from .rerun import resume, retry_failed
from .schema import RESULT_COLUMNS, RowStatus
from .undo import undo
from .validate import validate_updates

__all__ = [
    "RESULT_COLUMNS",
    "ResultsReport",
    "RowStatus",
    "apply_updates",
    "history",
    "line_items",
    "orders",
    "read_updates",
    "report",
    "resume",
    "retry_failed",
    "undo",
    "validate_updates",
]
