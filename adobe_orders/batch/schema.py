"""The one vocabulary of a batch: row statuses, result columns, and how a row is named.

Every surface — ``validate_updates``, ``apply_updates``, ``retry_failed``, ``undo``, ``history``,
``report``, the form, the panel, the order browser and the CLI — speaks these words, so an analyst
who learns them once can read any of them. Result column names are chosen so that none of them is
a header the reader accepts for customer, order or value (``order`` and ``customer_id`` would be),
so a results export can be read back and applied again.
"""

from __future__ import annotations

from enum import StrEnum

import pandas as pd


class RowStatus(StrEnum):
    """What happened to one row. The values are what frames, files and the CLI show."""

    READY = "ready"                # validate_updates: valid, would be sent
    WOULD_UPDATE = "would_update"  # dry run: read, differs from the target
    UPDATED = "updated"            # Adobe holds the target now (undo: the previous value is restored)
    UNCHANGED = "unchanged"        # already at the target; nothing sent
    INVALID = "invalid"            # refused by validation; never sent
    DUPLICATE = "duplicate"        # an exact repeat of an earlier row of the same batch; not sent
    FAILED = "failed"              # sent (or tried) and not at the target; `reason` says why
    NOT_RUN = "not_run"            # the batch stopped (cancel, Ctrl-C, first failure, refused credentials,
    #                                journal problem) before this row was sent; resume runs it
    SKIPPED = "skipped"            # deliberately not sent because sending would be wrong (undo: the order was
    #                                changed since by someone else, or had no value before); `reason` says why


#: The reason of a row whose new value is blank: a partly filled file is normal, so the row is skipped
#: (nothing sent) and is no problem: it makes no exit code non-zero (``report.unfilled_rows``).
NO_NEW_VALUE = "no new value given"


#: Statuses after which a row is never sent again by resume (it is final for its batch).
FINAL = frozenset({RowStatus.UPDATED, RowStatus.UNCHANGED, RowStatus.INVALID, RowStatus.DUPLICATE,
                   RowStatus.SKIPPED})
#: Statuses that mean "an analyst should look at this row".
NEEDS_ATTENTION = frozenset({RowStatus.FAILED, RowStatus.INVALID, RowStatus.NOT_RUN, RowStatus.SKIPPED})

#: Result columns, in this order, appended after the input columns (which come back unchanged).
RESULT_COLUMNS: dict[str, str] = {
    "status": "a RowStatus value",
    "reason": "why a row is not `updated`/`unchanged`/`ready`, in plain words (blank otherwise)",
    "previous_value": "the externalReferenceId the order held before this batch (blank: none, or not read)",
    "target_value": "the value this row asks for, as cleaned and sent (surrounding spaces removed)",
    "current_value": "the externalReferenceId Adobe returned last (blank: not read)",
    "http_status": "HTTP status of the last answer (blank: no answer)",
    "error_code": "Adobe's error code, e.g. 2115",
    "attempts": "HTTP attempts for this row",
    "request_id": "X-Request-Id of the last attempt (for Adobe support)",
    "correlation_id": "X-Correlation-Id of the last attempt (for Adobe support)",
    "updated_at": "UTC time of the outcome (ISO-8601)",
    "batch_id": "the batch this row belongs to (blank: validation or dry run only)",
    "batch_row": "the row's identity within its batch (0-based position in the batch as started)",
    "order_json": "the order Adobe returned, compact JSON (expand with line_items()/orders())",
}
#: Added after RESULT_COLUMNS only when configured (ADOBE_VIPM_RECON_CUTOFF_DAY).
OPTIONAL_RESULT_COLUMNS: dict[str, str] = {
    "after_recon_cutoff": "True when the update landed after the configured reconciliation cut-off day",
}
#: Result columns holding whole numbers (nullable), the rest hold text.
INTEGER_COLUMNS = frozenset({"http_status", "attempts", "batch_row"})


def row_name(index: pd.Index, label: object) -> str:
    """How every surface names a row: ``line 22`` for file input, ``row <label>`` for frames.

    ``read_updates`` labels its rows with their spreadsheet line (header = line 1) and names the
    index ``line``, so a frame read from a file and the file itself agree.
    """
    return f"line {label}" if index.name == "line" else f"row {label}"


__all__ = ["FINAL", "INTEGER_COLUMNS", "NEEDS_ATTENTION", "NO_NEW_VALUE", "OPTIONAL_RESULT_COLUMNS",
           "RESULT_COLUMNS", "RowStatus", "row_name"]
