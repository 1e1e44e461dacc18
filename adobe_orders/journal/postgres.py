"""The team journal: the same journal in PostgreSQL (``ADOBE_VIPM_JOURNAL=postgresql://…``), so a
finance team sees, audits and undoes each other's batches, and never changes one order twice at once.

Where the database can decide something more soundly than the hosts, it does:

- **Leases** are session advisory locks. A run holds its batch's lock on a connection of its own for
  as long as it runs; the server drops it the moment that connection ends (the process died, was
  killed, or lost the network), and never while the process lives, however long it is frozen. No
  host clock judges staleness. The lock's key is also written to ``lease`` with a fresh token.
- **Fencing**: every pending mark and every outcome is one statement that writes only while the
  lease row holds this run's token and epoch *and* the session that took the lock still exists on
  the server (``pg_stat_get_activity``; a run unlocks only when it releases, after giving up its
  token, so its session existing means the lock is held). A run whose lock session is gone writes
  and sends nothing more. ``running_elsewhere`` asks ``pg_locks`` itself (exact, but it locks the
  lock table while it reads it, so the per-row writes do not use it).
- **One order, one run**: the pending mark claims the order (``order_claim``, one row per order,
  ``INSERT … ON CONFLICT DO UPDATE … WHERE``, which locks the row and re-checks the condition) in
  the statement that marks the row; a claim held by a live run is refused, and the row is told
  which batch, user and host hold it. The claim also remembers the value the journal last set, so a
  run that read the order before another batch changed it reads it again first.
- **Durability**: the pending mark commits synchronously (on disk before the PATCH leaves); the
  outcome is written by the run's outcome writer (``outbox``) without waiting for the disk —
  lost, it leaves the row pending, and resume reads the order and finishes it.
- **Time** (``created_at``, the lease heartbeat) is the server's clock, one clock for the team.
- **Who** is the database user (``session_user``), with the client's host name.

The schema lives in its own PostgreSQL schema (``adobe_orders``), created on first use and
versioned in ``journal_meta``; later connections only read the version, so a team member who does
not own the tables never runs an owner-only statement. When the creator belongs to the role that
owns the database (the team's group role), the tables are created as that role, so every member
can use them.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..errors import BatchBusy, JournalError, OrderBusy
from .contract import HEARTBEAT_SECONDS, Binding, Fence, Record, utc_now
from .outbox import OutcomeWriter
from .postgres_pool import Hidden, advice, pool_for
from .postgres_sql import (
    CLAIM_HELD,
    CLAIM_HELD_BY_C,
    CREATE_LOCK,
    FREE,
    LOCK_NAMESPACE,
    MARK,
    NOW_TEXT,
    RECORD,
    ROW_COLUMNS,
    RUNNING,
    SCHEMA,
    SCHEMA_VERSION,
    S,
    lock_key,
)
from .url import masked, outline, url_problem

if TYPE_CHECKING:  # psycopg loads with the first team journal opened
    import psycopg


class PgJournal:
    """The journal in PostgreSQL. Same methods and records as the SQLite ``Journal``; thread-safe:
    each call borrows a connection from the process's pool for this URL (a batch's workers write at
    the same time)."""

    def __init__(self, url: str) -> None:
        try:
            import psycopg  # psycopg loads only with a team journal
        except ImportError:
            raise JournalError(f"The team journal {masked(url)} needs psycopg: pip install 'adobe-orders[team]'.",
                               path=masked(url)) from None
        problem = url_problem(url)
        if problem is not None:  # before the driver reads it: it would show a piece of the password
            raise JournalError(problem, path=outline(url))
        self._psycopg = psycopg
        self._secret = Hidden(url)
        self.location = masked(url)
        self._pool = pool_for(url)
        self._leases: dict[Fence, psycopg.Connection[Any]] = {}
        self._writers: dict[Fence, OutcomeWriter] = {}
        self._leases_lock = threading.Lock()
        self.heartbeat_seconds = HEARTBEAT_SECONDS
        self.host = socket.gethostname()
        reused = bool(self._pool.idle)
        try:
            self._open()
        except JournalError:
            if not reused:
                raise
            self._pool.clear()  # connections left from before a server restart: start afresh, once
            self._open()

    def _open(self) -> None:
        with self._guard() as conn:
            self.who = str(conn.execute("SELECT session_user AS who").fetchone()["who"])  # type: ignore[index]
            self._ensure_schema(conn)

    def __repr__(self) -> str:
        return f"<PgJournal {self.location}>"

    # -- connections ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def _guard(self) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection; any database problem leaves as a one-line JournalError (password masked)."""
        conn = None
        try:
            conn, _ = self._pool.take()
            yield conn
        except self._psycopg.Error as exc:
            if conn is not None and isinstance(exc, self._psycopg.OperationalError):
                with contextlib.suppress(Exception):
                    conn.close()
            raise JournalError(advice(exc, self._secret.url), path=self.location) from None
        finally:
            if conn is not None:
                self._pool.give(conn)  # a broken one, or one left mid-transaction, is closed instead

    def close(self) -> None:
        """End this journal's leases (their sessions); the pooled connections stay for the next call."""
        with self._leases_lock:
            leases, self._leases = list(self._leases.values()), {}
        for conn in leases:
            with contextlib.suppress(Exception):
                conn.close()

    def _ensure_schema(self, conn: psycopg.Connection[Any]) -> None:
        """Create the schema on first use (once, under a lock); afterwards only read its version."""
        version = self._version(conn)
        if version is None:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_NAMESPACE, CREATE_LOCK))
                if self._version(conn) is None:
                    owner = conn.execute(
                        "SELECT pg_get_userbyid(datdba) AS owner, pg_has_role(session_user, datdba, 'MEMBER') AS "
                        "member FROM pg_database WHERE datname = current_database()").fetchone()
                    if owner and owner["member"]:  # the team's group role owns what one member creates
                        conn.execute(f'SET LOCAL ROLE "{owner["owner"]}"')
                    conn.execute(SCHEMA.encode())
                    conn.execute(f"INSERT INTO {S}.journal_meta VALUES ('schema_version', %s)", (str(SCHEMA_VERSION),))
            version = SCHEMA_VERSION
        if version > SCHEMA_VERSION:
            raise JournalError(
                f"The team journal {self.location} has schema version {version}, newer than this adobe-orders "
                f"understands ({SCHEMA_VERSION}); it was written by a later version. Upgrade adobe-orders "
                "(pip install -U adobe-orders); nothing was changed.", path=self.location)

    def _version(self, conn: psycopg.Connection[Any]) -> int | None:
        # pg_class read as a table (this statement's snapshot), not to_regclass (the catalog cache, which
        # can miss a schema another session created while this one waited for the creation lock)
        found = conn.execute("SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                             f"WHERE n.nspname = '{S}' AND c.relname = 'journal_meta') AS present").fetchone()
        if not found or not found["present"]:
            return None
        row = conn.execute(f"SELECT value FROM {S}.journal_meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            return None
        try:
            return int(row["value"])
        except (TypeError, ValueError):  # edited by hand, or another program's table of that name
            raise JournalError(
                f"The team journal {self.location} holds an unreadable schema version ({str(row['value'])[:40]!r} "
                f"in {S}.journal_meta); adobe-orders did not write it. Ask the database's owner to check that "
                "table; nothing was changed.", path=self.location) from None

    def query(self, sql: str, params: Any = ()) -> list[Record]:
        with self._guard() as conn:
            return list(conn.execute(sql.encode(), params).fetchall())

    # -- batches -------------------------------------------------------------------------------
    def batch(self, batch_id: str) -> Record | None:
        rows = self.query(f"SELECT * FROM {S}.batch WHERE batch_id = %s", (batch_id,))
        return rows[0] if rows else None

    def children(self, batch_id: str) -> list[Record]:
        return self.query(f"SELECT * FROM {S}.batch WHERE parent_batch = %s ORDER BY created_at", (batch_id,))

    def legacy_batch(self, batch_id: str) -> bool:
        return False  # the team journal never held the pre-identity format

    def recent(self, limit: int = 5) -> list[str]:
        return [r["batch_id"] for r in self.query(f"SELECT batch_id FROM {S}.batch ORDER BY created_at DESC LIMIT %s",
                                                   (limit,))]

    def start_batch(self, batch_id: str, *, kind: str, parent: str | None, binding: Binding, fp: str,
                    columns: dict[str, str], index_name: str | None, rows: list[dict[str, Any]],
                    who: str | None = None, host: str | None = None, created_at: str | None = None) -> bool:
        """Record the batch and all its rows in one transaction. False if it exists already. ``who``,
        ``host`` and ``created_at`` are given only when copying a batch from another journal."""
        with self._guard() as conn, conn.transaction():
            made = conn.execute(
                f"INSERT INTO {S}.batch VALUES (%s, COALESCE(%s, {NOW_TEXT}), %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                "COALESCE(%s, session_user), %s) ON CONFLICT (batch_id) DO NOTHING RETURNING 1",
                (batch_id, created_at, kind, parent, binding.environment, binding.base_url, binding.client_hash, fp,
                 len(rows), json.dumps(columns), index_name, who, host or self.host)).fetchone()
            if made is None:
                return False
            now = conn.execute(f"SELECT {NOW_TEXT} AS now").fetchone()["now"]  # type: ignore[index]
            defaults = {"sent": 0, "current_value": None, "http_status": None, "error_code": None, "attempts": None,
                        "request_id": None, "correlation_id": None, "updated_at": now}
            with conn.cursor().copy(f"COPY {S}.batch_row ({', '.join(ROW_COLUMNS)}) FROM STDIN") as copy:
                for r in rows:  # COPY: one round trip for a batch's rows, however many
                    record = {**defaults, **r, "batch_id": batch_id}
                    copy.write_row([record[c] for c in ROW_COLUMNS])
        return True

    def rows(self, batch_id: str) -> dict[int, Record]:
        return {r["batch_row"]: r for r in self.query(
            f"SELECT * FROM {S}.batch_row WHERE batch_id = %s ORDER BY batch_row", (batch_id,))}

    # -- ownership -----------------------------------------------------------------------------
    def acquire(self, batch_id: str) -> Fence:
        """Take the batch's advisory lock on a connection kept for this run, or raise BatchBusy
        naming who holds it. Returns the fence (token, epoch) every write of this run presents."""
        token, key = uuid.uuid4().hex, lock_key(batch_id)
        try:
            conn, _ = self._pool.take()
        except self._psycopg.Error as exc:
            raise JournalError(advice(exc, self._secret.url), path=self.location) from None
        try:
            got = conn.execute("SELECT pg_try_advisory_lock(%s, %s) AS got", (LOCK_NAMESPACE, key)).fetchone()
            if not got or not got["got"]:
                holder = conn.execute(f"SELECT pid, host, who FROM {S}.lease WHERE batch_id = %s AND token <> ''",
                                      (batch_id,)).fetchone()
                self._pool.give(conn)
                raise BatchBusy(f"Batch {batch_id} is running now in {self._describe(holder)}; two runs of one "
                                "batch would send its rows twice. Wait for it to finish (or stop it), then run "
                                "again. The database frees the batch the moment that run's process ends.")
            taken = conn.execute(
                f"INSERT INTO {S}.lease VALUES (%s, %s, %s, %s, session_user, pg_backend_pid(), %s, now(), 1) "
                "ON CONFLICT (batch_id) DO UPDATE SET token = EXCLUDED.token, pid = EXCLUDED.pid, "
                "host = EXCLUDED.host, who = EXCLUDED.who, backend_pid = EXCLUDED.backend_pid, "
                "lock_key = EXCLUDED.lock_key, heartbeat = EXCLUDED.heartbeat, epoch = lease.epoch + 1 "
                "RETURNING epoch", (batch_id, token, os.getpid(), self.host, key)).fetchone()
            assert taken is not None
        except self._psycopg.Error as exc:
            with contextlib.suppress(Exception):
                conn.close()
            raise JournalError(advice(exc, self._secret.url), path=self.location) from None
        fence = Fence(batch_id, token, int(taken["epoch"]))
        with self._leases_lock:
            self._leases[fence] = conn
            self._writers[fence] = OutcomeWriter(self._write_outcomes, name=f"adobe-orders-outcomes-{batch_id}")
        return fence

    def _describe(self, holder: Record | None) -> str:
        if holder is None:
            return "another run (starting up)"
        if (holder["pid"], holder["host"]) == (os.getpid(), self.host):
            return "this process (another thread)"
        return f"process {holder['pid']} on {holder['host']} (database user {holder['who']})"

    def heartbeat(self, fence: Fence) -> bool:
        """Still ours? False when the lease row no longer holds our token and epoch on our lock's
        session (another run holds the batch): this run must stop sending. JournalError when the
        database is away (the writes' own fence then stops the run)."""
        conn = self._leases.get(fence)
        if conn is None:
            return False
        try:
            cur = conn.execute(f"UPDATE {S}.lease SET heartbeat = now() WHERE batch_id = %s AND token = %s "
                               "AND epoch = %s AND backend_pid = pg_backend_pid()",
                               (fence.batch_id, fence.token, fence.epoch))
            return cur.rowcount == 1
        except self._psycopg.Error as exc:
            raise JournalError(advice(exc, self._secret.url), path=self.location) from None

    def release(self, fence: Fence) -> None:
        """Give the lease up (its row stays without owner, so the next epoch is higher) and free the
        advisory lock; the connection goes back to the pool."""
        with self._leases_lock:
            writer = self._writers.pop(fence, None)
        problem = None
        if writer is not None:
            writer.close()  # every outcome handed over is written (or the journal's failure kept) first
            problem = writer.error or (JournalError(
                f"The team journal {self.location} did not take the outcome of this run's last rows: the run no "
                f"longer held batch {fence.batch_id} (its session on the server ended).", path=self.location)
                if writer.fenced_out else None)
        with self._leases_lock:
            conn = self._leases.pop(fence, None)
        if conn is not None:
            self._unlock(conn, fence)
        if problem is not None:  # the caller says so: those rows are still pending in the journal
            raise problem

    def _unlock(self, conn: psycopg.Connection[Any], fence: Fence) -> None:
        try:
            conn.execute(f"UPDATE {S}.lease SET token = %s, pid = 0 WHERE batch_id = %s AND token = %s AND epoch = %s",
                         (FREE, fence.batch_id, fence.token, fence.epoch))
            conn.execute("SELECT pg_advisory_unlock(%s, %s)", (LOCK_NAMESPACE, lock_key(fence.batch_id)))
        except self._psycopg.Error:
            with contextlib.suppress(Exception):
                conn.close()  # ending the session frees the lock all the same
        self._pool.give(conn)

    def running_elsewhere(self, batch_id: str) -> str | None:
        """Who runs this batch now: the server grants its advisory lock to a session (no clock involved)."""
        held = self.query(f"SELECT pid, host, who FROM {S}.lease l WHERE batch_id = %(lease_batch)s AND {RUNNING}",
                          {"lease_batch": batch_id})
        return self._describe(held[0]) if held else None

    def holder(self, batch_id: str) -> str | None:
        """Who holds the batch's lease now, as written: for the message of a run displaced."""
        held = self.query(f"SELECT pid, host, who FROM {S}.lease WHERE batch_id = %s AND token <> ''", (batch_id,))
        return self._describe(held[0]) if held else None

    # -- row progress --------------------------------------------------------------------------
    def mark_pending(self, fence: Fence, row: int, previous: str | None, *, current: str | None = None,
                     check_current: bool = False) -> bool:
        """Committed before the PATCH leaves, in one statement (one transaction, one round trip): this
        run still holds the lease, the order is claimed for this row, and the row is pending with its
        previous value. False: the lease is lost (send nothing). OrderBusy: another live run has the
        order pending — or, with ``check_current``, changed it after this run read ``current`` — and
        nothing was written."""
        writer = self._writers.get(fence)
        if writer is not None:
            writer.check()  # the journal failed under an earlier outcome: no new change goes out
            if writer.fenced_out:
                return False
        params = {**_fence(fence), "batch": fence.batch_id, "row": row, "previous": previous, "now": utc_now(),
                  "check": check_current, "current": current}
        with self._guard() as conn:
            done = conn.execute(MARK, params).fetchone()
            assert done is not None
            if not done["held"]:
                return False
            if done["marked"]:
                return True
            raise self._refusal(conn, fence, row)

    def _refusal(self, conn: psycopg.Connection[Any], fence: Fence, row: int) -> OrderBusy:
        """Why the claim was refused, for the row's reason: a live run holds it, or another batch
        changed the order since this run read it."""
        held = conn.execute(
            f"SELECT r.customer_id, r.order_id, c.batch_id, c.last_batch, b.who, b.host, {CLAIM_HELD_BY_C} AS alive "
            f"FROM {S}.batch_row r JOIN {S}.order_claim c USING (customer_id, order_id) "
            f"LEFT JOIN {S}.batch b ON b.batch_id = c.batch_id WHERE r.batch_id = %s AND r.batch_row = %s",
            (fence.batch_id, row)).fetchone()
        if held is None:  # freed meanwhile: the row reads the order again and tries once more
            return OrderBusy("The order changed hands while this run claimed it.", changed=True)
        order, customer = held["order_id"], held["customer_id"]
        if held["alive"] and held["batch_id"] not in (None, fence.batch_id):
            who = f"{held['who']} on {held['host']}" if held["host"] else str(held["who"])
            return OrderBusy(f"Not sent: order {order} of customer {customer} is being changed right now by batch "
                             f"{held['batch_id']} ({who}); one order is changed by one run at a time. Retry this row "
                             "when that batch is done (retry_failed(results)).", batch_id=held["batch_id"])
        return OrderBusy(f"Order {order} of customer {customer} was changed by batch {held['last_batch']} after this "
                         "run read it.", batch_id=held["last_batch"], changed=True)

    def claim_holder(self, customer_id: str, order_id: str) -> str | None:
        """The batch that has this order pending in a live run now, if any (a waiting row polls this)."""
        rows = self.query(f"SELECT c.batch_id, c.token FROM {S}.order_claim c WHERE customer_id = %s AND order_id = %s "
                          "AND batch_id IS NOT NULL", (customer_id, order_id))
        if not rows:
            return None
        alive = self.query(f"SELECT {CLAIM_HELD} AS held", {"lease_batch": rows[0]["batch_id"],
                                                            "lease_token": rows[0]["token"]})
        return rows[0]["batch_id"] if alive and alive[0]["held"] else None

    def record(self, fence: Fence, row: int, *, status: str, reason: str | None, previous: str | None,
               current: str | None, http_status: int | None, error_code: str | None, attempts: int | None,
               request_id: str | None, correlation_id: str | None, updated_at: str) -> bool:
        """The row's outcome, and the order's claim freed, only while this run holds the lease.

        Handed to the run's outcome writer (``outbox``), which writes it moments later, off the
        worker's path: the worker goes on to its next row while it is written. False when an earlier
        outcome of this run found the lease taken over (nothing more is written or sent); a writer
        that could not write raises its JournalError here and at the next pending mark."""
        writer = self._writers.get(fence)
        if writer is None:
            raise JournalError(f"The team journal {self.location}: this run no longer holds batch {fence.batch_id}.",
                               path=self.location)
        writer.check()
        if writer.fenced_out:
            return False
        writer.put({**_fence(fence), "batch": fence.batch_id, "row": row, "status": status, "reason": reason,
                    "previous": previous, "current": current, "http_status": http_status, "error_code": error_code,
                    "attempts": attempts, "request_id": request_id, "correlation_id": correlation_id,
                    "updated_at": updated_at})
        return True

    def _write_outcomes(self, batch: list[dict[str, Any]]) -> bool:
        """Write outcomes in one transaction (the writer's thread); False if the lease was lost."""
        with self._guard() as conn, conn.transaction():
            written = [conn.execute(RECORD, params).fetchone() for params in batch]
        return all(w is not None and w["written"] for w in written)

    # -- reading -------------------------------------------------------------------------------
    HISTORY = (f"SELECT b.batch_id, b.kind, b.parent_batch, b.environment, b.base_url, b.created_at, b.who, b.host, "
               "r.batch_row, r.label, r.customer_id, r.order_id, r.previous, r.target, r.current_value, r.status, "
               "r.reason, r.http_status, r.error_code, r.attempts, r.request_id, r.correlation_id, r.updated_at, "
               f"r.source_batch, r.source_row, r.sent FROM {S}.batch_row r JOIN {S}.batch b USING (batch_id) ")

    def history(self) -> list[Record]:
        return self.query(self.HISTORY + "ORDER BY b.created_at, r.batch_row")

    def order_history(self, order_id: str, customer_id: str | None = None) -> list[Record]:
        """Every change the team's journal holds for one order (sent, or found done), newest first."""
        return self.query(self.HISTORY + "WHERE r.order_id = %(order)s AND (%(customer)s::text IS NULL OR "
                          "r.customer_id = %(customer)s) AND (r.sent = 1 OR r.status = 'updated') "
                          "ORDER BY r.updated_at DESC, b.created_at DESC",
                          {"order": order_id, "customer": customer_id})

    def batches(self) -> list[Record]:
        return self.query(f"SELECT * FROM {S}.batch ORDER BY created_at")


def _fence(fence: Fence) -> dict[str, Any]:
    return {"lease_batch": fence.batch_id, "lease_token": fence.token, "lease_epoch": fence.epoch}



__all__ = ["PgJournal"]
