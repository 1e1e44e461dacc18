"""The engine: run a *plan* — rows with identity, target, expected current value and known previous
value — against one API, journaled, stoppable, and never raising mid-way for an API problem.

Per row: GET the order (so the journal holds what was there before), leave it if already at its
target, mark it pending in the journal (only while this run owns the batch), PATCH, record the
outcome. When no answer came after the last retry, the order is read back, so ``updated`` is
reported exactly when the order really is at its target. ``apply_updates``, ``resume``,
``retry_failed`` and ``undo`` only build plans; this module runs them all the same way.

Stopping: a cancel event, Ctrl-C / a kernel interrupt (SIGINT), the first failure with
``stop_on_error``, refused credentials, a journal that cannot be written, or another run taking
the batch over. After a stop no new request starts; rows not reached are ``not_run``.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import (
    ApiError,
    ApiMismatch,
    AuthenticationError,
    BatchMismatch,
    ConfirmationRequired,
    JournalError,
    PermissionDeniedError,
    TransportError,
    UsageError,
    ValidationError,
)
from ..retry import RetryBudget, Throttle
from .checks import check_rows
from .columns import CUSTOMER, ORDER, resolve_columns, user_columns
from .journal import PENDING, QUEUED, Binding, Journal, Lease, Record, default_journal_path, fingerprint, utc_now
from .outcome import RowResult, results_frame
from .prefetch import PAGE_SIZE, BulkReads, Page, PageReader, interleave, reply_of
from .schema import FINAL, RowStatus, row_name

if TYPE_CHECKING:
    from ..client import OrdersClient, Reply

INTERRUPT_GRACE_SECONDS = 2.0  # after Ctrl-C, how long in-flight requests may take before results return
EMBEDDED = "embedded local emulator"


# -- the plan ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanRow:
    """One row of a batch. ``batch_row`` is its identity in the journal; ``label`` its name."""

    batch_row: int
    label: str
    label_json: str
    customer_id: str | None
    order_id: str | None
    target: str | None
    status: RowStatus = RowStatus.READY  # READY, or a final status decided before sending
    reason: str | None = None
    expected: tuple[str | None, ...] | None = None  # undo: send only while the order holds one of these
    previous: str | None = None
    previous_known: bool = False  # an earlier run may have changed it: ``previous`` is what it held before
    source: tuple[str, int] | None = None  # retry / undo: the row of the batch it continues


@dataclass(frozen=True)
class Plan:
    batch_id: str
    kind: str  # apply, retry, undo, form, cli
    parent: str | None
    rows: tuple[PlanRow, ...]
    columns: dict[str, str]  # canonical name -> the user's header
    index_name: str | None

    def fingerprint(self) -> str:
        return fingerprint((r.customer_id, r.order_id, r.target) for r in self.rows)


@dataclass(frozen=True)
class RunOptions:
    dry_run: bool = False
    workers: int = 4
    bulk_reads: bool = True  # current values from order-history pages where a customer has several rows
    stop_on_error: bool = False
    max_rate: float | None = None
    retry_budget: int | None = None
    progress: bool = True
    tqdm_class: Any = None
    cancel: threading.Event | None = None
    on_row: Callable[[int, str], None] | None = None

    def __post_init__(self) -> None:
        """Refuse options a run cannot honour before anything is sent (``nan`` or a negative rate
        would otherwise silently mean "no pacing", and ``workers=0`` would hang or raise mid-way)."""
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or not 1 <= self.workers <= 256:
            raise UsageError(f"workers={self.workers!r}: use a whole number from 1 to 256.")
        rate = self.max_rate
        if rate is not None and (isinstance(rate, bool) or not isinstance(rate, int | float)
                                 or not math.isfinite(rate) or rate <= 0):
            raise UsageError(f"max_rate={rate!r}: use a number of requests per second above 0, or None for no limit.")
        budget = self.retry_budget
        if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int) or budget < 0):
            raise UsageError(f"retry_budget={budget!r}: use a whole number of retries, 0 or more, or None for "
                             "the default.")


@dataclass
class Outcome:
    results: list[RowResult]
    stopped: str | None = None  # why the batch stopped before its end, if it did
    interrupted: bool = False


def text(value: object) -> str | None:
    """A cell as the journal and the fingerprint see it: text, or None for an empty/NA cell."""
    if value is None:
        return None
    with contextlib.suppress(TypeError, ValueError):
        if pd.isna(value):  # type: ignore[call-overload]
            return None
    return str(value)


def label_of(index: pd.Index, label: object) -> tuple[str, str]:
    return row_name(index, label), json.dumps(label.item() if hasattr(label, "item") else label, default=str)


BATCH_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")


def check_batch_id(batch_id: str, *, undo: bool = False) -> str:
    """A batch ID chosen by the user, or BatchMismatch before anything is written or sent.

    It names the results file (``.adobe-orders/results-ID.csv``) and is pasted into printed commands,
    so it is a plain name: ``/../../x`` wrote the results outside the workspace. ``undo-`` is kept for
    undo batches: a batch of another kind under that name would block the CLI's undo of its batch.
    """
    if not isinstance(batch_id, str) or not BATCH_ID.fullmatch(batch_id) or ".." in batch_id:
        raise BatchMismatch(f"Batch ID {batch_id!r} is not a plain name: use up to 80 letters, digits, '-', '_' and "
                            "'.', starting with a letter or digit. Nothing was sent.")
    if batch_id.startswith("undo-") and not undo:
        raise BatchMismatch(f"Batch ID {batch_id!r} starts with 'undo-', which names undo batches; choose another "
                            "name. Nothing was sent.")
    return batch_id


def new_batch_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


def binding_of(client: OrdersClient) -> Binding:
    """Which API a client talks to, as the journal records it (no secret, no client ID in clear)."""
    base = client.settings.base_url if not client.settings.uses_embedded_emulator else EMBEDDED
    return Binding(client.environment, str(base), client.client_id_sha256)


def check_binding(journal: Journal, batch_id: str, client: OrdersClient, doing: str) -> None:
    """Refuse, before anything is sent, to ``doing`` a batch with a client for another API."""
    row = journal.batch(batch_id)
    if row is None:
        return
    was = Binding(row["environment"], row["base_url"], row["client_hash"])
    now = binding_of(client)
    if was != now:
        diff = "client ID" if (was.environment, was.base_url) == (now.environment, now.base_url) else "API"
        raise ApiMismatch(
            f"Batch {batch_id} ran against {was.describe()}, but this client talks to {now.describe()} "
            f"(another {diff}). Nothing was sent. To {doing} it, use a client configured for the batch's API "
            "(check ADOBE_VIPM_ENV, ADOBE_VIPM_BASE_URL and ADOBE_VIPM_CLIENT_ID in .env).")


def root_of(journal: Journal, batch_id: str) -> str:
    """The batch a retry chain started from (a retry's lineage belongs to its root)."""
    seen = set()
    current = batch_id
    while current not in seen:
        seen.add(current)
        row = journal.batch(current)
        if row is None or row["kind"] != "retry" or row["parent_batch"] is None:
            return current
        current = row["parent_batch"]
    return current


def refuse_if_undone(journal: Journal, batch_id: str, doing: str) -> None:
    """An undone batch is closed: resuming or retrying it would re-apply changes that were undone,
    and a later undo would find the batch "already undone" and leave them in place."""
    root = root_of(journal, batch_id)
    undone = next((b["batch_id"] for b in journal.children(root) if b["kind"] == "undo"), None)
    if undone is not None:
        raise BatchMismatch(
            f"Batch {root} was undone by batch {undone}; to {doing} it would re-apply changes that were undone. "
            "Nothing was sent. To apply these rows again, start a new batch (no batch_id / --batch-id).")


def require_confirmation(client: OrdersClient, count: int, *, dry_run: bool, confirm: bool, what: str) -> None:
    if client.needs_confirmation and not dry_run and not confirm:
        raise ConfirmationRequired(
            f"This would {what} {count} orders in PRODUCTION ({client.base_url}). Run a dry run first, then "
            "pass confirm=True (CLI: --yes).")


def open_journal(journal: Journal | str | None, client: OrdersClient | None) -> Journal:
    """The journal named, else the client's setting, else the workspace's (see ``default_journal_path``)."""
    if isinstance(journal, Journal):
        return journal
    configured = journal or (client.settings.journal_path if client is not None else None)
    return Journal(default_journal_path(configured, dotenv=client is None))


# -- running -------------------------------------------------------------------------------------------
@dataclass
class Job:
    position: int  # in the plan (and the results list)
    row: PlanRow


@dataclass
class Run:
    client: OrdersClient
    plan: Plan
    options: RunOptions
    journal: Journal | None
    lease: Lease | None
    budget: RetryBudget
    pace: Throttle | None
    bulk: BulkReads | None = None
    stop_event: threading.Event = field(default_factory=threading.Event)
    stop_reason: str | None = None
    interrupted: bool = False
    closed: bool = False
    crash: BaseException | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)

    def stop(self, reason: str) -> None:
        with self.lock:
            if self.stop_reason is None:
                self.stop_reason = reason
        self.stop_event.set()

    @property
    def stopped(self) -> bool:
        if self.options.cancel is not None and self.options.cancel.is_set() and self.stop_reason is None:
            self.stop(f"Not run: the batch was cancelled before this row. {self.resume_hint}")
        if self.lease is not None and self.lease.lost.is_set() and self.stop_reason is None:
            self.stop("Not run: another run took this batch over while this one was paused (its lease went "
                      "stale); that run finishes it.")
        return self.stop_event.is_set()

    @property
    def resume_hint(self) -> str:
        return f"resume('{self.plan.batch_id}') (CLI: the same command with --batch-id {self.plan.batch_id}) runs it."

    def not_run(self) -> RowResult:
        return RowResult(RowStatus.NOT_RUN, reason=self.stop_reason or "Not run.")


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


