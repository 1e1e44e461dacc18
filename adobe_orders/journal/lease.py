"""A run's hold on its batch, on any journal: the heartbeat thread, and the flag that says it was lost."""

from __future__ import annotations

import threading

from ..errors import JournalError
from .contract import JournalBackend


class Lease:
    """Holds a batch's lease while it runs: a thread bumps its beat every ``heartbeat_seconds``;
    ``lost`` says another run took it over (then nothing more may be sent or written)."""

    def __init__(self, journal: JournalBackend, batch_id: str) -> None:
        self.journal, self.batch_id = journal, batch_id
        self.fence = journal.acquire(batch_id)
        self.lost = threading.Event()
        self.unwritten: JournalError | None = None  # outcomes the journal could not take, said at release
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"adobe-orders-lease-{batch_id}", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(self.journal.heartbeat_seconds):
            try:
                if not self.journal.heartbeat(self.fence):
                    self.lost.set()
                    return
            except JournalError:
                continue  # a passing lock, or a journal gone: the pending mark itself stops the run

    def release(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        try:
            self.journal.release(self.fence)
        except JournalError as exc:
            self.unwritten = exc


__all__ = ["Lease"]
