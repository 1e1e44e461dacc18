"""The engine: run a *plan* — rows with identity, target, expected current value and known previous
value — against one API, journaled, stoppable, and never raising mid-way for an API problem.

Workers take the rows one at a time: each is ``row_update.process`` (read, compare, mark pending,
PATCH, read back when no answer came), then its outcome is journaled (``bookkeeping``). Where a
customer has several rows, their current values come from its order-history pages (``bulk_reads``).
``apply_updates``, ``resume``, ``retry_failed`` and ``undo`` only build plans; this module runs them
all the same way.

Stopping: a cancel event, Ctrl-C / a kernel interrupt (SIGINT), the first failure with
``stop_on_error``, refused credentials, a journal that cannot be written, or another run taking
the batch over. After a stop no new request starts; rows not reached are ``not_run``.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..client import OrdersClient
from ..errors import JournalError
from ..journal import JournalBackend, Lease, utc_now
from ..retry import RetryBudget, Throttle
from .bookkeeping import journal_outcome, start_or_resume
from .bulk_reads import PAGE_SIZE, BulkReads, Page, PageReader, interleave
from .plan import Plan, RunOptions
from .results import RowResult
from .row_update import process
from .run_state import Job, Run
from .schema import RowStatus

INTERRUPT_GRACE_SECONDS = 2.0  # after Ctrl-C, how long in-flight requests may take before results return


@dataclass
class Outcome:
    results: list[RowResult]
    stopped: str | None = None  # why the batch stopped before its end, if it did
    interrupted: bool = False
    journal_lost: bool = False  # the journal was deleted or replaced under the run: no undo can be offered


def _history_pages(run: Run) -> PageReader:
    def read(customer_id: str) -> Iterator[Page]:
        return run.client.history_pages(customer_id, page_size=PAGE_SIZE, budget=run.budget, pace=run.pace)

    return read


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
                journal_outcome(run, job, result)
            except JournalError as exc:
                run.journal_failed(exc, "record an outcome")
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


def execute(plan: Plan, client: OrdersClient, options: RunOptions, journal: JournalBackend | None) -> Outcome:
    """Run ``plan``; journaled unless ``journal`` is None (dry runs). Raises only before sending
    (BatchBusy, BatchMismatch, ApiMismatch, JournalError) or for a bug."""
    lease = None
    results: list[RowResult | None] = [None] * len(plan.rows)
    rows = list(plan.rows)
    if journal is not None and not options.dry_run:
        lease = Lease(journal, plan.batch_id)
        try:
            rows = start_or_resume(journal, plan, client, results)
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
            from tqdm.auto import tqdm  # in a notebook it loads ipywidgets' bar: only when a bar is shown

            bar_class = tqdm
        desc = f"{'Dry run' if options.dry_run else 'Updating'} · {client.label}"
        with bar_class(total=len(jobs), desc=desc, disable=not options.progress or not jobs, unit="order") as bar, \
                _sigint_stops(run):
            job_iter = iter(jobs)
            count = max(1, min(options.workers, len(jobs)))
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
            if lease.unwritten is not None:  # the changes went out; the journal still has those rows pending
                run.stop(f"The journal could not record the outcome of the last rows ({lease.unwritten}); it keeps "
                         f"them pending. {run.resume_hint} It reads each order first, so nothing is sent twice.")
    if run.crash is not None:
        raise run.crash
    for position, job in still.items():
        if results[position] is None:
            results[position] = RowResult(
                RowStatus.FAILED, target_value=job.row.target, updated_at=utc_now(),
                reason="Interrupted while this row's request was in flight; its change may have landed. The "
                       f"journal keeps it pending: {run.resume_hint} It reads the order first.")
    final = [r if r is not None else run.not_run() for r in results]
    return Outcome(final, stopped=run.stop_reason, interrupted=run.interrupted, journal_lost=run.journal_lost)
