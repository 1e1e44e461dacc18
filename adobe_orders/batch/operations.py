"""What comes after a batch: resume it, undo it, retry its failures, read the journal."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pandas as pd

from .columns import CUSTOMER, ORDER, VALUE
from .journal import Journal
from .runner import RESULT_COLUMNS, RowResult, _results_frame, apply_updates, new_batch_id

if TYPE_CHECKING:
    from ..client import OrdersClient


def _journal(journal: Journal | str | None, client: OrdersClient | None) -> Journal:
    """The journal named, else the client's setting, else ADOBE_VIPM_JOURNAL (.env included)."""
    if isinstance(journal, Journal):
        return journal
    if journal is None:
        from ..config import Settings

        journal = (client.settings if client is not None else Settings.from_env()).journal_path
    return Journal(journal)


def _require(book: Journal, batch_id: str) -> Any:
    batch = book.batch(batch_id)
    if batch is None:
        known = [r["batch_id"] for r in book.query(
            "SELECT batch_id FROM batches ORDER BY created_at DESC LIMIT 5")]
        raise KeyError(f"No batch {batch_id!r} in the journal {book.path}. Recent batches: "
                       f"{', '.join(known) or 'none'}.")
    return batch


def resume(batch_id: str, client: OrdersClient | None = None, *, journal: Journal | str | None = None,
           **options: Any) -> pd.DataFrame:
    """Finish an interrupted batch from the journal alone (no need for the original file)."""
    book = _journal(journal, client)
    batch = _require(book, batch_id)
    rows = book.rows(batch_id)
    frame = pd.DataFrame({CUSTOMER: [r["customer_id"] for r in rows.values()],
                          ORDER: [r["order_id"] for r in rows.values()],
                          VALUE: [r["target"] for r in rows.values()]}, dtype=object)
    return apply_updates(frame, client, batch_id=batch_id, journal=book, _kind=batch["kind"], **options)


def undo(batch_id: str, client: OrdersClient | None = None, *, journal: Journal | str | None = None,
         undo_batch_id: str | None = None, **options: Any) -> pd.DataFrame:
    """Restore every value the batch changed, as a journaled batch of its own.

    An order is restored only if it still holds the value this batch set: a later change by
    someone else is reported, not overwritten. Orders that had no value before are reported,
    because Adobe documents no way to clear the field.
    """
    from ..client import OrdersClient

    client = client or OrdersClient.from_env()
    book = _journal(journal, client)
    _require(book, batch_id)
    changed = [r for r in book.rows(batch_id).values() if r["status"] == "updated"]
    restorable = [r for r in changed if r["previous"]]
    frame = pd.DataFrame({CUSTOMER: [r["customer_id"] for r in restorable],
                          ORDER: [r["order_id"] for r in restorable],
                          VALUE: [r["previous"] for r in restorable]}, dtype=object)
    undo_id = undo_batch_id or f"undo-{batch_id}"
    results = apply_updates(frame, client, batch_id=undo_id, journal=book, _kind="undo", _parent=batch_id,
                            _expected=[r["target"] for r in restorable], **options)
    blank = [r for r in changed if not r["previous"]]
    if blank:
        extra = _results_frame(
            pd.DataFrame({CUSTOMER: [r["customer_id"] for r in blank], ORDER: [r["order_id"] for r in blank],
                          VALUE: [None] * len(blank)}, dtype=object),
            [RowResult("skipped", current=r["target"],
                       error="Not restored: the order had no externalReferenceId before this batch, and "
                             "Adobe documents no way to clear it.") for r in blank],
            undo_id, client)
        results = pd.concat([results, extra], ignore_index=True)
    return results


def update_one(client: OrdersClient, customer_id: object, order_id: object, value: object, *, kind: str,
               confirm: bool = False) -> pd.Series:
    """One journaled update (the form and the CLI): a batch of one row, so it can be undone too."""
    frame = pd.DataFrame({CUSTOMER: [customer_id], ORDER: [order_id], VALUE: [value]}, dtype=object)
    return apply_updates(frame, client, workers=1, progress=False, confirm=confirm, _kind=kind).iloc[0]


def retry_failed(results: pd.DataFrame, client: OrdersClient | None = None, **options: Any) -> pd.DataFrame:
    """Re-run only the failed rows (as a new batch); the other rows are returned as they were.

    Where the journal knows the value a failed row's order held before its PATCH was tried, the
    new batch starts from that value, so undoing the retry restores what was there originally.
    """
    failed = (results["status"] == "failed").to_numpy()
    if not failed.any():
        return results.copy()
    input_columns = [c for c in results.columns if c not in RESULT_COLUMNS]
    parent = str(results["batch_id"].iloc[0]) if "batch_id" in results else None
    known: dict[int, str | None] = {}
    if parent is not None:
        book = _journal(options.get("journal"), client)
        if book.batch(parent) is not None:
            rows = book.rows(parent)
            for new_pos, old_pos in enumerate(failed.nonzero()[0]):
                row = rows.get(int(old_pos))
                if row is not None and row["status"] == "failed" and row["previous"] is not None:
                    known[new_pos] = row["previous"]
    options.setdefault("batch_id", new_batch_id())
    again = apply_updates(results.loc[failed, input_columns], client, _kind="retry", _parent=parent,
                          _known_previous=known, **options)
    out = results.copy()
    for column in again.columns:
        if column not in out.columns:
            out[column] = None
        out[column] = out[column].astype(object)
        out.loc[failed, column] = again[column].astype(object).to_numpy()
    return out


def history(journal: Journal | str | None = None) -> pd.DataFrame:
    """Every journaled change, oldest batch first: what was there before, what was set, by which batch."""
    rows = _journal(journal, None).history()
    columns = ["batch_id", "kind", "parent_batch", "environment", "base_url", "created_at", "row", "customer_id",
               "order_id", "previous", "target", "status", "http_status", "error_code", "error", "attempts",
               "request_id", "correlation_id", "updated_at"]
    return pd.DataFrame([tuple(r) for r in rows], columns=columns, dtype=object)


def _order_json(results: pd.DataFrame) -> pd.Series:
    """The returned-order JSON column: ``order_json`` (results and fetch_orders frames), or ``order``."""
    for name in ("order_json", "order"):
        if name in results.columns:
            return results[name]
    raise KeyError("The frame has no order_json column: pass a results frame or a fetch_orders frame")


def orders(results: pd.DataFrame) -> pd.DataFrame:
    """One row per returned order: its header fields."""
    from ..models import Order

    found = [Order.from_api(json.loads(j)).header() for j in _order_json(results) if isinstance(j, str) and j]
    return pd.DataFrame(found, dtype=object)


def line_items(results: pd.DataFrame) -> pd.DataFrame:
    """One row per returned line item, with customer and order IDs attached (results or fetch_orders frames)."""
    from ..models import Order, line_items_frame

    return line_items_frame([Order.from_api(json.loads(j)) for j in _order_json(results) if isinstance(j, str) and j])
