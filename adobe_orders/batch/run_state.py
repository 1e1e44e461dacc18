"""The state one run shares between its workers: what it runs, with what, and whether — and why — it
has stopped. Every way of stopping (cancel, Ctrl-C, a lost lease, a refused credential, a journal
that cannot be written) goes through ``Run.stop``, so the first reason is the one rows report.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..retry import RetryBudget, Throttle
from .journal import Journal, Lease
from .outcome import RowResult
from .plan import Plan, PlanRow, RunOptions
from .prefetch import BulkReads
from .schema import RowStatus

if TYPE_CHECKING:
    from ..client import OrdersClient


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
