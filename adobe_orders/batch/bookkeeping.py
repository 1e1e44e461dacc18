"""What a run writes to and reads back from the journal: a batch recorded (or picked up again) before
its first request, each row's outcome after it, and a journaled row as the result it recorded.

This is what makes a batch resumable: a row the journal holds as final is not sent again, and a row
whose PATCH may have gone out keeps the previous value journaled before it was sent.
"""

from __future__ import annotations

import json
from dataclasses import replace

from ..client import OrdersClient
from ..errors import BatchMismatch
from ..journal import PENDING, QUEUED, JournalBackend, Record, utc_now
from .plan import Plan, PlanRow
from .preflight import binding_of, check_binding, refuse_if_undone
from .results import RowResult
from .run_state import Job, Run
from .schema import FINAL, RowStatus


def start_or_resume(journal: JournalBackend, plan: Plan, client: OrdersClient,
                     results: list[RowResult | None]) -> list[PlanRow]:
    """Record a new batch, or pick up an existing one: rows it holds as final are not sent again, and
    rows whose PATCH may have gone out keep their journaled previous value and are read first."""
    records = [dict(batch_row=r.batch_row, label=r.label, label_json=r.label_json, customer_id=r.customer_id,
                    order_id=r.order_id, target=r.target,
                    expected_json=None if r.expected is None else json.dumps(list(r.expected)),
                    previous=r.previous if r.previous_known else None,
                    status=QUEUED if r.status == RowStatus.READY else r.status.value, reason=r.reason,
                    source_batch=r.source[0] if r.source else None, source_row=r.source[1] if r.source else None)
               for r in plan.rows]
    if journal.start_batch(plan.batch_id, kind=plan.kind, parent=plan.parent, binding=binding_of(client),
                           fp=plan.fingerprint(), columns=plan.columns, index_name=plan.index_name, rows=records):
        return list(plan.rows)
    check_binding(journal, plan.batch_id, client, "resume")
    if plan.kind != "undo":
        refuse_if_undone(journal, plan.batch_id, "resume")
    existing = journal.batch(plan.batch_id)
    assert existing is not None
    if existing["fingerprint"] != plan.fingerprint():
        raise BatchMismatch(
            f"Batch {plan.batch_id} in the journal {journal.location} holds other rows than these; nothing was sent. "
            "Use a new batch ID (or none) for new data, or resume() to finish the journaled batch as it was.")
    rows = list(plan.rows)
    stored = journal.rows(plan.batch_id)
    for position, row in enumerate(rows):
        got = stored.get(row.batch_row)
        if got is None:
            continue
        if got["status"] in FINAL:
            results[position] = stored_result(got)
        elif got["sent"] or got["status"] == PENDING:
            rows[position] = replace(row, previous=got["previous"], previous_known=True)
    return rows


def stored_result(got: Record) -> RowResult:
    """A journal row as the result it recorded (the order itself is not kept in the journal)."""
    status = got["status"]
    if status == PENDING:
        return RowResult(RowStatus.FAILED, previous_value=got["previous"], target_value=got["target"],
                         updated_at=got["updated_at"],
                         reason="The run stopped while this change was being sent; it may have landed. Resume the "
                                "batch to read the order and finish it.")
    if status == QUEUED:
        return RowResult(RowStatus.NOT_RUN, target_value=got["target"], reason=got["reason"] or "Not run yet.")
    return RowResult(RowStatus(status), reason=got["reason"], previous_value=got["previous"],
                     target_value=got["target"] if status != RowStatus.INVALID else None,
                     current_value=got["current_value"], http_status=got["http_status"],
                     error_code=got["error_code"], attempts=got["attempts"], request_id=got["request_id"],
                     correlation_id=got["correlation_id"], updated_at=got["updated_at"])


def journal_outcome(run: Run, job: Job, result: RowResult) -> None:
    """The row's outcome, written only while this run holds the batch: a run displaced meanwhile
    writes nothing more (the row stays as the run that took over will find it) and stops."""
    if run.journal is None or run.closed or run.lease is None:
        return  # a dry run; or a row still in flight after the results were returned: it stays pending
    status = result.status.value
    if result.status == RowStatus.NOT_RUN:
        status = QUEUED  # resume runs it
    if not run.journal.record(run.lease.fence, job.row.batch_row, status=status, reason=result.reason,
                              previous=result.previous_value, current=result.current_value,
                              http_status=result.http_status, error_code=result.error_code,
                              attempts=result.attempts, request_id=result.request_id,
                              correlation_id=result.correlation_id, updated_at=result.updated_at or utc_now()):
        run.lease_lost()
