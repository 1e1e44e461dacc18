"""Which journal a workspace uses, and opening it: a file (SQLite, zero configuration, the default) or
a PostgreSQL database the team shares (a ``postgresql://`` URL in ``ADOBE_VIPM_JOURNAL``). Everything
above the journal — the engine, resume, retry, undo, history — gets a ``JournalBackend`` from here and
never asks which one it has.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..config import read_dotenv
from ..errors import JournalError
from ..workspace import dotenv_file, expand_home, state_dir, workspace_root
from .contract import JournalBackend
from .sqlite import Journal
from .url import is_database_url, outline, url_problem

JOURNAL_FILE = "journal.sqlite"


def journal_setting(configured: str | os.PathLike[str] | None = None, *, dotenv: bool = True) -> str | None:
    """The journal asked for: ``configured``, else ADOBE_VIPM_JOURNAL (environment, then — with
    ``dotenv`` — the workspace ``.env``, read by the one reader that names a damaged file); None for
    the workspace's default file. A client's settings already hold what its ``.env`` says, so with a
    client ``dotenv`` is False: a client configured in code does not depend on (or fail on) a ``.env``
    it never read."""
    chosen = configured or os.environ.get("ADOBE_VIPM_JOURNAL", "").strip() or None
    if chosen is None and dotenv:
        env = dotenv_file()
        if env is not None:
            chosen = (read_dotenv(env).get("ADOBE_VIPM_JOURNAL") or "").strip() or None
    return None if chosen is None else os.fspath(chosen)


def journal_file(chosen: str | None) -> Path:
    """The journal file a setting (as ``journal_setting`` returns it) names, else
    ``<workspace>/.adobe-orders/journal.sqlite``.

    Needs no credentials, so ``history()`` works with a half-configured ``.env``. A relative path
    is taken from the workspace folder, so the CLI at the root and a notebook in a subfolder agree.
    """
    if chosen is None:
        return state_dir() / JOURNAL_FILE
    problem = url_problem(chosen)
    if problem is not None:  # a URL is never a file name: it would make folders named after its password
        raise JournalError(problem, path=outline(chosen))
    path = expand_home(chosen, "ADOBE_VIPM_JOURNAL")
    return path if path.is_absolute() else workspace_root() / path


def open_journal_at(configured: str | os.PathLike[str] | None = None, *, dotenv: bool = True) -> JournalBackend:
    """The journal a setting names: PostgreSQL for a ``postgresql://`` URL, else the SQLite file."""
    chosen = journal_setting(configured, dotenv=dotenv)
    if chosen is not None and is_database_url(chosen):
        from .postgres import PgJournal  # psycopg loads only for a team journal

        return PgJournal(chosen.strip())
    return Journal(journal_file(chosen))


__all__ = ["JOURNAL_FILE", "journal_file", "journal_setting", "open_journal_at"]
