"""Undo a batch and its retries: every order back to the value it held before the first batch touched it,
run as a journaled batch of its own (so it is interruptible and resumable like any other)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from ..client import OrdersClient
from ..connection import connect
from ..errors import BatchBusy, BatchMismatch, ColumnError, UsageError, type_name
from ..journal import JournalBackend, Record
from .apply import finish
from .bookkeeping import stored_result
from .engine import execute
from .plan import Plan, PlanRow, RunOptions, RunSettings, text
from .preflight import (
    check_batch_id,
    check_binding,
    open_journal,
    require_confirmation,
    root_of,
)
from .rerun import frame_from_rows, one_lineage, require_batch, run_stored
from .results import RowResult, results_frame
from .schema import FINAL, RowStatus

if TYPE_CHECKING:
    from typing_extensions import Unpack  # type checkers only: typing has it from Python 3.12


# -- lineage and undo -----------------------------------------------------------------------------------
def lineage(book: JournalBackend, batch_id: str) -> list[Record]:
    """The batch and every retry descending from it, oldest first."""
    found = [require_batch(book, batch_id)]
    queue = [batch_id]
    while queue:
        for child in book.children(queue.pop()):
            if child["kind"] == "retry" and child["batch_id"] not in {b["batch_id"] for b in found}:
                found.append(child)
                queue.append(child["batch_id"])
    return sorted(found, key=lambda b: b["created_at"])


def _undo_rows(book: JournalBackend, batches: list[Record]) -> list[PlanRow]:
    """One row per order the lineage may have changed: restore the value it held before the first
    batch touched it, but only while it holds a value the lineage set."""
    per_order: dict[tuple[str, str], list[Record]] = {}
    for batch in batches:  # oldest first
        for r in book.rows(batch["batch_id"]).values():
            may_have_changed = r["status"] == RowStatus.UPDATED or bool(r["sent"])
            if may_have_changed:
                per_order.setdefault((r["customer_id"], r["order_id"]), []).append(r)
    rows = []
    for i, touched in enumerate(per_order.values()):
        first = touched[0]
        original = next((r["previous"] for r in touched if r["sent"] or r["previous"] is not None), None)
        expected = tuple(dict.fromkeys(r["target"] for r in reversed(touched)))  # newest first
        origin = _origin(book, first)
        if not original or not original.strip():  # None, "" or spaces: nothing a PATCH may put back, and
            # Adobe documents no way to clear the field
            rows.append(PlanRow(i, origin["label"], origin["label_json"], first["customer_id"], first["order_id"],
                                None, RowStatus.SKIPPED,
                                "Not restored: the order had no externalReferenceId before this batch, and Adobe "
                                "documents no way to clear it.", expected, source=(first["batch_id"],
                                                                                   first["batch_row"])))
            continue
        rows.append(PlanRow(i, origin["label"], origin["label_json"], first["customer_id"], first["order_id"],
                            original, expected=expected, source=(first["batch_id"], first["batch_row"])))
    return rows


def _origin(book: JournalBackend, row: Record) -> Record:
    """The row of the first batch a retried row continues, so undo names it as the user knows it."""
    current = row
    for _ in range(100):
        if current["source_batch"] is None:
            return current
        parent = book.rows(current["source_batch"]).get(current["source_row"])
        if parent is None:
            return current
        current = parent
    return current


def undo(batch: str | pd.DataFrame, client: OrdersClient | None = None, *, journal: JournalBackend | str | None = None,
         undo_batch_id: str | None = None, confirm: bool = False, **run: Unpack[RunSettings]) -> pd.DataFrame:
    """Restore every order a batch — and its retries — may have changed, as a journaled batch of its own.

    ``batch`` is a batch ID or a results frame (its batch, and the retries it carries). Every order
    ends at the value it held before the first batch touched it, including ``failed`` rows whose
    PATCH may have landed: the order is read first and restored only while it holds a value the
    batch set. A later change by someone else is reported (``skipped``), not overwritten; so is an
    order that had no value before (Adobe documents no way to clear it). Undoing an already-undone
    batch sends nothing and says so (``results.attrs["already_undone"]``). ``run``: as ``apply_updates``
    takes it (``RunSettings``).
    """
    if isinstance(batch, pd.DataFrame) and batch.empty and "batch_id" in batch.columns:
        # A run with nothing to send (the monthly job run again: every PO already set) journals no batch;
        # undoing its results, like undoing an empty selection of rows, has nothing to restore.
        nothing = batch.copy()
        nothing.attrs = {"batch_id": None, "kind": "undo", "dry_run": False, "nothing_to_undo": True}
        return nothing
    wanted = _batch_of(batch)  # a wrong argument is refused before a client or journal is opened
    options = RunOptions(**run)
    client = client or connect()
    book = open_journal(journal, client)
    root = root_of(book, wanted)
    if (root_batch := book.batch(root)) is not None and root_batch["kind"] == "undo":
        raise BatchMismatch(
            f"Batch {root} is an undo (of batch {root_batch['parent_batch']}). Undoing it would put that batch's "
            "values back while the batch stayed marked as undone, so a later undo would send nothing. Nothing was "
            "sent. To set those values again, apply them as a new batch (its results file works as input).")
    if isinstance(batch, pd.DataFrame):
        one_lineage(book, [str(b) for b in batch["batch_id"] if text(b) is not None], "undo")
    batches = lineage(book, root)
    for b in batches:
        check_binding(book, b["batch_id"], client, "undo")
        elsewhere = book.running_elsewhere(b["batch_id"])
        if elsewhere is not None:
            raise BatchBusy(f"Batch {b['batch_id']} is still running in {elsewhere}; undo it when it has finished "
                            "(or stopped). Nothing was sent.")
    undo_id = check_batch_id(undo_batch_id, undo=True) if undo_batch_id else f"undo-{root}"
    existing = book.batch(undo_id)
    if existing is not None:
        if existing["kind"] != "undo" or existing["parent_batch"] != root:
            raise BatchMismatch(f"Batch {undo_id} in the journal is not the undo of {root}; choose another "
                                "undo_batch_id. Nothing was sent.")
        stored = list(book.rows(undo_id).values())
        if all(r["status"] in FINAL for r in stored):
            return _already_undone(book, existing, stored, client)
        require_confirmation(client, len(stored), dry_run=False, confirm=confirm, what="restore up to")
        return run_stored(book, undo_id, client, options)
    rows = _undo_rows(book, batches)
    require_confirmation(client, len(rows), dry_run=False, confirm=confirm, what="restore up to")
    root_batch = batches[0]
    plan = Plan(undo_id, "undo", root, tuple(rows), json.loads(root_batch["columns_json"]), root_batch["index_name"])
    inputs = frame_from_rows(root_batch, [{"label_json": r.label_json, "customer_id": r.customer_id,
                                            "order_id": r.order_id} for r in rows], [r.target for r in rows])
    return finish(inputs, plan, execute(plan, client, options, book), client, dry_run=False, journal=book)


def _batch_of(batch: str | pd.DataFrame) -> str:
    if isinstance(batch, str):
        return batch
    if not isinstance(batch, pd.DataFrame):
        raise UsageError(f"undo() takes a batch ID (as apply printed it) or a results frame, not {type_name(batch)}.")
    if "batch_id" not in batch.columns:
        raise ColumnError("undo() takes a batch ID or a results frame with a batch_id column.")
    ids = [b for b in dict.fromkeys(batch["batch_id"]) if text(b) is not None]
    if not ids:
        raise ColumnError("These results carry no batch_id (a dry run?): there is nothing to undo.")
    return str(ids[0])


def _already_undone(book: JournalBackend, undo_batch: Record, stored: Sequence[Record],
                    client: OrdersClient) -> pd.DataFrame:
    when = undo_batch["created_at"][:19].replace("T", " ")
    results = [RowResult(RowStatus.SKIPPED, previous_value=r["previous"], target_value=r["target"],
                         reason=f"Already undone by batch {undo_batch['batch_id']} ({when} UTC, then "
                                f"{stored_result(r).status.value}); nothing was sent now.")
               for r in stored]
    inputs = frame_from_rows(undo_batch, stored, [r["target"] for r in stored])
    out = results_frame(inputs, results, batch_id=undo_batch["batch_id"], batch_rows=[r["batch_row"] for r in stored])
    out.attrs.update(batch_id=undo_batch["batch_id"], kind="undo", parent_batch=undo_batch["parent_batch"],
                     environment=client.label, dry_run=False, stopped=None, interrupted=False,
                     already_undone=undo_batch["batch_id"], journal=book.location,
                     id_columns=[inputs.columns[0], inputs.columns[1]])
    return out


__all__ = ["lineage", "undo"]
