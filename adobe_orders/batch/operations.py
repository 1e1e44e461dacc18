"""What comes after a batch: resume it, retry its failures, undo it (with its retries), read the journal.

Each builds a plan from the journal — rows known by ``(batch_id, batch_row)``, never by their
position in some frame — and hands it to the engine (``engine.execute``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..client import OrdersClient
from ..connection import connect
from ..errors import BatchBusy, BatchMismatch, ColumnError, UsageError, type_name
from ..frame_display import mark_own
from ..models import Order, line_items_frame
from .bookkeeping import stored_result
from .checks import check_rows
from .columns import CUSTOMER, ORDER, VALUE, resolve_columns, user_columns
from .engine import execute
from .journal import Record
from .journal_backends import JournalBackend, open_journal_at
from .outcome import RowResult, results_frame
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
from .runner import finish, run_frame
from .schema import FINAL, RESULT_COLUMNS, RowStatus, row_name

if TYPE_CHECKING:
    from typing_extensions import Unpack  # type checkers only: typing has it from Python 3.12


def _require(book: JournalBackend, batch_id: str) -> Record:
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


def _frame_from_rows(batch: Record, rows: Sequence[Record], values: list[str | None]) -> pd.DataFrame:
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


def _run_stored(book: JournalBackend, batch_id: str, client: OrdersClient, options: RunOptions) -> pd.DataFrame:
    """Run (or finish) a batch exactly as the journal holds it."""
    batch = _require(book, batch_id)
    rows = list(book.rows(batch_id).values())
    plan = Plan(batch_id, batch["kind"], batch["parent_batch"], tuple(_plan_row(r) for r in rows),
                json.loads(batch["columns_json"]), batch["index_name"])
    inputs = _frame_from_rows(batch, rows, [r["target"] for r in rows])
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
    batch = _require(book, batch_id)
    check_binding(book, batch_id, client, "resume")
    require_confirmation(client, batch["row_count"], dry_run=False, confirm=confirm, what="change up to")
    return _run_stored(book, batch_id, client, options)


def update_one(client: OrdersClient, customer_id: object, order_id: object, value: object, *, kind: str,
               confirm: bool = False) -> pd.Series:
    """One journaled update (the form and the CLI): a batch of one row, so it can be undone too."""
    frame = pd.DataFrame({CUSTOMER: [customer_id], ORDER: [order_id], VALUE: [value]}, dtype=object)
    return run_frame(frame, client, kind=kind, columns=None, batch_id=None, dry_run=False, confirm=confirm,
                     journal=None, options=RunOptions(workers=1, progress=False)).iloc[0]


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
        _require(book, parent)
        check_binding(book, parent, client, "retry")
        refuse_if_undone(book, parent, "retry")
        sources[parent] = book.rows(parent)
    _one_lineage(book, [b for b, _ in ids], "retry")
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


# -- lineage and undo -----------------------------------------------------------------------------------
def lineage(book: JournalBackend, batch_id: str) -> list[Record]:
    """The batch and every retry descending from it, oldest first."""
    found = [_require(book, batch_id)]
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
        _one_lineage(book, [str(b) for b in batch["batch_id"] if text(b) is not None], "undo")
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
        return _run_stored(book, undo_id, client, options)
    rows = _undo_rows(book, batches)
    require_confirmation(client, len(rows), dry_run=False, confirm=confirm, what="restore up to")
    root_batch = batches[0]
    plan = Plan(undo_id, "undo", root, tuple(rows), json.loads(root_batch["columns_json"]), root_batch["index_name"])
    inputs = _frame_from_rows(root_batch, [{"label_json": r.label_json, "customer_id": r.customer_id,
                                            "order_id": r.order_id} for r in rows], [r.target for r in rows])
    return finish(inputs, plan, execute(plan, client, options, book), client, dry_run=False, journal=book)


def _one_lineage(book: JournalBackend, batch_ids: list[str], doing: str) -> None:
    """Rows of several unrelated batches (``pd.concat`` of two results) cannot be one retry or one
    undo: each belongs to its own batch's lineage, and undo finds changes through that lineage."""
    roots = list(dict.fromkeys(root_of(book, b) for b in dict.fromkeys(batch_ids)))
    if len(roots) > 1:
        raise BatchMismatch(f"These results hold rows of {len(roots)} separate batches ({', '.join(roots)}); "
                            f"{doing} them one batch at a time (filter on batch_id). Nothing was sent.")


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
    inputs = _frame_from_rows(undo_batch, stored, [r["target"] for r in stored])
    out = results_frame(inputs, results, batch_id=undo_batch["batch_id"], batch_rows=[r["batch_row"] for r in stored])
    out.attrs.update(batch_id=undo_batch["batch_id"], kind="undo", parent_batch=undo_batch["parent_batch"],
                     environment=client.label, dry_run=False, stopped=None, interrupted=False,
                     already_undone=undo_batch["batch_id"], journal=book.location,
                     id_columns=[inputs.columns[0], inputs.columns[1]])
    return out


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
