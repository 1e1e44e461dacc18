"""The journal: every non-dry run, written as it happens, so nothing is lost and all can be undone.

A batch records the API it runs against, its rows and their previous values, its kind and parent; each
row is marked ``pending`` — with the value the order held before — and committed *before* its PATCH
is sent. Where each job lives: what every journal is and the ownership rules (``contract``); which
journal a workspace uses, and opening it (``location``); the file journal (``sqlite``); the team
journal in PostgreSQL (``postgres``, with its SQL in ``postgres_sql``, its connections in
``postgres_pool`` and its outcome writer in ``outbox``); a run's hold on its batch (``lease``); the
``postgresql://`` setting and its masked password (``url``); copying a file journal into the team's
(``copying``).
"""

from .contract import PENDING, QUEUED, Binding, Fence, JournalBackend, Record, fingerprint, utc_now
from .copying import copy_journal
from .lease import Lease
from .location import JOURNAL_FILE, journal_file, journal_setting, open_journal_at
from .sqlite import Journal

__all__ = [
    "JOURNAL_FILE",
    "PENDING",
    "QUEUED",
    "Binding",
    "Fence",
    "Journal",
    "JournalBackend",
    "Lease",
    "Record",
    "copy_journal",
    "fingerprint",
    "journal_file",
    "journal_setting",
    "open_journal_at",
    "utc_now",
]
