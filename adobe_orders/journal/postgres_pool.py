"""Connections to a team journal, pooled per URL for the life of the process, and the URL kept so that
its password never shows (``repr``, ``vars``); a database error told as one line, password masked.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from typing import TYPE_CHECKING, Any

from .url import masked, scrub

if TYPE_CHECKING:
    import psycopg

CONNECT_TIMEOUT_SECONDS = 10


def advice(exc: BaseException, url: str) -> str:
    """One line naming the journal (password masked), what is wrong and what to do."""
    import psycopg  # psycopg loads only with a team journal

    where = masked(url)
    detail = " ".join(scrub(str(exc), url).split()).rstrip(".:;, ") or type(exc).__name__
    end = "" if detail[-1] in "?!" else "."
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return (f"The team journal {where} refused this database user: {detail}{end} Every member needs to be in "
                "the team's group role that owns the database (see the Team journal setup in the docs).")
    if isinstance(exc, psycopg.OperationalError):
        return (f"The team journal {where} cannot be reached: {detail}{end} Check the server, host, port, user and "
                "password in ADOBE_VIPM_JOURNAL.")
    return f"The team journal {where} could not be used: {detail}{end}"


class Hidden:
    """The URL with its password, kept out of repr/vars dumps: it shows masked."""

    __slots__ = ("url",)

    def __init__(self, url: str) -> None:
        self.url = url

    def __repr__(self) -> str:
        return f"<{masked(self.url)}>"


class Pool:
    """The connections to one journal URL, shared by every ``PgJournal`` of this process (a notebook
    or a script opens one per call): connecting costs tens of milliseconds (a process on the server,
    password hashing), a batch's workers each need one, and a run should not pay that every time.

    A team's server has a connection limit shared by everyone, so a connection left idle for
    ``IDLE_SECONDS`` is closed (a kernel left open all afternoon holds none)."""

    MAX_IDLE = 32
    IDLE_SECONDS = 60.0

    def __init__(self, url: str) -> None:
        self.secret = Hidden(url)
        self.idle: list[Any] = []
        self.since: dict[int, float] = {}  # id(connection) → when it went idle (monotonic)
        self.lock = threading.Lock()
        self._reaper: threading.Thread | None = None

    def connect(self) -> psycopg.Connection[Any]:
        import psycopg  # psycopg loads only with a team journal
        from psycopg.conninfo import conninfo_to_dict
        from psycopg.rows import dict_row

        given = conninfo_to_dict(self.secret.url)
        extra: dict[str, Any] = {}
        if "connect_timeout" not in given:
            extra["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
        if "application_name" not in given:
            extra["application_name"] = "adobe-orders"
        if "keepalives_idle" not in given:  # a peer that vanished without closing is noticed in about a minute
            extra.update(keepalives=1, keepalives_idle=30, keepalives_interval=10, keepalives_count=3)
        conn = psycopg.connect(self.secret.url, autocommit=True, row_factory=dict_row, **extra)
        try:  # a pending mark waits for the disk even where the DBA set the database not to (only outcomes don't)
            conn.execute("SET synchronous_commit = on")
        except BaseException:
            conn.close()
            raise
        return conn

    def take(self) -> tuple[psycopg.Connection[Any], bool]:
        """A connection, and whether it was reused (a reused one may have died while idle)."""
        with self.lock:
            if self.idle:
                conn = self.idle.pop()
                self.since.pop(id(conn), None)
                return conn, True
        return self.connect(), False

    def give(self, conn: psycopg.Connection[Any]) -> None:
        import psycopg  # psycopg loads only with a team journal

        if conn.closed or conn.broken or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            with contextlib.suppress(Exception):
                conn.close()
            return
        with self.lock:
            if len(self.idle) < self.MAX_IDLE:
                self.idle.append(conn)
                self.since[id(conn)] = time.monotonic()
                if self._reaper is None or not self._reaper.is_alive():
                    self._reaper = threading.Thread(target=self._reap, name="adobe-orders-journal-pool", daemon=True)
                    self._reaper.start()
                return
        conn.close()

    def _reap(self) -> None:
        """Close connections idle for longer than IDLE_SECONDS; end when none is left."""
        while True:
            time.sleep(self.IDLE_SECONDS / 4)
            now = time.monotonic()
            with self.lock:
                old = [c for c in self.idle if now - self.since.get(id(c), now) >= self.IDLE_SECONDS]
                self.idle = [c for c in self.idle if c not in old]
                for conn in old:
                    self.since.pop(id(conn), None)
                empty = not self.idle
            for conn in old:
                with contextlib.suppress(Exception):
                    conn.close()
            if empty:
                with self.lock:
                    if not self.idle:
                        self._reaper = None
                        return

    def clear(self) -> None:
        """Drop the idle connections (after the server restarted, they are all dead)."""
        with self.lock:
            idle, self.idle = self.idle, []
            self.since.clear()
        for conn in idle:
            with contextlib.suppress(Exception):
                conn.close()


_POOLS: dict[str, Pool] = {}
_POOLS_LOCK = threading.Lock()


def pool_for(url: str) -> Pool:
    key = hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()  # no password kept as a key
    with _POOLS_LOCK:
        return _POOLS.setdefault(key, Pool(url))


def close_idle_connections() -> None:
    """Close every pooled connection of this process that is not in use (tests, long-lived kernels)."""
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
    for pool in pools:
        pool.clear()


__all__ = ["Pool", "advice", "close_idle_connections", "pool_for"]
