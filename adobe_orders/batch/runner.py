"""``apply_updates``: read, compare, change, verify — for every row, journaled, never raising mid-way.

Per row: GET the order (so the journal holds what was there before), skip it if already at its
target, mark it pending in the journal, PATCH, record the outcome. When no answer came after
the last retry, the order is read back, so ``updated`` is reported exactly when the order really
is at its target (public partner clients recorded successful updates as failed by skipping this).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import AdobeOrdersError, ApiError, TransportError
from ..retry import RetryBudget
from .checks import READY, SKIPPED, validate_updates
from .columns import CUSTOMER, ORDER, VALUE, resolve_columns
from .journal import DONE, Journal, fingerprint, utc_now

if TYPE_CHECKING:
    from ..client import OrdersClient
    from ..models import Order

RESULT_COLUMNS = ["status", "previous_external_reference_id", "external_reference_id", "http_status",
                  "error_code", "error", "attempts", "request_id", "correlation_id", "updated_at", "batch_id",
                  "order", "after_recon_cutoff"]


class ConfirmationRequired(AdobeOrdersError):
    """A non-dry run against production needs ``confirm=True`` (CLI: ``--yes``)."""


class BatchMismatch(AdobeOrdersError, ValueError):
    """A batch ID was reused for different rows; resuming it would apply the wrong values."""


@dataclass
class RowResult:
    status: str
    previous: str | None = None
    current: str | None = None
    http_status: int | None = None
    error_code: str | None = None
    error: str | None = None
    attempts: int = 0
    request_id: str | None = None
    correlation_id: str | None = None
    updated_at: str | None = None
    order: Order | None = None


@dataclass
class Job:
    row: int
    customer_id: str
    order_id: str
    target: str
    previous: str | None = None  # known from the journal when resuming a pending row
    pending: bool = False
    expected: str | None = None  # undo: only restore if the order still holds this value


@dataclass
class Run:
    client: OrdersClient
    batch_id: str
    dry_run: bool
    journal: Journal | None
    budget: RetryBudget
    stop: threading.Event = field(default_factory=threading.Event)
    stop_on_error: bool = False
    stop_reason: str = ""


def new_batch_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


def _order_json(order: Order | None) -> str | None:
    return None if order is None else json.dumps(order.to_api(), ensure_ascii=False, separators=(",", ":"))


def _error_fields(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, ApiError):
        return dict(http_status=exc.status_code, error_code=exc.code, error=str(exc), attempts=exc.attempts,
                    request_id=exc.request_id, correlation_id=exc.correlation_id)
    if isinstance(exc, TransportError):
        return dict(error=str(exc), attempts=exc.attempts, request_id=exc.request_id,
                    correlation_id=exc.correlation_id)
    return dict(error=f"Unexpected error ({type(exc).__name__}): {exc}")


def process(run: Run, job: Job) -> RowResult:
    """One row, start to end. Never raises: every outcome is a RowResult."""
    client = run.client
    if run.stop.is_set():
        return RowResult(SKIPPED, error=run.stop_reason)
    if run.budget.remaining <= 0:
        return RowResult("failed", error="Not sent: the API kept failing and this batch's retry budget is "
                         "spent. Run retry_failed(results) when the API is back.", updated_at=utc_now())
    try:
        reply = client.read(job.customer_id, job.order_id, budget=run.budget)
    except Exception as exc:
        return RowResult("failed", previous=job.previous, updated_at=utc_now(), **_error_fields(exc))
    current = reply.order.external_reference_id
    previous = job.previous if job.pending else current
    read = RowResult("", previous=previous, current=current, attempts=reply.info.attempts,
                     request_id=reply.info.request_id, correlation_id=reply.info.correlation_id,
                     http_status=reply.info.status_code, order=reply.order)
    if current == job.target:
        # A pending row found at its target was changed by the interrupted run: that is an update.
        return replace(read, status="updated" if job.pending else "unchanged", updated_at=utc_now())
    if job.expected is not None and current != job.expected:
        return replace(read, status=SKIPPED, updated_at=utc_now(),
                       error=f"Not restored: the order now holds {current!r}, not {job.expected!r} as "
                             "this batch left it; someone changed it since.")
    if run.dry_run:
        return replace(read, status="would-update")
    if run.journal is not None and not job.pending:
        run.journal.mark_pending(run.batch_id, job.row, previous)
    try:
        reply = client.update(job.customer_id, job.order_id, job.target, budget=run.budget)
    except TransportError as exc:
        return _read_back(run, job, previous, exc)
    except Exception as exc:
        return RowResult("failed", previous=previous, current=current, updated_at=utc_now(),
                         **_error_fields(exc))
    return RowResult("updated", previous=previous, current=reply.order.external_reference_id,
                     http_status=reply.info.status_code, attempts=reply.info.attempts,
                     request_id=reply.info.request_id, correlation_id=reply.info.correlation_id,
                     updated_at=utc_now(), order=reply.order)


def _read_back(run: Run, job: Job, previous: str | None, exc: TransportError) -> RowResult:
    """No answer to the PATCH: the order itself says whether it was applied."""
    try:
        reply = run.client.read(job.customer_id, job.order_id)
    except Exception:
        return RowResult("failed", previous=previous, updated_at=utc_now(),
                         **{**_error_fields(exc), "error": f"{exc} Reading the order back failed too; the "
                            "journal keeps its previous value, and a retry reads the order before sending."})
    order = reply.order
    if order.external_reference_id == job.target:
        return RowResult("updated", previous=previous, current=job.target, attempts=exc.attempts,
                         request_id=exc.request_id, correlation_id=exc.correlation_id, updated_at=utc_now(),
                         order=order)
    return RowResult("failed", previous=previous, current=order.external_reference_id, updated_at=utc_now(),
                     order=order, **_error_fields(exc))


def _journal_outcome(run: Run, job: Job, result: RowResult) -> None:
    if run.journal is None or (result.status == SKIPPED and run.stop.is_set() and result.request_id is None):
        return  # a row stopped before it started stays queued, so resume() picks it up
    run.journal.record(run.batch_id, job.row, status=result.status, previous=result.previous,
                       http_status=result.http_status, error_code=result.error_code, error=result.error,
                       attempts=result.attempts, request_id=result.request_id,
                       correlation_id=result.correlation_id, updated_at=result.updated_at or utc_now())


def apply_updates(
    frame: pd.DataFrame,
    client: OrdersClient | None = None,
    *,
    dry_run: bool = False,
    workers: int = 4,
    batch_id: str | None = None,
    columns: Mapping[str, str] | None = None,
    stop_on_error: bool = False,
    max_rate: float | None = None,
    retry_budget: int | None = None,
    confirm: bool = False,
    journal: Journal | str | None = None,
    progress: bool = True,
    tqdm_class: Any = None,
    cancel: threading.Event | None = None,
    on_row: Callable[[int, str], None] | None = None,
    _kind: str = "apply",
    _parent: str | None = None,
    _expected: list[str | None] | None = None,
    _known_previous: Mapping[int, str | None] | None = None,
) -> pd.DataFrame:
    """Apply ``externalReferenceId`` updates, one results row per input row, in input order.

    Statuses: updated, unchanged (already at target, not sent), invalid (never sent), failed,
    skipped (a repeat, or stopped), would-update (dry run). A run with the ``batch_id`` of an
    earlier, interrupted run resumes it: rows the journal holds as done are not sent again.
    """
    from ..client import OrdersClient

    names = resolve_columns(frame, columns)  # misuse raises here, before anything is sent
    client = client or OrdersClient.from_env()
    if client.needs_confirmation and not dry_run and not confirm:
        raise ConfirmationRequired(
            f"This batch would change {len(frame)} orders in PRODUCTION ({client.base_url}). "
            "Run a dry run first, then pass confirm=True (CLI: --yes)."
        )
    checked = validate_updates(frame, columns=names)
    batch_id = batch_id or new_batch_id()
    book = None if dry_run else (journal if isinstance(journal, Journal) else Journal(
        journal or client.settings.journal_path))
    run = Run(client, batch_id, dry_run, book, RetryBudget(retry_budget if retry_budget is not None
                                                           else 20 + len(frame)),
              stop=cancel or threading.Event(), stop_on_error=stop_on_error)
    run.stop_reason = ("Not run: the batch was cancelled; resume with the same batch_id to finish it."
                       if cancel is not None else
                       "Not run: the batch stopped at the first failure (stop_on_error=True); resume "
                       "with the same batch_id to finish it.")
    cust, order, value = (checked[names[k]].to_numpy(dtype=object) for k in (CUSTOMER, ORDER, VALUE))
    status, problem = checked["status"].to_numpy(dtype=object), checked["problem"].to_numpy(dtype=object)
    results: list[RowResult | None] = [None] * len(frame)
    done, pending = _prepare_journal(run, cust, order, value, status, problem, _kind, _parent)
    pending = {**(_known_previous or {}), **pending}
    jobs = []
    for i in range(len(frame)):
        if i in done:
            results[i] = done[i]
        elif status[i] != READY:
            results[i] = RowResult(status[i], error=problem[i])
        else:
            jobs.append(Job(i, cust[i], order[i], value[i], previous=pending.get(i), pending=i in pending,
                            expected=_expected[i] if _expected else None))
    previous_rate = client.throttle.max_rate
    if max_rate is not None:
        client.throttle.max_rate = max_rate
    try:
        _run_jobs(run, jobs, results, workers, progress, tqdm_class, on_row)
    finally:
        client.throttle.max_rate = previous_rate
    return _results_frame(frame, results, batch_id, client)


def _prepare_journal(run: Run, cust: Any, order: Any, value: Any, status: Any, problem: Any,
                     kind: str, parent: str | None) -> tuple[dict[int, RowResult], dict[int, str | None]]:
    """Start the batch in the journal, or pick up where an interrupted run left it.

    Returns the rows already done (never sent again) and the rows whose PATCH may have gone
    out (their journaled previous value is kept, and they are re-checked before anything else).
    """
    done: dict[int, RowResult] = {}
    pending: dict[int, str | None] = {}
    if run.journal is None:
        return done, pending
    fp = fingerprint(zip(cust, order, value, strict=True))
    existing = run.journal.batch(run.batch_id)
    if existing is None:
        run.journal.start_batch(
            run.batch_id, kind=kind, parent=parent, environment=run.client.environment,
            base_url=run.client.base_url, fp=fp,
            rows=[(i, cust[i], order[i], value[i], "queued" if status[i] == READY else status[i], problem[i])
                  for i in range(len(cust))],
        )
        return done, pending
    if existing["fingerprint"] != fp:
        raise BatchMismatch(f"Batch {run.batch_id!r} in the journal holds different rows; use a new batch_id "
                            "(or none) for new data, or resume() to finish the journaled batch as it was.")
    for i, row in run.journal.rows(run.batch_id).items():
        if row["status"] in DONE:
            at_target = row["status"] in ("updated", "unchanged")
            done[i] = RowResult(row["status"], previous=row["previous"], current=row["target"] if at_target
                                else None, http_status=row["http_status"], error_code=row["error_code"],
                                error=row["error"], attempts=row["attempts"] or 0, request_id=row["request_id"],
                                correlation_id=row["correlation_id"], updated_at=row["updated_at"])
        elif row["status"] == "pending" or (row["status"] == "failed" and row["previous"] is not None):
            pending[i] = row["previous"]
    return done, pending


def _run_jobs(run: Run, jobs: list[Job], results: list[RowResult | None], workers: int, progress: bool,
              tqdm_class: Any, on_row: Callable[[int, str], None] | None) -> None:
    if tqdm_class is None:
        from tqdm.auto import tqdm as auto_bar

        tqdm_class = auto_bar
    desc = f"{'Dry run' if run.dry_run else 'Updating'} · {run.client.label}"
    with tqdm_class(total=len(jobs), desc=desc, disable=not progress or not jobs, unit="order") as bar:
        def work(job: Job) -> None:
            result = process(run, job)
            results[job.row] = result
            try:
                _journal_outcome(run, job, result)
            except Exception as exc:
                result.error = f"{result.error or ''} (journal write failed: {exc})".strip()
            if result.status == "failed" and run.stop_on_error:
                run.stop.set()
            bar.update(1)
            if on_row is not None:
                on_row(job.row, result.status)

        if workers <= 1:
            for job in jobs:
                work(job)
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="adobe-orders") as pool:
                for future in [pool.submit(work, job) for job in jobs]:
                    future.result()


def _results_frame(frame: pd.DataFrame, results: list[RowResult | None], batch_id: str,
                   client: OrdersClient) -> pd.DataFrame:
    out = frame.copy()
    filled = [r if r is not None else RowResult(SKIPPED, error="Not run.") for r in results]
    data = {
        "status": [r.status for r in filled],
        "previous_external_reference_id": [r.previous for r in filled],
        "external_reference_id": [r.current for r in filled],
        "http_status": pd.array([r.http_status for r in filled], dtype="Int64"),
        "error_code": [r.error_code for r in filled],
        "error": [r.error for r in filled],
        "attempts": pd.array([r.attempts for r in filled], dtype="Int64"),
        "request_id": [r.request_id for r in filled],
        "correlation_id": [r.correlation_id for r in filled],
        "updated_at": [r.updated_at for r in filled],
        "batch_id": [batch_id] * len(filled),
        "order": [_order_json(r.order) for r in filled],
    }
    for name, values in data.items():
        out[name] = pd.Series(values, index=frame.index, dtype=values.dtype if hasattr(values, "dtype")
                              else object)
    cutoff = client.settings.recon_cutoff_day
    if cutoff:
        late = [r.status == "updated" and bool(r.updated_at) and int(str(r.updated_at)[8:10]) > cutoff
                for r in filled]
        out["after_recon_cutoff"] = late
    out.attrs.update(batch_id=batch_id, environment=client.label)
    return out


__all__ = ["ConfirmationRequired", "apply_updates", "new_batch_id"]
