"""Bulk updates from a DataFrame: read, validate, apply, journal, resume, retry, undo, export."""

from ..errors import (
    ApiMismatch,
    BatchBusy,
    BatchMismatch,
    ColumnError,
    ConfirmationRequired,
    InputFileError,
    JournalError,
)
from .checks import validate_updates
from .journal import Journal
from .journal_copy import copy_journal
from .operations import history, line_items, orders, resume, retry_failed, undo, update_one
from .reading import read_updates
from .report import ResultsReport, report
from .runner import apply_updates, new_batch_id
from .schema import RESULT_COLUMNS, RowStatus, row_name

__all__ = [
    "RESULT_COLUMNS",
    "ApiMismatch",
    "BatchBusy",
    "BatchMismatch",
    "ColumnError",
    "ConfirmationRequired",
    "InputFileError",
    "Journal",
    "JournalError",
    "ResultsReport",
    "RowStatus",
    "apply_updates",
    "copy_journal",
    "history",
    "line_items",
    "new_batch_id",
    "orders",
    "read_updates",
    "report",
    "resume",
    "retry_failed",
    "row_name",
    "undo",
    "update_one",
    "validate_updates",
]
