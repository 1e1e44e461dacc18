"""The state one run shares between its workers: what it runs, with what, and whether — and why — it
has stopped. Every way of stopping (cancel, Ctrl-C, a lost lease, a refused credential, a journal
that cannot be written) goes through ``Run.stop``, so the first reason is the one rows report.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from ..client import OrdersClient
from ..errors import JournalError, JournalGone
from ..journal import JournalBackend, Lease
from ..retry import RetryBudget, Throttle
from .bulk_reads import BulkReads
from .plan import Plan, PlanRow, RunOptions
from .results import RowResult
from .schema import RowStatus


@dataclass
class Job:
    position: int  # in the plan (and the results list)
    row: PlanRow


@dataclass
class Run:
    client: OrdersClient
    plan: Plan
    options: RunOptions
    journal: JournalBackend | None
    lease: Lease | None
    budget: RetryBudget
    pace: Throttle | None
    bulk: BulkReads | None = None
    stop_event: threading.Event = field(default_factory=threading.Event)
    stop_reason: str | None = None
    interrupted: bool = False
    closed: bool = False
    crash: BaseException | None = None
    journal_lost: bool = False  # the journal file was deleted or replaced: nothing of this run can be undone
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
            self.stop(self._displaced())
        return self.stop_event.is_set()

    def lease_lost(self) -> None:
        """A fenced write found another owner: stop at once (no new request, no further write)."""
        assert self.lease is not None
        self.lease.lost.set()
        self.stopped  # noqa: B018 -- sets the reason

    def _displaced(self) -> str:
        holder = None
        if self.journal is not None:
            try:
                holder = self.journal.holder(self.plan.batch_id)
            except JournalError:
                holder = None
        return (f"Not run: batch {self.plan.batch_id} was taken over by another run"
                f"{f' ({holder})' if holder else ''}, so this run stopped sending and writing at once; that run "
                "finishes it.")

    def journal_failed(self, exc: JournalError, doing: str) -> None:
        """The journal could not take a write: nothing more is sent without its record."""
        if isinstance(exc, JournalGone):
            self.journal_lost = True
            self.stop(f"Not run: {exc} To finish the batch, apply the same rows again: a new journal starts, and "
                      "orders already at their value are left as they are.")
        else:
            self.stop(f"Not run: the journal could not {doing}, so no change is sent without its record ({exc}). "
                      f"{self.resume_hint}")

    @property
    def resume_hint(self) -> str:
        return f"resume('{self.plan.batch_id}') (CLI: the same command with --batch-id {self.plan.batch_id}) runs it."

    def not_run(self) -> RowResult:
        return RowResult(RowStatus.NOT_RUN, reason=self.stop_reason or "Not run.")
