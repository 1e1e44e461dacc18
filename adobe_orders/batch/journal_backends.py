"""One journal interface, two backends: a file (SQLite, zero configuration, the default) or a
PostgreSQL database the team shares (``postgresql://`` URL). Everything above the journal — the
engine, resume, retry, undo, history — talks to ``JournalBackend`` and never asks which one it has.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from .journal import Binding, Fence, Journal, Record, default_journal_path
from .journal_url import is_database_url


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


def journal_setting(configured: str | os.PathLike[str] | None = None, *, dotenv: bool = True) -> str | None:
    """The journal asked for: ``configured``, else ADOBE_VIPM_JOURNAL (environment, then — with
    ``dotenv`` — the workspace ``.env``); None for the workspace's default file."""
    chosen = configured or os.environ.get("ADOBE_VIPM_JOURNAL", "").strip() or None
    if chosen is None and dotenv:
        from ..workspace import dotenv_file

        env = dotenv_file()
        if env is not None:
            from ..config import read_dotenv

            chosen = (read_dotenv(env).get("ADOBE_VIPM_JOURNAL") or "").strip() or None
    return None if chosen is None else os.fspath(chosen)


def open_journal_at(configured: str | os.PathLike[str] | None = None, *, dotenv: bool = True) -> JournalBackend:
    """The journal a setting names: PostgreSQL for a ``postgresql://`` URL, else the SQLite file."""
    chosen = journal_setting(configured, dotenv=dotenv)
    if chosen is not None and is_database_url(chosen):
        from .journal_pg import PgJournal

        return PgJournal(chosen.strip())
    return Journal(default_journal_path(chosen, dotenv=dotenv))


__all__ = ["JournalBackend", "journal_setting", "open_journal_at"]
