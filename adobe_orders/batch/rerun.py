"""Run a journaled batch again: ``resume`` finishes it from the journal alone, ``retry_failed`` re-runs its
failed rows as a child batch. Both build the plan from the journal — rows known by ``(batch_id,
batch_row)``, never by their position in some frame — and hand it to the engine."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..client import OrdersClient
from ..connection import connect
from ..errors import BatchMismatch, ColumnError
from ..journal import JournalBackend, Record
from .apply import finish
from .columns import CUSTOMER, ORDER, VALUE, resolve_columns, user_columns
from .engine import execute
from .plan import Plan, PlanRow, RunOptions, RunSettings, label_of, text
from .preflight import (
    check_batch_id,
    check_binding,
    new_batch_id,
    open_journal,
    refuse_if_undone,
    require_confirmation,
    root_of,
)
from .schema import RowStatus, row_name
from .validate import check_rows

if TYPE_CHECKING:
    from typing_extensions import Unpack  # type checkers only: typing has it from Python 3.12


def require_batch(book: JournalBackend, batch_id: str) -> Record:
    batch = book.batch(batch_id)
    if batch is None:
        if book.legacy_batch(batch_id):
            raise KeyError(f"Batch {batch_id!r} was recorded in {book.location} by an earlier version of adobe-orders, "
                           "whose journal rows have no identity or API binding; it cannot be resumed or undone "
                           "safely by this version. Its rows are still in the file's 'rows' table.")
        raise KeyError(f"No batch {batch_id!r} in the journal {book.location} (a run that had nothing to send, "
                       "or a dry run, journals no batch). Recent batches: "
                       f"{', '.join(book.recent()) or 'none'}.")
    return batch


def frame_from_rows(batch: Record, rows: Sequence[Record], values: list[str | None]) -> pd.DataFrame:
    """The three update columns under the batch's own headers, indexed by the rows' own labels."""
    names = json.loads(batch["columns_json"])
    labels = [json.loads(r["label_json"]) for r in rows]
    index = pd.Index(labels, name=batch["index_name"], dtype=object if not labels else None)
    return pd.DataFrame({names[CUSTOMER]: [r["customer_id"] for r in rows],
                         names[ORDER]: [r["order_id"] for r in rows], names[VALUE]: values},
                        index=index, dtype=object)


def _plan_row(r: Record) -> PlanRow:
    status = RowStatus.READY if r["status"] not in (RowStatus.INVALID, RowStatus.DUPLICATE,
                                                     RowStatus.SKIPPED) else RowStatus(r["status"])
    expected = None if r["expected_json"] is None else tuple(json.loads(r["expected_json"]))
    source = None if r["source_batch"] is None else (r["source_batch"], int(r["source_row"]))
    return PlanRow(r["batch_row"], r["label"], r["label_json"], r["customer_id"], r["order_id"], r["target"],
                   status, r["reason"] if status != RowStatus.READY else None, expected, r["previous"],
                   bool(r["sent"]) or r["previous"] is not None, source)


def run_stored(book: JournalBackend, batch_id: str, client: OrdersClient, options: RunOptions) -> pd.DataFrame:
    """Run (or finish) a batch exactly as the journal holds it."""
    batch = require_batch(book, batch_id)
    rows = list(book.rows(batch_id).values())
    plan = Plan(batch_id, batch["kind"], batch["parent_batch"], tuple(_plan_row(r) for r in rows),
                json.loads(batch["columns_json"]), batch["index_name"])
    inputs = frame_from_rows(batch, rows, [r["target"] for r in rows])
    return finish(inputs, plan, execute(plan, client, options, book), client, dry_run=False, journal=book)


def resume(batch_id: str, client: OrdersClient | None = None, *, journal: JournalBackend | str | None = None,
           confirm: bool = False, **run: Unpack[RunSettings]) -> pd.DataFrame:
    """Finish an interrupted batch from the journal alone (no need for the original file).

    Refused before anything is sent if the batch ran against another API than ``client``'s, or is
    still running elsewhere. ``run``: as ``apply_updates`` takes it (``RunSettings``).
    """
    options = RunOptions(**run)
    client = client or connect()
    book = open_journal(journal, client)
    batch = require_batch(book, batch_id)
    check_binding(book, batch_id, client, "resume")
    require_confirmation(client, batch["row_count"], dry_run=False, confirm=confirm, what="change up to")
    return run_stored(book, batch_id, client, options)


# -- identity of results rows ---------------------------------------------------------------------------
def _identities(results: pd.DataFrame, mask: np.ndarray) -> list[tuple[str, int]]:
    """(batch_id, batch_row) of the masked rows; refused when a row has none (not from a batch)."""
    if "batch_id" not in results.columns or "batch_row" not in results.columns:
        raise ColumnError("These results have no batch_id / batch_row columns, so their rows cannot be found in "
                          "the journal. Pass the frame apply_updates returned (or its export read back).")
    found = []
    for label, batch, row in zip(results.index[mask], results["batch_id"][mask], results["batch_row"][mask],
                                 strict=True):
        if text(batch) is None or text(row) is None:
            raise ColumnError(f"Row {label!r} has no batch_id / batch_row (a dry run or a validation result?): "
                              "it cannot be matched to a journaled row. Nothing was sent.")
        found.append((str(batch), int(float(str(row)))))
    return found


def retry_failed(results: pd.DataFrame, client: OrdersClient | None = None, *,
                 journal: JournalBackend | str | None = None, batch_id: str | None = None, confirm: bool = False,
                 **run: Unpack[RunSettings]) -> pd.DataFrame:
    """Re-run the ``failed`` rows of ``results`` as a new batch, a child of theirs; the other rows come
    back as they were.

    Rows are matched to the journal by ``(batch_id, batch_row)``, so any subset, filter, order or
    re-read export of a results frame works. Where the journal knows the value an order held before
    an earlier PATCH was tried, the retry starts from that value, so undoing the batch (with its
    retries) restores what was there originally. ``run``: as ``apply_updates`` takes it (``RunSettings``).
    """
    options = RunOptions(**run)
    failed = (results["status"].astype(str) == RowStatus.FAILED).to_numpy()
    if not failed.any():
        return results.copy()
    client = client or connect()
    book = open_journal(journal, client)
    ids = _identities(results, failed)
    inputs_all = user_columns(results)
    sources: dict[str, Any] = {}
    for parent in dict.fromkeys(b for b, _ in ids):
        require_batch(book, parent)
        check_binding(book, parent, client, "retry")
        refuse_if_undone(book, parent, "retry")
        sources[parent] = book.rows(parent)
    one_lineage(book, [b for b, _ in ids], "retry")
    parent_batch = book.batch(ids[0][0])
    assert parent_batch is not None
    names = resolve_columns(inputs_all, json.loads(parent_batch["columns_json"])
                            if all(c in inputs_all.columns for c in json.loads(parent_batch["columns_json"]).values())
                            else None)
    inputs = inputs_all[failed]
    require_confirmation(client, len(inputs), dry_run=False, confirm=confirm, what="change up to")
    checked = check_rows(inputs, names)
    rows = []
    for i, (label, (parent, parent_row)) in enumerate(zip(inputs.index, ids, strict=True)):
        source = sources[parent].get(parent_row)
        here = row_name(inputs.index, label).capitalize()
        if source is None:
            raise BatchMismatch(f"{here} names row {parent_row} of batch {parent}, which the journal {book.location} "
                                "does not hold. Nothing was sent.")
        if (source["customer_id"], source["order_id"]) != (text(checked.customer[i]), text(checked.order[i])):
            raise BatchMismatch(
                f"{here} says it is row {parent_row} of batch {parent}, but that row is order {source['order_id']} "
                f"of customer {source['customer_id']}, not {checked.order[i]} of {checked.customer[i]}. "
                "Nothing was sent; keep the batch_id and batch_row columns with their rows.")
        _, encoded = label_of(inputs.index, label)
        known = bool(source["sent"]) or source["status"] == RowStatus.UPDATED
        rows.append(PlanRow(i, source["label"], encoded, text(checked.customer[i]), text(checked.order[i]),
                            text(checked.value[i]), RowStatus(checked.status[i]), checked.reason[i],
                            previous=source["previous"] if known else None, previous_known=known,
                            source=(parent, parent_row)))
    parents = list(dict.fromkeys(b for b, _ in ids))
    parent = parents[-1] if len(parents) == 1 else root_of(book, parents[0])
    plan = Plan(check_batch_id(batch_id) if batch_id else new_batch_id(), "retry", parent,
                tuple(rows), dict(names), None if inputs.index.name is None else str(inputs.index.name))
    again = finish(inputs, plan, execute(plan, client, options, book), client, dry_run=False, journal=book)
    out = results.copy()
    for column in again.columns:
        if column in inputs.columns:
            continue
        if column not in out.columns:
            out[column] = None
        if out[column].dtype != again[column].dtype:
            out[column] = out[column].astype(object)
        out.loc[failed, column] = again[column].to_numpy()
    out.attrs.update(again.attrs)
    return out


def one_lineage(book: JournalBackend, batch_ids: list[str], doing: str) -> None:
    """Rows of several unrelated batches (``pd.concat`` of two results) cannot be one retry or one
    undo: each belongs to its own batch's lineage, and undo finds changes through that lineage."""
    roots = list(dict.fromkeys(root_of(book, b) for b in dict.fromkeys(batch_ids)))
    if len(roots) > 1:
        raise BatchMismatch(f"These results hold rows of {len(roots)} separate batches ({', '.join(roots)}); "
                            f"{doing} them one batch at a time (filter on batch_id). Nothing was sent.")


__all__ = ["frame_from_rows", "one_lineage", "require_batch", "resume", "retry_failed", "run_stored"]