def process(run: Run, job: Job) -> RowResult:
    """One row, start to end. An API problem is this row's outcome; a bug propagates."""
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
        reply = _current(run, row.customer_id, row.order_id)
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
    if run.options.dry_run:
        return replace(read, status=RowStatus.WOULD_UPDATE)
    if run.stopped:  # no new request after a stop
        return replace(read, status=RowStatus.NOT_RUN, reason=run.stop_reason)
    if run.journal is not None:
        assert run.lease is not None
        try:
            owned = run.journal.mark_pending(run.plan.batch_id, row.batch_row, previous, run.lease.token)
        except JournalError as exc:
            run.stop(f"Not run: the journal could not be written, so no change is sent without its record "
                     f"({exc}). {run.resume_hint}")
            return replace(read, status=RowStatus.NOT_RUN, reason=run.stop_reason)
        if not owned:
            run.lease.lost.set()
            run.stopped  # noqa: B018 -- sets the reason
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


def _current(run: Run, customer_id: str, order_id: str) -> Reply:
    """The order before its change: from its customer's history pages when bulk reads hold it
    (see ``prefetch``), else its own GET. The read-back after a PATCH without answer is always a GET."""
    if run.bulk is not None:
        found = run.bulk.take(customer_id, order_id)
        if found is not None:
            return reply_of(found)
    return run.client.read(customer_id, order_id, budget=run.budget, pace=run.pace)


