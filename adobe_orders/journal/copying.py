"""Copy an analyst's journal (the SQLite file) into the team journal, batch by batch, keeping what
makes it auditable and undoable there: batch IDs, lineage (parent batches, retried rows), who ran
each batch and from where, when, every row's previous value and outcome.

A batch the team journal already holds as the same run (same rows, made at the same moment by the same
person) is skipped, so copying twice is harmless; a batch ID it holds for another run — other rows, or
the same spreadsheet run by someone else — is reported and left alone (never overwritten).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from ..errors import BatchMismatch, UsageError
from .contract import Binding, JournalBackend
from .location import journal_file, journal_setting, open_journal_at
from .url import is_database_url

ROW_FIELDS = ("batch_row", "label", "label_json", "customer_id", "order_id", "target", "expected_json", "previous",
              "sent", "status", "reason", "source_batch", "source_row", "updated_at", "current_value", "http_status",
              "error_code", "attempts", "request_id", "correlation_id")


@dataclass
class CopyReport:
    copied: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # the same batch ID for another run in the target, or
    # a batch continuing one so left out (a retry, an undo): there it would continue the other batch

    def summary(self) -> str:
        text = f"{len(self.copied)} batches copied, {len(self.already_there)} already in the team journal"
        if self.conflicts:
            text += (f"; {len(self.conflicts)} left out because the team journal holds another batch under the same "
                     f"ID (or under their parent's): {', '.join(self.conflicts)}")
        return text + "."


def copy_batches(source: JournalBackend, target: JournalBackend) -> CopyReport:
    """Every batch of ``source`` into ``target``, oldest first (a retry's parent arrives before it)."""
    report = CopyReport()
    for batch in source.batches():
        batch_id = batch["batch_id"]
        rows = [{name: r[name] for name in ROW_FIELDS} for r in source.rows(batch_id).values()]
        if {batch["parent_batch"], *(r["source_batch"] for r in rows)} & set(report.conflicts):
            report.conflicts.append(batch_id)  # there, it would continue the other batch under its parent's ID
            continue
        there = target.batch(batch_id)
        if there is not None:
            # the same run, not only the same rows: one spreadsheet run as "june" by two analysts is two batches
            same = (there["fingerprint"], there["created_at"], there["who"]) == (
                batch["fingerprint"], batch["created_at"], batch["who"] or source.who)
            (report.already_there if same else report.conflicts).append(batch_id)
            continue
        made = target.start_batch(
            batch_id, kind=batch["kind"], parent=batch["parent_batch"],
            binding=Binding(batch["environment"], batch["base_url"], batch["client_hash"]), fp=batch["fingerprint"],
            columns=json.loads(batch["columns_json"]), index_name=batch["index_name"], rows=rows,
            who=batch["who"] or source.who, host=batch["host"] or source.host, created_at=batch["created_at"])
        (report.copied if made else report.already_there).append(batch_id)
    return report


def _source_file(source: str | os.PathLike[str] | None) -> str:
    """The analyst's journal file: ``source``, else ADOBE_VIPM_JOURNAL when it names a file, else the
    workspace's. It must exist: opening a missing one would create an empty journal to copy."""
    chosen = os.fspath(source) if source is not None else journal_setting(None)
    if chosen is not None and is_database_url(chosen):
        if source is not None:
            return chosen  # one team journal into another
        chosen = None
    path = journal_file(chosen)
    if not path.is_file():
        raise BatchMismatch(f"There is no journal at {path} to copy; name it with --from FILE.")
    return str(path)


def copy_journal(to: str, source: str | os.PathLike[str] | None = None) -> CopyReport:
    """Copy the SQLite journal ``source`` (default: this workspace's) into the journal ``to`` (a
    ``postgresql://`` URL). Batches from before who was recorded take the OS user copying them."""
    if not is_database_url(to):  # a file target made a stray SQLite file the team never sees, and said "copied"
        # not echoed: without its scheme, 'alice:secret@host/db' would show the password
        raise UsageError("That is not a team journal's address: copy into one named by its URL, "
                         "postgresql://USER@HOST[:PORT]/DB. Nothing was copied.")
    origin = open_journal_at(_source_file(source))
    destination = open_journal_at(to, dotenv=False)
    if destination.location == origin.location:
        raise BatchMismatch(f"The journal {origin.location} cannot be copied into itself: name the team journal "
                            "with --to postgresql://USER@HOST/DB.")
    try:
        return copy_batches(origin, destination)
    finally:
        destination.close()
        origin.close()


__all__ = ["CopyReport", "copy_batches", "copy_journal"]
