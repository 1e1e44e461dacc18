"""What every journal is, whichever backend holds it: the ``JournalBackend`` protocol, the records it
keeps (``Binding``, ``Fence``, ``Record``), and the ownership rules each backend must keep exactly.

One run owns a batch at a time, through the batch's lease row. The semantics, which any other
journal backend must keep exactly:

- **Taking it** (``acquire``) increments the lease's ``epoch``; the run's ``Fence`` is
  ``(batch_id, token, epoch)``. A lease with no owner is taken at once.
- **Same host** (same name, and the same kernel and pid namespace: a container with the host's name
  has pids of its own, which mean nothing outside it): the owner's pid decides. A process that
  exists — even stopped (``SIGSTOP``, a debugger, a suspended laptop) — keeps its lease however old
  its heartbeat; a pid that is gone loses it at once. Age never overrides a live pid.
- **Another host**: wall clocks of two machines are never compared. The owner bumps a counter
  (``beat``) every ``heartbeat_seconds``; the taker watches ``(token, epoch, beat)`` on its *own*
  monotonic clock and takes the lease only if it did not change for a whole ``lease_seconds``
  (compare-and-set on the value it watched). Any change means the owner is alive: ``BatchBusy``.
- **Fencing**: every write of a run — pending mark, outcome (``record``), heartbeat — carries its
  ``Fence`` and is one statement conditioned on the lease still holding that token and epoch. A
  write that finds another owner changes nothing and returns False; the run stops sending at once.
- **Identity**: the journal remembers the device and inode of its files when opened; a file
  deleted or replaced under a run (``JournalGone``) stops it before its next pending mark.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

HEARTBEAT_SECONDS = 2.0  # how often an owner bumps its lease's beat
LEASE_SECONDS = 30.0  # how long another host's lease must stand still, watched, before it is taken
QUEUED, PENDING = "queued", "pending"


class Record(Protocol):
    """A journal row as read (``sqlite3.Row``) or built (a dict): looked up by column name."""

    def __getitem__(self, key: str) -> Any: ...



def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")



def fingerprint(rows: Iterable[Sequence[Any]]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update("\x1f".join("" if v is None else str(v) for v in row).encode("utf-8", "surrogatepass"))
        digest.update(b"\x1e")
    return digest.hexdigest()



@dataclass(frozen=True)
class Binding:
    """The API a batch belongs to. The client ID is kept only as a SHA-256, never in clear."""

    environment: str
    base_url: str
    client_hash: str

    def describe(self) -> str:
        return f"{self.environment} at {self.base_url} (client ID #{self.client_hash[:8]})"


@dataclass(frozen=True)
class Fence:
    """What a run holds while it owns a batch. Every write of the run carries it, and changes nothing
    once the lease holds another token or epoch (another run took the batch over)."""

    batch_id: str
    token: str
    epoch: int



class JournalBackend(Protocol):
    """What a journal does. ``location`` names it in messages (a path, or a URL with its password masked).

    Ownership (``acquire`` → ``Fence``, every write fenced, ``heartbeat``, ``release``) keeps the
    semantics written in ``journal``'s docstring; each backend says how it decides liveness.
    """

    @property
    def location(self) -> str: ...
    @property
    def who(self) -> str: ...  # who writes: the database user, or the OS user on a file
    @property
    def host(self) -> str: ...
    @property
    def heartbeat_seconds(self) -> float: ...

    def close(self) -> None: ...
    def batch(self, batch_id: str) -> Record | None: ...
    def children(self, batch_id: str) -> Sequence[Record]: ...
    def legacy_batch(self, batch_id: str) -> bool: ...
    def recent(self, limit: int = 5) -> list[str]: ...
    def batches(self) -> Sequence[Record]: ...
    def start_batch(self, batch_id: str, *, kind: str, parent: str | None, binding: Binding, fp: str,
                    columns: dict[str, str], index_name: str | None, rows: list[dict[str, Any]],
                    who: str | None = None, host: str | None = None, created_at: str | None = None) -> bool: ...
    def rows(self, batch_id: str) -> Mapping[int, Record]: ...
    def acquire(self, batch_id: str) -> Fence: ...
    def heartbeat(self, fence: Fence) -> bool: ...
    def release(self, fence: Fence) -> None: ...
    def running_elsewhere(self, batch_id: str) -> str | None: ...
    def holder(self, batch_id: str) -> str | None: ...
    def mark_pending(self, fence: Fence, row: int, previous: str | None, *, current: str | None = None,
                     check_current: bool = False) -> bool: ...
    def claim_holder(self, customer_id: str, order_id: str) -> str | None: ...
    def record(self, fence: Fence, row: int, *, status: str, reason: str | None, previous: str | None,
               current: str | None, http_status: int | None, error_code: str | None, attempts: int | None,
               request_id: str | None, correlation_id: str | None, updated_at: str) -> bool: ...
    def history(self) -> Sequence[Record]: ...
    def order_history(self, order_id: str, customer_id: str | None = None) -> Sequence[Record]: ...


__all__ = ["HEARTBEAT_SECONDS", "LEASE_SECONDS", "PENDING", "QUEUED", "Binding", "Fence", "JournalBackend", "Record",
           "fingerprint", "utc_now"]