def _history_pages(run: Run) -> PageReader:
    def read(customer_id: str) -> Iterator[Page]:
        return run.client.history_pages(customer_id, page_size=PAGE_SIZE, budget=run.budget, pace=run.pace)

    return read


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


def _journal_outcome(run: Run, job: Job, result: RowResult) -> None:
    if run.journal is None or run.closed:
        return  # a dry run; or a row still in flight after the results were returned: it stays pending
    status = result.status.value
    if result.status == RowStatus.NOT_RUN:
        status = QUEUED  # resume runs it
    run.journal.record(run.plan.batch_id, job.row.batch_row, status=status, reason=result.reason,
                       previous=result.previous_value, current=result.current_value,
                       http_status=result.http_status, error_code=result.error_code, attempts=result.attempts,
                       request_id=result.request_id, correlation_id=result.correlation_id,
                       updated_at=result.updated_at or utc_now())


def _work(run: Run, jobs: Iterator[Job], results: list[RowResult | None], in_flight: dict[int, Job],
          bar: Any) -> None:
    while True:
        with run.lock:
            job = next(jobs, None)
            if job is None or run.stopped:
                return
            in_flight[job.position] = job
        try:
            result = process(run, job)
            results[job.position] = result
            try:
                _journal_outcome(run, job, result)
            except JournalError as exc:
                run.stop(f"Not run: the journal could not record an outcome ({exc}). {run.resume_hint}")
            if result.status == RowStatus.FAILED and run.options.stop_on_error:
                run.stop(f"Not run: the batch stopped at the first failure ({job.row.label}; stop_on_error=True). "
                         f"{run.resume_hint}")
        except BaseException as exc:  # a bug: stop the batch and hand it to the caller, not to a row
            run.crash = run.crash or exc
            run.stop("Not run: the batch stopped on an internal error.")
            return
        finally:
            with run.lock:
                in_flight.pop(job.position, None)
        bar.update(1)
        if run.options.on_row is not None:
            run.options.on_row(job.position, result.status.value)


