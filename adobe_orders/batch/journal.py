"""The journal: every non-dry run, written as it happens, so nothing is lost and all can be undone.

SQLite in WAL mode. A row is marked ``pending`` — with the value it had before — and committed
*before* its PATCH is sent; the outcome follows. So after a crash at any instant, every order
that may have changed has its previous value on disk, and ``resume`` knows which rows to
re-check (pending) and which never to send again (done). ``synchronous=NORMAL`` keeps commits
cheap; in WAL mode it loses nothing when the process is killed, only on power loss.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite3

DEFAULT_PATH = Path(".adobe-orders") / "journal.sqlite"
DONE = ("updated", "unchanged", "invalid", "skipped")

SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    batch_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, kind TEXT NOT NULL, parent_batch TEXT,
    environment TEXT NOT NULL, base_url TEXT NOT NULL, fingerprint TEXT NOT NULL, row_count INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS rows (
    batch_id TEXT NOT NULL, row INTEGER NOT NULL, customer_id TEXT, order_id TEXT, target TEXT,
    previous TEXT, status TEXT NOT NULL, http_status INTEGER, error_code TEXT, error TEXT,
    attempts INTEGER, request_id TEXT, correlation_id TEXT, updated_at TEXT,
    PRIMARY KEY (batch_id, row)
);
CREATE INDEX IF NOT EXISTS rows_by_order ON rows (customer_id, order_id);
"""


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def fingerprint(rows: Iterable[Sequence[Any]]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update("\x1f".join("" if v is None else str(v) for v in row).encode("utf-8", "surrogatepass"))
        digest.update(b"\x1e")
    return digest.hexdigest()


class Journal:
    """One SQLite file, shared by the threads of a batch through one lock."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        import sqlite3  # here, not at import time: a dry run never needs it

        self.path = Path(path or os.environ.get("ADOBE_VIPM_JOURNAL") or DEFAULT_PATH)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def __repr__(self) -> str:
        return f"<Journal {self.path}>"

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _write(self, sql: str, params: Sequence[Any]) -> None:
        with self._lock:
            self._db.execute(sql, params)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        import sqlite3

        with self._lock:
            cur = self._db.execute(sql, params)
            cur.row_factory = sqlite3.Row
            return cur.fetchall()

    # -- batches -------------------------------------------------------------------------------
    def batch(self, batch_id: str) -> sqlite3.Row | None:
        rows = self.query("SELECT * FROM batches WHERE batch_id = ?", (batch_id,))
        return rows[0] if rows else None

    def start_batch(self, batch_id: str, *, kind: str, parent: str | None, environment: str, base_url: str,
                    fp: str, rows: list[tuple[int, str | None, str | None, str | None, str, str | None]]) -> None:
        """Record the batch and all its rows in one transaction: (row, customer, order, target,
        status, error). Invalid and skipped rows are final here; the rest are ``queued``."""
        with self._lock:
            self._db.execute("BEGIN")
            self._db.execute(
                "INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (batch_id, utc_now(), kind, parent, environment, base_url, fp, len(rows)),
            )
            self._db.executemany(
                "INSERT INTO rows (batch_id, row, customer_id, order_id, target, status, error, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(batch_id, r, c, o, t, s, e, utc_now()) for r, c, o, t, s, e in rows],
            )
            self._db.execute("COMMIT")

    def rows(self, batch_id: str) -> dict[int, sqlite3.Row]:
        return {r["row"]: r for r in self.query("SELECT * FROM rows WHERE batch_id = ? ORDER BY row",
                                                 (batch_id,))}

    # -- row progress --------------------------------------------------------------------------
    def mark_pending(self, batch_id: str, row: int, previous: str | None) -> None:
        """Committed before the PATCH leaves: the previous value is on disk first."""
        self._write("UPDATE rows SET status = 'pending', previous = ?, updated_at = ? "
                    "WHERE batch_id = ? AND row = ?", (previous, utc_now(), batch_id, row))

    def record(self, batch_id: str, row: int, *, status: str, previous: str | None,
               http_status: int | None, error_code: str | None, error: str | None, attempts: int,
               request_id: str | None, correlation_id: str | None, updated_at: str) -> None:
        self._write(
            "UPDATE rows SET status = ?, previous = COALESCE(?, previous), http_status = ?, error_code = ?, "
            "error = ?, attempts = ?, request_id = ?, correlation_id = ?, updated_at = ? "
            "WHERE batch_id = ? AND row = ?",
            (status, previous, http_status, error_code, error, attempts, request_id, correlation_id,
             updated_at, batch_id, row),
        )

    def history(self) -> list[sqlite3.Row]:
        return self.query(
            "SELECT b.batch_id, b.kind, b.parent_batch, b.environment, b.base_url, b.created_at, r.row, "
            "r.customer_id, r.order_id, r.previous, r.target, r.status, r.http_status, r.error_code, "
            "r.error, r.attempts, r.request_id, r.correlation_id, r.updated_at "
            "FROM rows r JOIN batches b USING (batch_id) ORDER BY b.created_at, r.row"
        )
