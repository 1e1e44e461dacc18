"""One row of a run, start to end: read the order, leave it if already at its target, mark it pending
in the journal (only while this run owns the batch), PATCH, and turn what happened into the row's
result. When no answer came after the last retry, the order is read back, so ``updated`` is reported
exactly when the order really is at its target. An API problem is the row's outcome, never a raise.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from ..answers import Reply
from ..errors import (
    ApiError,
    AuthenticationError,
    JournalError,
    OrderBusy,
    PermissionDeniedError,
    TransportError,
    ValidationError,
)
from ..journal import utc_now
from .bulk_reads import reply_of
from .results import RowResult
from .run_state import Job, Run
from .schema import RowStatus


def refuses_credentials(exc: ApiError) -> bool:
    """A refused token (401) or API key (403 4115/4117): every further row would fail the same way."""
    return isinstance(exc, AuthenticationError) or (isinstance(exc, PermissionDeniedError) and exc.code != "4121")


def _failure(exc: ApiError | TransportError | ValidationError, **fields: Any) -> RowResult:
    if isinstance(exc, ApiError):
        return RowResult(RowStatus.FAILED, reason=str(exc), http_status=exc.status_code, error_code=exc.code,
                         attempts=exc.attempts, request_id=exc.request_id, correlation_id=exc.correlation_id,
                         updated_at=utc_now(), **fields)
    if isinstance(exc, TransportError):
        return RowResult(RowStatus.FAILED, reason=str(exc), attempts=exc.attempts, request_id=exc.request_id,
                         correlation_id=exc.correlation_id, updated_at=utc_now(), **fields)
    return RowResult(RowStatus.FAILED, reason=exc.message, updated_at=utc_now(), **fields)


def _api_failed(run: Run, job: Job, exc: ApiError | TransportError | ValidationError, **fields: Any) -> RowResult:
    if isinstance(exc, ApiError) and refuses_credentials(exc):
        run.stop(f"Not run: the batch stopped at {job.row.label}, where the credentials were refused, because "
                 f"every further row would fail the same way: {exc} Then {run.resume_hint}")
    return _failure(exc, target_value=job.row.target, **fields)


ORDER_WAIT_SECONDS = 15.0  # how long a row waits for another run to finish with its order
ORDER_POLL_SECONDS = 0.1


def process(run: Run, job: Job) -> RowResult:
    """One row, start to end. An API problem is this row's outcome; a bug propagates.

    One order, one run at a time: when another live run has the order pending, the row waits for
    it (briefly), then reads the order again — that run changed it — before its own pending mark. A
    row whose order another batch changed after it was read is read again too, so the previous value
    journaled is the one the order held just before this change. Still busy after the wait: the row
    is ``failed`` with the other batch and who runs it, and ``retry_failed`` sends it later."""
    reads, waited_until = 0, None
    while True:
        try:
            return _attempt(run, job, reads)
        except OrderBusy as busy:
            if not busy.changed:
                waited_until = waited_until or time.monotonic() + ORDER_WAIT_SECONDS
                if not _wait_for_order(run, job, waited_until):
                    known = job.row.previous if job.row.previous_known else None
                    if run.stopped:
                        return replace(run.not_run(), previous_value=known, target_value=job.row.target)
                    return RowResult(RowStatus.FAILED, previous_value=known, target_value=job.row.target,
                                     updated_at=utc_now(), reason=str(busy))
            reads += 1


def _wait_for_order(run: Run, job: Job, until: float) -> bool:
    """Wait while a live run has the order pending; False when still held at ``until`` (or stopped)."""
    assert run.journal is not None and job.row.customer_id is not None and job.row.order_id is not None
    while not run.stopped and time.monotonic() < until:
        try:
            if run.journal.claim_holder(job.row.customer_id, job.row.order_id) is None:
                return True
        except JournalError:
            return True  # the pending mark itself reports the journal's problem
        time.sleep(ORDER_POLL_SECONDS)
    return False


def _attempt(run: Run, job: Job, reads: int) -> RowResult:
    """One try at the row. ``reads`` > 0: the order changed hands since it was read, so it is read
    again with its own GET; from the third read on, a value no batch set (someone changed the order
    outside the journal) is taken as it is."""
    row, client = job.row, run.client
    assert row.customer_id is not None and row.order_id is not None and row.target is not None
    if run.stopped:
        return run.not_run()
    known = row.previous if row.previous_known else None
    if run.budget.remaining <= 0:
        return RowResult(RowStatus.FAILED, previous_value=known, target_value=row.target, updated_at=utc_now(),
                         reason="Not sent: the API kept failing and this batch's retry budget is spent. Run "
                                "retry_failed(results) when the API is back.")
    try:
        reply = _current(run, row.customer_id, row.order_id) if reads == 0 else \
            client.read(row.customer_id, row.order_id, budget=run.budget, pace=run.pace)
    except (ApiError, TransportError, ValidationError) as exc:
        return _api_failed(run, job, exc, previous_value=known)
    current = reply.order.external_reference_id
    previous = row.previous if row.previous_known else current
    read = RowResult(RowStatus.UNCHANGED, previous_value=previous, target_value=row.target, current_value=current,
                     http_status=reply.info.status_code, attempts=reply.info.attempts,
                     request_id=reply.info.request_id, correlation_id=reply.info.correlation_id,
                     updated_at=utc_now(), order=reply.order)
    if current == row.target:
        # A row an earlier run may have sent, found at its target, was changed by that run: an update.
        landed = row.previous_known and previous != row.target
        return replace(read, status=RowStatus.UPDATED if landed else RowStatus.UNCHANGED)
    if row.expected is not None and current not in row.expected:
        left = " or ".join(repr(v) for v in row.expected if v is not None) or "its value"
        return replace(read, status=RowStatus.SKIPPED,
                       reason=f"Not restored: the order now holds {current!r}, not {left} as the batch left it; "
                              "someone changed it since, and that change is kept.")
    later, sent_at = _built_on(run, job) if row.previous_known else (None, None)
    if later is not None:  # dated when it was sent, so the order's history stays in the order of its changes
        return replace(read, status=RowStatus.UPDATED, updated_at=sent_at or read.updated_at,
                       reason=f"Not sent again: this change landed before the run stopped, and batch {later} has "
                              "changed the order since; that change is kept.")
    if run.options.dry_run:
        return replace(read, status=RowStatus.WOULD_UPDATE)
    if run.stopped:  # no new request after a stop
        return replace(read, status=RowStatus.NOT_RUN, reason=run.stop_reason)
    if run.journal is not None:
        assert run.lease is not None
        try:
            owned = run.journal.mark_pending(run.lease.fence, row.batch_row, previous, current=current,
                                             check_current=reads < 2)
        except JournalError as exc:
            run.journal_failed(exc, "be written")
            return replace(read, status=RowStatus.NOT_RUN, reason=run.stop_reason)
        if not owned:
            run.lease_lost()
            return replace(read, status=RowStatus.NOT_RUN, reason=run.stop_reason)
    try:
        # Undo puts back what Adobe held: a formula-like value is refused as a *new* value, not as a restore.
        sent = client.update(row.customer_id, row.order_id, row.target, budget=run.budget, pace=run.pace,
                             restoring=run.plan.kind == "undo")
    except TransportError as exc:
        return _read_back(run, job, previous, exc)
    except (ApiError, ValidationError) as exc:
        return _api_failed(run, job, exc, previous_value=previous, current_value=current, order=reply.order)
    return RowResult(RowStatus.UPDATED, previous_value=previous, target_value=row.target,
                     current_value=sent.order.external_reference_id, http_status=sent.info.status_code,
                     attempts=sent.info.attempts, request_id=sent.info.request_id,
                     correlation_id=sent.info.correlation_id, updated_at=utc_now(), order=sent.order)


def _built_on(run: Run, job: Job) -> tuple[str | None, str | None]:
    """A row this batch may have sent before it stopped, found at another value: the batch that changed
    the order after this one began and journaled this row's target as the value it replaced — so this
    change landed, and sending it again would undo that batch's change — and when this row was sent.
    (None, None) if the journal knows no such batch."""
    row = job.row
    if run.journal is None or row.order_id is None:
        return None, None
    try:
        mine = run.journal.batch(run.plan.batch_id)
        changes = run.journal.order_history(row.order_id, row.customer_id)
    except JournalError:
        return None, None  # the pending mark reports the journal's problem
    if mine is None:
        return None, None
    sent_at = next((c["updated_at"] for c in changes
                    if c["batch_id"] == run.plan.batch_id and c["batch_row"] == row.batch_row), None)
    for change in changes:
        if change["batch_id"] != run.plan.batch_id and change["created_at"] > mine["created_at"] \
                and change["sent"] and change["previous"] == row.target:
            return str(change["batch_id"]), sent_at
    return None, None


def _current(run: Run, customer_id: str, order_id: str) -> Reply:
    """The order before its change: from its customer's history pages when bulk reads hold it
    (see ``bulk_reads``), else its own GET. The read-back after a PATCH without answer is always a GET."""
    if run.bulk is not None:
        found = run.bulk.take(customer_id, order_id)
        if found is not None:
            return reply_of(found)
    return run.client.read(customer_id, order_id, budget=run.budget, pace=run.pace)


def _read_back(run: Run, job: Job, previous: str | None, exc: TransportError) -> RowResult:
    """No answer to the PATCH: the order itself says whether it was applied."""
    target = job.row.target
    try:
        reply = run.client.read(job.row.customer_id or "", job.row.order_id or "", pace=run.pace)
    except (ApiError, TransportError) as again:
        return replace(_failure(exc, previous_value=previous, target_value=target),
                       reason=f"{exc} Reading the order back failed too ({type(again).__name__}), so the change "
                              "may have landed: undo checks and restores it; a retry reads the order first.")
    order = reply.order
    if order.external_reference_id == target:
        return RowResult(RowStatus.UPDATED, previous_value=previous, target_value=target, current_value=target,
                         attempts=exc.attempts, request_id=exc.request_id, correlation_id=exc.correlation_id,
                         updated_at=utc_now(), order=order)
    return _failure(exc, previous_value=previous, target_value=target, current_value=order.external_reference_id,
                    order=order)