@contextlib.contextmanager
def _sigint_stops(run: Run) -> Iterator[None]:
    """In the main thread, Ctrl-C (or a Jupyter kernel interrupt) stops the batch instead of raising
    somewhere inside it; a second and third Ctrl-C change nothing and print no noise."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        run.interrupted = True
        run.stop(f"Not run: the batch was interrupted (Ctrl-C) before this row. {run.resume_hint}")

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main interpreter
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _wait(run: Run, threads: list[threading.Thread]) -> None:
    try:
        while not run.stop_event.is_set():
            alive = [t for t in threads if t.is_alive()]
            if not alive:
                return
            alive[0].join(0.05)
    except KeyboardInterrupt:  # a SIGINT handler other than ours (e.g. installed by the caller) raised
        run.interrupted = True
        run.stop(f"Not run: the batch was interrupted (Ctrl-C) before this row. {run.resume_hint}")
    deadline = time.monotonic() + INTERRUPT_GRACE_SECONDS if run.interrupted else None
    for t in threads:
        while t.is_alive():
            if deadline is not None and time.monotonic() >= deadline:
                return
            try:
                t.join(0.05)
            except KeyboardInterrupt:
                run.interrupted = True


def execute(plan: Plan, client: OrdersClient, options: RunOptions, journal: Journal | None) -> Outcome:
    """Run ``plan``; journaled unless ``journal`` is None (dry runs). Raises only before sending
    (BatchBusy, BatchMismatch, ApiMismatch, JournalError) or for a bug."""
    lease = None
    results: list[RowResult | None] = [None] * len(plan.rows)
    rows = list(plan.rows)
    if journal is not None and not options.dry_run:
        lease = Lease(journal, plan.batch_id)
        try:
            rows = _start_or_resume(journal, plan, client, results)
        except BaseException:
            lease.release()
            raise
    jobs = []
    for position, row in enumerate(rows):
        if results[position] is not None:
            continue
        if row.status != RowStatus.READY:
            results[position] = RowResult(row.status, reason=row.reason, previous_value=row.previous,
                                          target_value=row.target if row.status != RowStatus.INVALID else None)
        else:
            jobs.append(Job(position, row))
    run = Run(client, plan, options, journal if not options.dry_run else None, lease,
              RetryBudget(options.retry_budget if options.retry_budget is not None else 20 + len(jobs)),
              Throttle(max_rate=options.max_rate) if options.max_rate else None)
    if options.bulk_reads:
        # Largest customer first, customers interleaved: the first workers read several customers'
        # pages at once, and no customer's rows are left for the end of the batch.
        jobs = interleave(jobs, lambda job: job.row.customer_id)
        run.bulk = BulkReads(((j.row.customer_id or "", j.row.order_id or "") for j in jobs), _history_pages(run),
                             stopped=lambda: run.stopped)
    in_flight: dict[int, Job] = {}
    try:
        bar_class = options.tqdm_class
        if bar_class is None:
            from tqdm.auto import tqdm

            bar_class = tqdm
        desc = f"{'Dry run' if options.dry_run else 'Updating'} · {client.label}"
        with bar_class(total=len(jobs), desc=desc, disable=not options.progress or not jobs, unit="order") as bar, \
                _sigint_stops(run):
            job_iter = iter(jobs)
            count = max(1, min(options.workers, len(jobs)))
            client.reserve_connections(count)
            threads = [threading.Thread(target=_work, args=(run, job_iter, results, in_flight, bar), daemon=True,
                                        name=f"adobe-orders-{i}") for i in range(count)]
            for t in threads:
                t.start()
            _wait(run, threads)
    finally:
        with run.lock:
            run.closed = True
            still = dict(in_flight)
        if lease is not None:
            lease.release()
    if run.crash is not None:
        raise run.crash
    for position, job in still.items():
        if results[position] is None:
            results[position] = RowResult(
                RowStatus.FAILED, target_value=job.row.target, updated_at=utc_now(),
                reason="Interrupted while this row's request was in flight; its change may have landed. The "
                       f"journal keeps it pending: {run.resume_hint} It reads the order first.")
    final = [r if r is not None else run.not_run() for r in results]
    return Outcome(final, stopped=run.stop_reason, interrupted=run.interrupted)


def _start_or_resume(journal: Journal, plan: Plan, client: OrdersClient,
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
            f"Batch {plan.batch_id} in the journal {journal.path} holds other rows than these; nothing was sent. "
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


def finish(inputs: pd.DataFrame, plan: Plan, outcome: Outcome, client: OrdersClient, *, dry_run: bool,
           journal: Journal | None) -> pd.DataFrame:
    """The results frame of a run, with what a caller needs to say what happened in ``attrs``."""
    out = results_frame(inputs, outcome.results, batch_id=None if dry_run else plan.batch_id,
                        batch_rows=None if dry_run else [r.batch_row for r in plan.rows],
                        recon_cutoff_day=client.settings.recon_cutoff_day)
    out.attrs.update(batch_id=plan.batch_id, kind=plan.kind, parent_batch=plan.parent, environment=client.label,
                     dry_run=dry_run, stopped=outcome.stopped, interrupted=outcome.interrupted,
                     journal=None if journal is None else str(journal.path),
                     id_columns=[plan.columns[CUSTOMER], plan.columns[ORDER]])
    return out


def plan_rows(inputs: pd.DataFrame, names: Mapping[str, str]) -> list[PlanRow]:
    """Plan rows from a frame: every row validated, identity = position in the frame."""
    checked = check_rows(inputs, dict(names))
    rows = []
    for i, label in enumerate(inputs.index):
        name, encoded = label_of(inputs.index, label)
        rows.append(PlanRow(i, name, encoded, text(checked.customer[i]), text(checked.order[i]),
                            text(checked.value[i]), RowStatus(checked.status[i]), checked.reason[i]))
    return rows


def run_frame(frame: pd.DataFrame, client: OrdersClient | None, *, kind: str, columns: Mapping[str, str] | None,
              batch_id: str | None, dry_run: bool, confirm: bool, journal: Journal | str | None,
              options: RunOptions) -> pd.DataFrame:
    """Validate ``frame`` and run it as a batch of ``kind`` (apply_updates, update_one)."""
    from ..client import OrdersClient

    inputs = user_columns(frame)
    names = resolve_columns(inputs, columns)  # misuse raises here, before anything is sent
    client = client or OrdersClient.from_env()
    require_confirmation(client, len(inputs), dry_run=dry_run, confirm=confirm, what="change up to")
    plan = Plan(check_batch_id(batch_id) if batch_id else new_batch_id(), kind, None, tuple(plan_rows(inputs, names)),
                dict(names),
                None if inputs.index.name is None else str(inputs.index.name))
    book = None if dry_run or not plan.rows else open_journal(journal, client)  # no empty batch is journaled
    outcome = execute(plan, client, options, book)
    return finish(inputs, plan, outcome, client, dry_run=dry_run, journal=book)


def apply_updates(
    frame: pd.DataFrame,
    client: OrdersClient | None = None,
    *,
    dry_run: bool = False,
    workers: int = 4,
    bulk_reads: bool = True,
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
) -> pd.DataFrame:
    """Apply ``externalReferenceId`` updates: the frame's columns unchanged, then the result columns
    (see the README's results table), one row per input row, in input order.

    ``status`` is one of ``RowStatus``: updated, unchanged (already at target, not sent), invalid
    (never sent), duplicate (an exact repeat, not sent), failed, not_run (the batch stopped first),
    would_update (dry run). Passing the ``batch_id`` of an earlier, interrupted run resumes it: rows
    the journal holds as done are not sent again. Ctrl-C stops the batch and returns what it has
    (``results.attrs["interrupted"]``). ``max_rate`` paces this run only, never the shared client.

    ``bulk_reads`` (default): where a customer has several rows, their current values come from its
    order-history pages (one call per 100 orders) instead of one GET each, so a row costs one round
    trip, the PATCH; ``bulk_reads=False`` reads every order on its own just before its change (see
    the README's "Bulk reads" for what this trades and why it is safe).
    """
    options = RunOptions(dry_run=dry_run, workers=workers, bulk_reads=bulk_reads, stop_on_error=stop_on_error,
                         max_rate=max_rate,
                         retry_budget=retry_budget, progress=progress, tqdm_class=tqdm_class, cancel=cancel,
                         on_row=on_row)
    return run_frame(frame, client, kind="apply", columns=columns, batch_id=batch_id, dry_run=dry_run,
                     confirm=confirm, journal=journal, options=options)


__all__ = ["ConfirmationRequired", "Plan", "PlanRow", "RunOptions", "apply_updates", "execute", "new_batch_id"]
