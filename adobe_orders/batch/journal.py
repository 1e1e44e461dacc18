"""The journal: every non-dry run, written as it happens, so nothing is lost and all can be undone.

SQLite in WAL mode, one file per workspace (``.adobe-orders/journal.sqlite``). A batch records
the API it runs against, its column mapping and row labels, its kind and parent (a retry is a
child of its batch; an undo names the batch it undoes). Each row is known by
``(batch_id, batch_row)``; it is marked ``pending`` — with the value the order held before — and
committed *before* its PATCH is sent, so after a crash at any instant every order that may have
changed has its previous value on disk. One process owns a running batch at a time: a lease row
(pid, host, token, heartbeat) taken atomically; the pending mark is written only while the lease
is held, so two runs of one batch can never both send a row.

Every SQLite problem leaves this module as a one-line ``JournalError`` naming the file and the fix.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import BatchBusy, JournalError
from ..workspace import dotenv_file, state_dir, workspace_root

if TYPE_CHECKING:  # sqlite3 loads with the first journal opened: a dry run never needs it
    import sqlite3

JOURNAL_FILE = "journal.sqlite"
SCHEMA_VERSION = 2
HEARTBEAT_SECONDS = 2.0
STALE_AFTER_SECONDS = 30.0  # a lease not renewed for this long belongs to a dead or sleeping owner
OPEN_ATTEMPTS_SECONDS = 20.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS batch (
    batch_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, kind TEXT NOT NULL, parent_batch TEXT,
    environment TEXT NOT NULL, base_url TEXT NOT NULL, client_hash TEXT NOT NULL,
    fingerprint TEXT NOT NULL, row_count INTEGER NOT NULL, columns_json TEXT NOT NULL,
    index_name TEXT
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
    heartbeat REAL NOT NULL
);
"""
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


def default_journal_path(configured: str | os.PathLike[str] | None = None, *, dotenv: bool = True) -> Path:
    """The journal of this workspace: ``configured`` (a client's setting), else ADOBE_VIPM_JOURNAL
    (environment, then — with ``dotenv`` — the workspace ``.env``), else
    ``<workspace>/.adobe-orders/journal.sqlite``.

    Needs no credentials, so ``history()`` works with a half-configured ``.env``. A relative path
    is taken from the workspace folder, so the CLI at the root and a notebook in a subfolder agree.
    A client's settings already hold what its ``.env`` says, so with a client ``dotenv`` is False:
    a client configured in code does not depend on (or fail on) a ``.env`` it never read.
    """
    chosen: str | os.PathLike[str] | None = configured or os.environ.get("ADOBE_VIPM_JOURNAL", "").strip() or None
    if chosen is None and dotenv:
        env = dotenv_file()
        if env is not None:
            from ..config import read_dotenv  # the one reader: a damaged .env is named, never a codec error

            chosen = (read_dotenv(env).get("ADOBE_VIPM_JOURNAL") or "").strip() or None
    if chosen is None:
        return state_dir() / JOURNAL_FILE
    path = Path(chosen).expanduser()
    return path if path.is_absolute() else workspace_root() / path


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
class Binding:
    """The API a batch belongs to. The client ID is kept only as a SHA-256, never in clear."""

    environment: str
    base_url: str
    client_hash: str

    def describe(self) -> str:
        return f"{self.environment} at {self.base_url} (client ID #{self.client_hash[:8]})"


