"""Bulk updates from a DataFrame: read, validate, apply, journal, resume, undo, export."""

from .checks import validate_updates
from .journal import Journal
from .operations import history, line_items, orders, resume, retry_failed, undo, update_one
from .reading import InputFileError, read_updates
from .report import ResultsReport, report
from .runner import BatchMismatch, ConfirmationRequired, apply_updates, new_batch_id

__all__ = [
           "BatchMismatch",
           "ConfirmationRequired",
           "InputFileError",
           "Journal",
           "ResultsReport",
           "apply_updates",
           "history",
           "line_items",
           "new_batch_id",
           "orders",
           "read_updates",
           "report",
           "resume",
           "retry_failed",
           "undo",
           "update_one",
           "validate_updates",
]
