"""A run's outcome writer for the team journal: the outcome of each row is written by one thread of
its own, a few rows per transaction, while the workers go on to their next rows.

Why it is safe: a row's pending mark (with its previous value) is committed, durably, before its
PATCH leaves; the outcome only turns ``pending`` into ``updated``/``failed``. An outcome not yet
written when the process dies leaves the row pending, and resume reads the order and finishes it —
exactly as if the process had died a moment earlier. The writer is drained before the lease is
released, so a run that ends normally leaves every outcome written. Why it is worth it: on a busy
machine each round trip to the server costs milliseconds, and a worker waiting for its outcome's
round trip is a worker not sending the next PATCH.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from ..errors import JournalError

MAX_PER_TRANSACTION = 64


class OutcomeWriter:
    """Writes what ``put`` hands it through ``write`` (a list of rows → False if the lease was lost)."""

    def __init__(self, write: Callable[[list[dict[str, Any]]], bool], *, name: str) -> None:
        self._write = write
        self._queue: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
        self.error: JournalError | None = None
        self.fenced_out = False  # an outcome found another run holding the batch
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def put(self, outcome: dict[str, Any]) -> None:
        self._queue.put(outcome)

    def check(self) -> None:
        """Raise the journal's failure, if writing an outcome met one: the run must stop sending."""
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        """Write everything handed over so far, then stop."""
        self._queue.put(None)
        self._thread.join()

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            batch, done = ([] if first is None else [first]), first is None
            while not done and len(batch) < MAX_PER_TRANSACTION:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    done = True
                else:
                    batch.append(more)
            if batch and self.error is None and not self.fenced_out:
                try:
                    if not self._write(batch):
                        self.fenced_out = True
                except JournalError as exc:
                    self.error = exc
            if done:
                return