class Journal:
    """One SQLite file, shared by the threads of a batch through one connection and lock."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        import sqlite3

        self.path = Path(path) if path is not None else default_journal_path()
        self._lock = threading.RLock()
        self._sqlite = sqlite3
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=15)
            self._setup()
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
                self._db.executescript(SCHEMA)
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                return
            except self._sqlite.OperationalError as exc:
                if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.05 + 0.1 * (uuid.uuid4().int % 10) / 10)

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
                    columns: dict[str, str], index_name: str | None, rows: list[dict[str, Any]]) -> bool:
        """Record the batch and all its rows in one transaction. False if it exists already (another
        process created it a moment ago); the caller then treats it as a resume."""
        now = utc_now()
        with self._guard() as db:
            db.execute("BEGIN IMMEDIATE")
            if db.execute("SELECT 1 FROM batch WHERE batch_id = ?", (batch_id,)).fetchone():
                db.execute("ROLLBACK")
                return False
            db.execute("INSERT INTO batch VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (batch_id, now, kind, parent, binding.environment, binding.base_url, binding.client_hash,
                        fp, len(rows), json.dumps(columns), index_name))
            db.executemany(
                "INSERT INTO batch_row (batch_id, batch_row, label, label_json, customer_id, order_id, target, "
                "expected_json, previous, sent, status, reason, source_batch, source_row, updated_at) "
                "VALUES (:batch_id, :batch_row, :label, :label_json, :customer_id, :order_id, :target, "
                ":expected_json, :previous, 0, :status, :reason, :source_batch, :source_row, :updated_at)",
                [{**r, "batch_id": batch_id, "updated_at": now} for r in rows])
            db.execute("COMMIT")
        return True

    def rows(self, batch_id: str) -> dict[int, sqlite3.Row]:
        return {r["batch_row"]: r for r in self.query(
            "SELECT * FROM batch_row WHERE batch_id = ? ORDER BY batch_row", (batch_id,))}

    # -- ownership -----------------------------------------------------------------------------
    def acquire(self, batch_id: str) -> str:
        """Take the batch's lease, or raise BatchBusy naming the live owner. Returns the token."""
        token = uuid.uuid4().hex
        me_pid, me_host = os.getpid(), socket.gethostname()
        with self._guard() as db:
            db.execute("BEGIN IMMEDIATE")
            held = db.execute("SELECT token, pid, host, heartbeat FROM lease WHERE batch_id = ?",
                              (batch_id,)).fetchone()
            if held is not None and _alive(pid=held[1], host=held[2], heartbeat=held[3]):
                db.execute("ROLLBACK")
                where = "this process (another thread)" if (held[1], held[2]) == (me_pid, me_host) else (
                    f"process {held[1]} on {held[2]}")
                raise BatchBusy(
                    f"Batch {batch_id} is running now in {where}; two runs of one batch would send its rows "
                    f"twice. Wait for it to finish (or stop it), then run again. A run that died stops "
                    f"blocking within {int(STALE_AFTER_SECONDS)} s.")
            db.execute("INSERT OR REPLACE INTO lease VALUES (?, ?, ?, ?, ?)",
                       (batch_id, token, me_pid, me_host, time.time()))
            db.execute("COMMIT")
        return token

    def heartbeat(self, batch_id: str, token: str) -> bool:
        """Renew the lease; False when another run took it over (this run must stop sending)."""
        with self._guard() as db:
            cur = db.execute("UPDATE lease SET heartbeat = ? WHERE batch_id = ? AND token = ?",
                             (time.time(), batch_id, token))
            return cur.rowcount == 1

    def release(self, batch_id: str, token: str) -> None:
        with self._guard() as db:
            db.execute("DELETE FROM lease WHERE batch_id = ? AND token = ?", (batch_id, token))

    def running_elsewhere(self, batch_id: str) -> str | None:
        """Who runs this batch now, if anyone alive does (for undo, which must not race a run)."""
        held = self.query("SELECT pid, host, heartbeat FROM lease WHERE batch_id = ?", (batch_id,))
        if held and _alive(pid=held[0]["pid"], host=held[0]["host"], heartbeat=held[0]["heartbeat"]):
            return f"process {held[0]['pid']} on {held[0]['host']}"
        return None

    # -- row progress --------------------------------------------------------------------------
    def mark_pending(self, batch_id: str, row: int, previous: str | None, token: str) -> bool:
        """Committed before the PATCH leaves: the previous value is on disk first, and only while
        this run holds the lease. False: the lease was lost, so the row must not be sent."""
        with self._guard() as db:
            cur = db.execute(
                "UPDATE batch_row SET status = 'pending', previous = CASE WHEN sent = 1 THEN previous ELSE ? END, "
                "sent = 1, updated_at = ? WHERE batch_id = ? AND batch_row = ? AND EXISTS "
                "(SELECT 1 FROM lease WHERE batch_id = ? AND token = ?)",
                (previous, utc_now(), batch_id, row, batch_id, token))
            return cur.rowcount == 1

    def record(self, batch_id: str, row: int, *, status: str, reason: str | None, previous: str | None,
               current: str | None, http_status: int | None, error_code: str | None, attempts: int | None,
               request_id: str | None, correlation_id: str | None, updated_at: str) -> None:
        """The row's outcome. A previous value already on disk (from the pending mark) is kept."""
        with self._guard() as db:
            db.execute(
                "UPDATE batch_row SET status = ?, reason = ?, previous = CASE WHEN sent = 1 THEN previous "
                "ELSE ? END, current_value = ?, http_status = ?, error_code = ?, attempts = ?, request_id = ?, "
                "correlation_id = ?, updated_at = ? WHERE batch_id = ? AND batch_row = ?",
                (status, reason, previous, current, http_status, error_code, attempts, request_id,
                 correlation_id, updated_at, batch_id, row))

    def history(self) -> list[sqlite3.Row]:
        return self.query(
            "SELECT b.batch_id, b.kind, b.parent_batch, b.environment, b.base_url, b.created_at, r.batch_row, "
            "r.label, r.customer_id, r.order_id, r.previous, r.target, r.current_value, r.status, r.reason, "
            "r.http_status, r.error_code, r.attempts, r.request_id, r.correlation_id, r.updated_at, "
            "r.source_batch, r.source_row "
            "FROM batch_row r JOIN batch b USING (batch_id) ORDER BY b.created_at, r.batch_row"
        )


def _alive(*, pid: int, host: str, heartbeat: float) -> bool:
    """A lease holder is alive if it renewed recently and, on this machine, its process exists."""
    if time.time() - heartbeat > STALE_AFTER_SECONDS:
        return False
    if host != socket.gethostname():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Lease:
    """Holds a batch's lease while it runs: a heartbeat thread renews it, ``lost`` says if another
    run took it over (then nothing more may be sent)."""

    def __init__(self, journal: Journal, batch_id: str) -> None:
        self.journal, self.batch_id = journal, batch_id
        self.token = journal.acquire(batch_id)
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"adobe-orders-lease-{batch_id}", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            try:
                if not self.journal.heartbeat(self.batch_id, self.token):
                    self.lost.set()
                    return
            except JournalError:
                continue  # a passing lock; the pending mark itself checks ownership

    def release(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        with contextlib.suppress(JournalError):
            self.journal.release(self.batch_id, self.token)


__all__ = ["Binding", "Journal", "JournalError", "Lease", "Record", "default_journal_path", "fingerprint", "utc_now"]
