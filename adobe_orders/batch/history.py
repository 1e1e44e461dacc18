"""What the journal and a results frame tell afterwards: ``history`` (every journaled row, or one
order's changes), and the orders and line items a results or orders frame returned."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import ColumnError, UsageError, type_name
from ..frame_display import mark_own
from ..journal import JournalBackend, open_journal_at
from ..models import Order, line_items_frame
from .bookkeeping import stored_result
from .schema import RESULT_COLUMNS

if TYPE_CHECKING:
    pass  # type checkers only: typing has it from Python 3.12


# -- reading the journal --------------------------------------------------------------------------------
HISTORY_COLUMNS = ["batch_id", "kind", "parent_batch", "environment", "base_url", "created_at", "who", "host",
                   "batch_row", "row", "customer_id", "order_id", "status", "reason", "previous_value", "target_value",
                   "current_value", "http_status", "error_code", "attempts", "request_id", "correlation_id",
                   "updated_at"]


def history(journal: JournalBackend | str | None = None, *, order: str | None = None,
            customer: str | None = None) -> pd.DataFrame:
    """Every journaled row, oldest batch first: what was there before, what was set, by which batch,
    who ran it (the database user on the team journal, the OS user on a file) and from which host.

    With ``order`` (and optionally ``customer``): every change to that one order the journal holds —
    the whole team's, on the team journal — newest first. Needs no credentials. ``parent_batch`` is
    the lineage (a retry names the batch it retried, an undo the batch it undid);
    ``attrs["journal"]`` says which journal was read (a URL's password masked).
    """
    book = journal if journal is not None and not isinstance(journal, str) else open_journal_at(journal)
    if order is not None:
        found = book.order_history(str(order).strip(), None if customer is None else str(customer).strip())
    else:
        found = book.history()
    records = []
    for r in found:
        shown = stored_result(r) if r["status"] in ("queued", "pending") else None
        records.append({
            "batch_id": r["batch_id"], "kind": r["kind"], "parent_batch": r["parent_batch"],
            "environment": r["environment"], "base_url": r["base_url"], "created_at": r["created_at"],
            "who": r["who"], "host": r["host"],
            "batch_row": r["batch_row"], "row": r["label"], "customer_id": r["customer_id"],
            "order_id": r["order_id"], "status": shown.status.value if shown else r["status"],
            "reason": shown.reason if shown else r["reason"], "previous_value": r["previous"],
            "target_value": r["target"], "current_value": r["current_value"], "http_status": r["http_status"],
            "error_code": r["error_code"], "attempts": r["attempts"], "request_id": r["request_id"],
            "correlation_id": r["correlation_id"], "updated_at": r["updated_at"]})
    frame = pd.DataFrame(records, columns=HISTORY_COLUMNS, dtype=object)
    for name in ("batch_row", "http_status", "attempts"):
        frame[name] = pd.array(frame[name].tolist(), dtype="Int64")
    frame.attrs["journal"] = book.location
    if order is not None:
        frame.attrs["order"] = str(order).strip()
    return mark_own(frame)


def _order_json(results: pd.DataFrame) -> pd.Series:
    """The returned-order JSON column: ``order_json`` (results and fetch_orders frames), or ``order``."""
    if not isinstance(results, pd.DataFrame):
        raise UsageError(f"Expected a results frame or a fetch_orders frame, not {type_name(results)}.")
    for name in ("order_json", "order"):
        if name in results.columns:
            return results[name]
    raise ColumnError("The frame has no order_json column: pass a results frame or a fetch_orders frame "
                      f"(result columns: {', '.join(RESULT_COLUMNS)}).")


def orders(results: pd.DataFrame) -> pd.DataFrame:
    """One row per returned order: its header fields."""
    found = [Order.from_api(json.loads(j)).header() for j in _order_json(results) if isinstance(j, str) and j]
    return mark_own(pd.DataFrame(found, dtype=object))


def line_items(results: pd.DataFrame) -> pd.DataFrame:
    """One row per returned line item, with customer and order IDs attached (results or fetch_orders frames)."""
    return mark_own(line_items_frame([Order.from_api(json.loads(j)) for j in _order_json(results)
                                      if isinstance(j, str) and j]))


__all__ = ["HISTORY_COLUMNS", "history", "line_items", "orders"]
