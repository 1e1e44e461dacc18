"""The file journal: SQLite in WAL mode, one file per workspace (``.adobe-orders/journal.sqlite``). A batch records
the API it runs against, its column mapping and row labels, its kind and parent (a retry is a
child of its batch; an undo names the batch it undoes). Each row is known by
``(batch_id, batch_row)``; it is marked ``pending`` — with the value the order held before — and
committed *before* its PATCH is sent, so after a crash at any instant every order that may have
changed has its previous value on disk. Ownership follows ``contract``'s rules; on a file, the same
host decides by the owner's pid and another host by a beat watched on the taker's monotonic clock.

Every SQLite problem leaves this module as a one-line ``JournalError`` naming the file and the fix.
"""

from __future__ import annotations

import contextlib
import functools
import getpass
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BatchBusy, JournalError, JournalGone, OrderBusy
from .contract import HEARTBEAT_SECONDS, LEASE_SECONDS, Binding, Fence, utc_now

if TYPE_CHECKING:  # sqlite3 loads with the first journal opened: a dry run never needs it
    import sqlite3

SCHEMA_VERSION = 5  # 3: lease epoch and beat; 4: who ran a batch, from which host; order claims;
#                     5: the lease's machine (kernel and pid namespace)
JOURNAL_FILES = ("", "-wal", "-shm")  # the database and SQLite's files beside it: deleting any loses data
OPEN_ATTEMPTS_SECONDS = 20.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS batch (
    batch_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, kind TEXT NOT NULL, parent_batch TEXT,
    environment TEXT NOT NULL, base_url TEXT NOT NULL, client_hash TEXT NOT NULL,
    fingerprint TEXT NOT NULL, row_count INTEGER NOT NULL, columns_json TEXT NOT NULL,
    index_name TEXT, who TEXT, host TEXT
);
CREATE TABLE IF NOT EXISTS batch_row (
    batch_id TEXT NOT NULL, batch_row INTEGER NOT NULL, label TEXT NOT NULL, label_json TEXT NOT NULL,
    customer_id TEXT, order_id TEXT, target TEXT, expected_json TEXT,
    previous TEXT, sent INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL, reason TEXT,
    current_value TEXT, http_status INTEGER, error_code TEXT, attempts INTEGER, request_id TEXT,
    correlation_id TEXT, updated_at TEXT, source_batch TEXT, source_row INTEGER,
    PRIMARY KEY (batch_id, batch_row)
);
CREATE INDEX IF NOT EXISTS batch_row_by_order ON batch_row (customer_id, order_id);
CREATE INDEX IF NOT EXISTS batch_by_parent ON batch (parent_batch);
CREATE TABLE IF NOT EXISTS lease (
    batch_id TEXT PRIMARY KEY, token TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL,
    heartbeat REAL NOT NULL, epoch INTEGER NOT NULL DEFAULT 0, beat INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS order_claim (
    customer_id TEXT NOT NULL, order_id TEXT NOT NULL, batch_id TEXT, batch_row INTEGER, token TEXT,
    last_value TEXT, last_batch TEXT, claimed_at TEXT,
    PRIMARY KEY (customer_id, order_id)
);
"""
# Columns added to tables of older journals (CREATE TABLE IF NOT EXISTS leaves an old table as it was).
ADDED_COLUMNS = {"batch": {"who": "TEXT", "host": "TEXT"}}
# The lease columns added by schema 3; ``heartbeat`` (a wall-clock time) is kept for people to read only.
LEASE_COLUMNS = {"epoch": "INTEGER NOT NULL DEFAULT 0", "beat": "INTEGER NOT NULL DEFAULT 0",
                 "machine": "TEXT NOT NULL DEFAULT ''"}
FREE = ""  # the token of a lease nobody holds (its row stays, so the epoch only ever grows)


def _advice(exc: BaseException, path: Path) -> str:
    """One line: which file, what is wrong, what to do."""
    text = str(exc).lower()
    if isinstance(exc, PermissionError) or "readonly" in text or "read-only" in text or "unable to open" in text:
        return (f"The journal {path} cannot be written (read-only file or folder, or no permission). Fix the "
                "permissions, or set ADOBE_VIPM_JOURNAL to a writable file.")
    if "full" in text or (isinstance(exc, OSError) and getattr(exc, "errno", None) == 28):
        return f"The disk holding the journal {path} is full. Free some space, then resume the batch."
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (f"The journal {path} is damaged (not a readable SQLite database). Move it aside (rename it) "
                "to start a new journal; batches recorded in it can no longer be undone from here.")
    if "locked" in text or "busy" in text:
        return (f"The journal {path} stayed locked by another program for too long. Close other programs "
                "using it (a DB browser, a stuck kernel), then try again.")
    return f"The journal {path} could not be used: {exc}."


@dataclass(frozen=True)
class _Seen:
    """A lease as a taker watches it: what it held, and since when on the taker's monotonic clock."""

    state: tuple[str, int, int]  # token, epoch, beat
    since: float


class Journal:
    """One SQLite file, shared by the threads of a batch through one connection and lock.

    ``lease_seconds``, ``heartbeat_seconds`` and ``clock`` (a monotonic clock) are the lease's timing,
    injectable so tests of a frozen or a foreign owner need not wait half a minute.
    """

    def __init__(self, path: str | os.PathLike[str], *, lease_seconds: float = LEASE_SECONDS,
                 heartbeat_seconds: float = HEARTBEAT_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        import sqlite3  # loads with the first journal opened (see TYPE_CHECKING above)

        self.path = Path(path)
        self.lease_seconds, self.heartbeat_seconds, self._clock = lease_seconds, heartbeat_seconds, clock
        self.who, self.host = _os_user(), socket.gethostname()
        self._lock = threading.RLock()
        self._sqlite = sqlite3
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=15)
            self._setup()
            self._identity = self._files()
        except (sqlite3.Error, OSError) as exc:
            raise JournalError(_advice(exc, self.path), path=str(self.path)) from None

    def _setup(self) -> None:
        """WAL and the schema. Two processes creating one fresh journal at the same instant both get
        "database is locked" from ``journal_mode=WAL`` (SQLite's busy handler does not cover it), so
        that step is retried for a while instead of crashing."""
        deadline = time.monotonic() + OPEN_ATTEMPTS_SECONDS
        while True:
            try:
                self._db.execute("PRAGMA busy_timeout = 15000")
                if self._db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                version = self._db.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise JournalError(
                        f"The journal {self.path} has schema version {version}, newer than this adobe-orders "
                        f"understands ({SCHEMA_VERSION}); it was written by a later version. Upgrade adobe-orders "
                        "(pip install -U adobe-orders); nothing was changed.", path=str(self.path))
                if version == SCHEMA_VERSION:
                    return
                self._db.executescript(SCHEMA)
                self._add_lease_columns()
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                return
            except self._sqlite.OperationalError as exc:
                if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.05 + 0.1 * (uuid.uuid4().int % 10) / 10)

    def _add_lease_columns(self) -> None:
        """A journal from before schema 3 gets the epoch and beat columns (in a transaction, so two
        processes upgrading one journal at once do not both add them). A journal already upgraded is only
        read: every open taking the write lock would queue the opens of many processes behind each other."""
        wanted = {"lease": LEASE_COLUMNS, **ADDED_COLUMNS}
        if all(columns.keys() <= {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
               for table, columns in wanted.items()):
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for table, columns in wanted.items():
                have = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
                for name, kind in columns.items():
                    if name not in have:
                        self._db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def _files(self) -> dict[str, tuple[int, int]]:
        """The device and inode of the journal's files that exist now (the path alone would not see a
        file replaced by a copy, or deleted and created again)."""
        found = {}
        for suffix in JOURNAL_FILES:
            with contextlib.suppress(FileNotFoundError):
                info = os.stat(f"{self.path}{suffix}")
                found[suffix] = (info.st_dev, info.st_ino)
        return found

    def check_identity(self) -> None:
        """Raise ``JournalGone`` if a file of this journal was deleted or replaced since it was opened:
        this connection would go on writing to a file nobody can read again."""
        now = self._files()
        changed = [f"{self.path.name}{suffix}" for suffix, ident in self._identity.items() if now.get(suffix) != ident]
        if changed:
            how = "deleted or replaced" if len(changed) > 1 else (
                "replaced" if changed[0].removeprefix(self.path.name) in now else "deleted")
            raise JournalGone(
                f"The journal {self.path} was {how} while this run used it ({', '.join(changed)}); what this run "
                "did since then is in no journal, so it stopped sending and cannot be undone from the journal. "
                "The results file keeps each changed order's previous value.", path=str(self.path))

    @property
    def location(self) -> str:
        """What messages and results name: the file."""
        return str(self.path)

    def __repr__(self) -> str:
        return f"<Journal {self.path}>"

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextlib.contextmanager
    def _guard(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._db
            except self._sqlite.Error as exc:
                with contextlib.suppress(self._sqlite.Error):
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                raise JournalError(_advice(exc, self.path), path=str(self.path)) from None

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._guard() as db:
            cur = db.execute(sql, params)
            cur.row_factory = self._sqlite.Row
            return cur.fetchall()

    # -- batches -------------------------------------------------------------------------------
    def batch(self, batch_id: str) -> sqlite3.Row | None:
        rows = self.query("SELECT * FROM batch WHERE batch_id = ?", (batch_id,))
        return rows[0] if rows else None

    def children(self, batch_id: str) -> list[sqlite3.Row]:
        return self.query("SELECT * FROM batch WHERE parent_batch = ? ORDER BY created_at", (batch_id,))

    def legacy_batch(self, batch_id: str) -> bool:
        """True if the pre-identity journal format (tables ``batches``/``rows``) holds this batch."""
        if not self.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'batches'"):
            return False
        return bool(self.query("SELECT 1 FROM batches WHERE batch_id = ?", (batch_id,)))

    def recent(self, limit: int = 5) -> list[str]:
        return [r["batch_id"] for r in self.query("SELECT batch_id FROM batch ORDER BY created_at DESC LIMIT ?",
                                                   (limit,))]

    def start_batch(self, batch_id: str, *, kind: str, parent: str | None, binding: Binding, fp: str,
                    columns: dict[str, str], index_name: str | None, rows: list[dict[str, Any]],
                    who: str | None = None, host: str | None = None, created_at: str | None = None) -> bool:
        """Record the batch and all its rows in one transaction. False if it exists already (another
        process created it a moment ago); the caller then treats it as a resume. ``who``, ``host`` and
        ``created_at`` are given only when a batch is copied from another journal."""
        now = utc_now()
        with self._guard() as db:
            db.execute("BEGIN IMMEDIATE")
            if db.execute("SELECT 1 FROM batch WHERE batch_id = ?", (batch_id,)).fetchone():
                db.execute("ROLLBACK")
                return False
            db.execute("INSERT INTO batch (batch_id, created_at, kind, parent_batch, environment, base_url, "
                       "client_hash, fingerprint, row_count, columns_json, index_name, who, host) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (batch_id, created_at or now, kind, parent, binding.environment, binding.base_url,
                        binding.client_hash, fp, len(rows), json.dumps(columns), index_name, who or self.who,
                        host or self.host))
            db.executemany(
                "INSERT INTO batch_row (batch_id, batch_row, label, label_json, customer_id, order_id, target, "
                "expected_json, previous, sent, status, reason, source_batch, source_row, updated_at, current_value, "
                "http_status, error_code, attempts, request_id, correlation_id) "
                "VALUES (:batch_id, :batch_row, :label, :label_json, :customer_id, :order_id, :target, "
                ":expected_json, :previous, :sent, :status, :reason, :source_batch, :source_row, :updated_at, "
                ":current_value, :http_status, :error_code, :attempts, :request_id, :correlation_id)",
                [{"sent": 0, "current_value": None, "http_status": None, "error_code": None, "attempts": None,
                  "request_id": None, "correlation_id": None, "updated_at": now, **r, "batch_id": batch_id}
                 for r in rows])
            db.execute("COMMIT")
        return True

    def rows(self, batch_id: str) -> dict[int, sqlite3.Row]:
        return {r["batch_row"]: r for r in self.query(
            "SELECT * FROM batch_row WHERE batch_id = ? ORDER BY batch_row", (batch_id,))}

    # -- ownership (the semantics are in the module docstring) --------------------------------------
    def acquire(self, batch_id: str) -> Fence:
        """Take the batch's lease, or raise BatchBusy naming the live owner. A lease held on another
        host is watched for up to ``lease_seconds`` first (see the module docstring)."""
        token = uuid.uuid4().hex
        seen: _Seen | None = None
        while True:
            now = self._clock()  # read outside the transaction: a test's clock may write the journal
            with self._guard() as db:
                db.execute("BEGIN IMMEDIATE")
                held = db.execute("SELECT token, pid, host, epoch, beat, machine FROM lease WHERE batch_id = ?",
                                  (batch_id,)).fetchone()
                verdict, seen = self._verdict(held, seen, now)
                if verdict == "free":
                    epoch = (held[3] if held is not None else 0) + 1
                    db.execute("INSERT OR REPLACE INTO lease (batch_id, token, pid, host, heartbeat, epoch, beat, "
                               "machine) VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
                               (batch_id, token, os.getpid(), socket.gethostname(), time.time(), epoch, _machine()))
                    db.execute("COMMIT")
                    return Fence(batch_id, token, epoch)
                db.execute("ROLLBACK")
            if verdict == "busy":
                assert held is not None
                raise BatchBusy(f"Batch {batch_id} is running now in {_where(held[1], held[2])}; two runs of one "
                                "batch would send its rows twice. Wait for it to finish (or stop it), then run "
                                f"again. {_how_it_ends(held[2], self.lease_seconds)}")
            time.sleep(self._poll_seconds())

    def _poll_seconds(self) -> float:
        return max(0.01, min(self.heartbeat_seconds / 4, self.lease_seconds / 10))

    def _verdict(self, held: Any, seen: _Seen | None, now: float) -> tuple[str, _Seen | None]:
        """"free", "busy" or "watch" (another host's lease, not yet still for a whole lease period)."""
        if held is None or held[0] == FREE:
            return "free", None
        token, pid, host, epoch, beat, machine = held
        if _this_machine(host, machine):
            return ("busy" if pid == os.getpid() or _pid_alive(pid) else "free"), None
        state = (token, epoch, beat)
        if seen is None:
            return "watch", _Seen(state, now)
        if seen.state != state:
            return "busy", seen  # its beat moved while watched: the owner is alive
        return ("free" if now - seen.since >= self.lease_seconds else "watch"), seen

    def heartbeat(self, fence: Fence) -> bool:
        """Bump the lease's beat; False when another run took it over (this run must stop sending)."""
        self.check_identity()
        with self._guard() as db:
            cur = db.execute("UPDATE lease SET beat = beat + 1, heartbeat = ? WHERE batch_id = ? AND token = ? "
                             "AND epoch = ?", (time.time(), fence.batch_id, fence.token, fence.epoch))
            return cur.rowcount == 1

    def release(self, fence: Fence) -> None:
        """Give the lease up; its row stays (without owner) so the next run's epoch is higher still."""
        with self._guard() as db:
            db.execute("UPDATE lease SET token = ?, pid = 0 WHERE batch_id = ? AND token = ? AND epoch = ?",
                       (FREE, fence.batch_id, fence.token, fence.epoch))

    def running_elsewhere(self, batch_id: str) -> str | None:
        """Who runs this batch now, if anyone alive does (for undo, which must not race a run). Judged
        as ``acquire`` judges it, so another host's lease may be watched for up to ``lease_seconds``."""
        seen: _Seen | None = None
        while True:
            now = self._clock()
            held = self.query("SELECT token, pid, host, epoch, beat, machine FROM lease WHERE batch_id = ?",
                              (batch_id,))
            verdict, seen = self._verdict(tuple(held[0]) if held else None, seen, now)
            if verdict == "free":
                return None
            if verdict == "busy":
                return _where(held[0]["pid"], held[0]["host"])
            time.sleep(self._poll_seconds())

    def holder(self, batch_id: str) -> str | None:
        """Who holds the batch's lease now, as written (not judged): for the message of a run displaced."""
        held = self.query("SELECT token, pid, host FROM lease WHERE batch_id = ?", (batch_id,))
        return None if not held or held[0]["token"] == FREE else _where(held[0]["pid"], held[0]["host"])

    # -- row progress --------------------------------------------------------------------------
    def mark_pending(self, fence: Fence, row: int, previous: str | None, *, current: str | None = None,
                     check_current: bool = False) -> bool:
        """Committed before the PATCH leaves: the previous value is on disk first, and only while
        this run holds the lease. False: the lease was lost, so the row must not be sent. Raises
        ``JournalGone`` if the journal file was deleted or replaced.

        The order is claimed in the same transaction (one order, one run at a time): ``OrderBusy``
        when another live run has it pending — or, with ``check_current``, when another batch changed
        it after this run read ``current`` — and nothing is written."""
        self.check_identity()
        with self._guard() as db:
            db.execute("BEGIN IMMEDIATE")
            target = db.execute(f"SELECT customer_id, order_id FROM batch_row WHERE batch_id = ? AND batch_row = ? "
                                f"AND {_HOLDS}", (fence.batch_id, row, fence.batch_id, fence.token,
                                                  fence.epoch)).fetchone()
            if target is None:
                db.execute("ROLLBACK")
                return False
            try:
                self._claim(db, target[0], target[1], fence, row, current, check_current)
            except OrderBusy:
                db.execute("ROLLBACK")
                raise
            db.execute(
                "UPDATE batch_row SET status = 'pending', previous = CASE WHEN sent = 1 THEN previous ELSE ? END, "
                "sent = 1, updated_at = ? WHERE batch_id = ? AND batch_row = ?",
                (previous, utc_now(), fence.batch_id, row))
            db.execute("COMMIT")
            return True

    def _claim(self, db: sqlite3.Connection, customer: str, order: str, fence: Fence, row: int,
               current: str | None, check_current: bool) -> None:
        held = db.execute("SELECT c.batch_id, c.batch_row, c.token, c.last_value, c.last_batch, b.who, b.host "
                          "FROM order_claim c LEFT JOIN batch b ON b.batch_id = c.batch_id "
                          "WHERE c.customer_id = ? AND c.order_id = ?", (customer, order)).fetchone()
        if held is not None and held[0] is not None and (held[0], held[1]) != (fence.batch_id, row) \
                and self._claim_alive(db, held[0], held[2]):
            raise OrderBusy(f"Not sent: order {order} of customer {customer} is being changed right now by batch "
                            f"{held[0]} ({held[5]} on {held[6]}); one order is changed by one run at a time. Retry "
                            "this row when that batch is done (retry_failed(results)).", batch_id=held[0])
        if check_current and held is not None and held[4] not in (None, fence.batch_id) and held[3] != current:
            raise OrderBusy(f"Order {order} of customer {customer} was changed by batch {held[4]} after this run "
                            "read it.", batch_id=held[4], changed=True)
        db.execute("INSERT INTO order_claim (customer_id, order_id, batch_id, batch_row, token, claimed_at) "
                   "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (customer_id, order_id) DO UPDATE SET "
                   "batch_id = excluded.batch_id, batch_row = excluded.batch_row, token = excluded.token, "
                   "claimed_at = excluded.claimed_at", (customer, order, fence.batch_id, row, fence.token, utc_now()))

    @staticmethod
    def _claim_alive(db: sqlite3.Connection, batch_id: str, token: str | None) -> bool:
        """A claim holds while the run that made it still holds its batch's lease: the lease keeps its
        token and, on this machine, its process exists (as ``acquire`` judges a lease)."""
        lease = db.execute("SELECT pid, host, machine FROM lease WHERE batch_id = ? AND token = ?",
                           (batch_id, token)).fetchone()
        return lease is not None and (not _this_machine(lease[1], lease[2]) or _pid_alive(lease[0]))

    def claim_holder(self, customer_id: str, order_id: str) -> str | None:
        """The batch that has this order pending in a live run now, if any (a waiting row polls this)."""
        with self._guard() as db:
            held = db.execute("SELECT batch_id, token FROM order_claim WHERE customer_id = ? AND order_id = ? AND "
                              "batch_id IS NOT NULL", (customer_id, order_id)).fetchone()
            return held[0] if held is not None and self._claim_alive(db, held[0], held[1]) else None

    def record(self, fence: Fence, row: int, *, status: str, reason: str | None, previous: str | None,
               current: str | None, http_status: int | None, error_code: str | None, attempts: int | None,
               request_id: str | None, correlation_id: str | None, updated_at: str) -> bool:
        """The row's outcome and its order's claim freed, only while this run holds the lease (False:
        another run took it over, and the row stays as that run will find it). A previous value
        already on disk is kept."""
        self.check_identity()
        with self._guard() as db:
            db.execute("BEGIN IMMEDIATE")
            cur = db.execute(
                "UPDATE batch_row SET status = ?, reason = ?, previous = CASE WHEN sent = 1 THEN previous "
                "ELSE ? END, current_value = ?, http_status = ?, error_code = ?, attempts = ?, request_id = ?, "
                f"correlation_id = ?, updated_at = ? WHERE batch_id = ? AND batch_row = ? AND {_HOLDS}",
                (status, reason, previous, current, http_status, error_code, attempts, request_id,
                 correlation_id, updated_at, fence.batch_id, row, fence.batch_id, fence.token, fence.epoch))
            if cur.rowcount != 1:
                db.execute("ROLLBACK")
                return False
            updated = status == "updated"
            db.execute("UPDATE order_claim SET batch_id = NULL, batch_row = NULL, token = NULL, claimed_at = NULL, "
                       "last_value = CASE WHEN ? THEN ? ELSE last_value END, "
                       "last_batch = CASE WHEN ? THEN ? ELSE last_batch END "
                       "WHERE batch_id = ? AND batch_row = ?",
                       (updated, current, updated, fence.batch_id, fence.batch_id, row))
            db.execute("COMMIT")
            return True

    HISTORY = ("SELECT b.batch_id, b.kind, b.parent_batch, b.environment, b.base_url, b.created_at, b.who, b.host, "
               "r.batch_row, r.label, r.customer_id, r.order_id, r.previous, r.target, r.current_value, r.status, "
               "r.reason, r.http_status, r.error_code, r.attempts, r.request_id, r.correlation_id, r.updated_at, "
               "r.source_batch, r.source_row, r.sent FROM batch_row r JOIN batch b USING (batch_id) ")

    def history(self) -> list[sqlite3.Row]:
        return self.query(self.HISTORY + "ORDER BY b.created_at, r.batch_row")

    def order_history(self, order_id: str, customer_id: str | None = None) -> list[sqlite3.Row]:
        """Every change this journal holds for one order (sent, or found done), newest first."""
        return self.query(self.HISTORY + "WHERE r.order_id = ? AND (? IS NULL OR r.customer_id = ?) AND "
                          "(r.sent = 1 OR r.status = 'updated') ORDER BY r.updated_at DESC, b.created_at DESC",
                          (order_id, customer_id, customer_id))

    def batches(self) -> list[sqlite3.Row]:
        return self.query("SELECT * FROM batch ORDER BY created_at")


# A run's write is one statement with this condition: it holds the lease (token and epoch) at that instant.
_HOLDS = "EXISTS (SELECT 1 FROM lease WHERE batch_id = ? AND token = ? AND epoch = ?)"


def _where(pid: int, host: str) -> str:
    if (pid, host) == (os.getpid(), socket.gethostname()):
        return "this process (another thread)"
    return f"process {pid} on {host}"


def _how_it_ends(host: str, lease_seconds: float) -> str:
    if host == socket.gethostname():
        return "A run that died stops blocking at once; a paused one (stopped, in a debugger) keeps the batch."
    return (f"A run on another machine that died stops blocking once its heartbeat has stood still for "
            f"{lease_seconds:g} s while a new run watches it.")


def _os_user() -> str:
    """Who runs a batch on a file journal: the operating-system user."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container), no USER variable
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


@functools.cache
def _machine() -> str:
    """Which kernel and pid namespace this process runs in ("" where that cannot be known): two
    processes with one host name see each other's pids only when these are the same too."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        return f"{boot}/{os.readlink('/proc/self/ns/pid')}"
    except OSError:
        return ""


def _this_machine(host: str, machine: str) -> bool:
    """A lease written here, where its pid can be checked (a lease from before the machine was
    recorded, "", is judged by its host name alone, as it was then)."""
    return host == socket.gethostname() and machine in ("", _machine())


def _pid_alive(pid: int) -> bool:
    """Whether a process of this machine exists. A stopped process does: it still owns its lease."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    with contextlib.suppress(OSError, IndexError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")  # a zombie has finished
    return True


__all__ = ["Journal"]
