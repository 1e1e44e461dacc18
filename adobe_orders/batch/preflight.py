"""What is settled before a batch sends anything: its ID, its journal, and the refusals that keep a
run from touching the wrong API, a closed (undone) batch, or production without confirmation.

Every check here raises before the first request, so a refused run has sent nothing.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from ..client import OrdersClient
from ..errors import ApiMismatch, BatchMismatch, ConfirmationRequired
from ..journal import Binding, JournalBackend, open_journal_at

EMBEDDED = "embedded local emulator"


BATCH_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")


def check_batch_id(batch_id: str, *, undo: bool = False) -> str:
    """A batch ID chosen by the user, or BatchMismatch before anything is written or sent.

    It names the results file (``.adobe-orders/results-ID.csv``) and is pasted into printed commands,
    so it is a plain name: ``/../../x`` wrote the results outside the workspace. ``undo-`` is kept for
    undo batches: a batch of another kind under that name would block the CLI's undo of its batch.
    """
    if not isinstance(batch_id, str) or not BATCH_ID.fullmatch(batch_id) or ".." in batch_id:
        raise BatchMismatch(f"Batch ID {batch_id!r} is not a plain name: use up to 80 letters, digits, '-', '_' and "
                            "'.', starting with a letter or digit. Nothing was sent.")
    if batch_id.startswith("undo-") and not undo:
        raise BatchMismatch(f"Batch ID {batch_id!r} starts with 'undo-', which names undo batches; choose another "
                            "name. Nothing was sent.")
    return batch_id


def new_batch_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


def binding_of(client: OrdersClient) -> Binding:
    """Which API a client talks to, as the journal records it (no secret, no client ID in clear)."""
    base = client.settings.base_url if not client.settings.uses_embedded_emulator else EMBEDDED
    return Binding(client.settings.environment, str(base), client.client_id_sha256)


def check_binding(journal: JournalBackend, batch_id: str, client: OrdersClient, doing: str) -> None:
    """Refuse, before anything is sent, to ``doing`` a batch with a client for another API."""
    row = journal.batch(batch_id)
    if row is None:
        return
    was = Binding(row["environment"], row["base_url"], row["client_hash"])
    now = binding_of(client)
    if was != now:
        diff = "client ID" if (was.environment, was.base_url) == (now.environment, now.base_url) else "API"
        raise ApiMismatch(
            f"Batch {batch_id} ran against {was.describe()}, but this client talks to {now.describe()} "
            f"(another {diff}). Nothing was sent. To {doing} it, use a client configured for the batch's API "
            "(check ADOBE_VIPM_ENV, ADOBE_VIPM_BASE_URL and ADOBE_VIPM_CLIENT_ID in .env).")


def root_of(journal: JournalBackend, batch_id: str) -> str:
    """The batch a retry chain started from (a retry's lineage belongs to its root)."""
    seen = set()
    current = batch_id
    while current not in seen:
        seen.add(current)
        row = journal.batch(current)
        if row is None or row["kind"] != "retry" or row["parent_batch"] is None:
            return current
        current = row["parent_batch"]
    return current


def refuse_if_undone(journal: JournalBackend, batch_id: str, doing: str) -> None:
    """An undone batch is closed: resuming or retrying it would re-apply changes that were undone,
    and a later undo would find the batch "already undone" and leave them in place."""
    root = root_of(journal, batch_id)
    undone = next((b["batch_id"] for b in journal.children(root) if b["kind"] == "undo"), None)
    if undone is not None:
        raise BatchMismatch(
            f"Batch {root} was undone by batch {undone}; to {doing} it would re-apply changes that were undone. "
            "Nothing was sent. To apply these rows again, start a new batch (no batch_id / --batch-id).")


def require_confirmation(client: OrdersClient, count: int, *, dry_run: bool, confirm: bool, what: str) -> None:
    if client.needs_confirmation and not dry_run and not confirm:
        raise ConfirmationRequired(
            f"This would {what} {count} orders in PRODUCTION ({client.base_url}). Run a dry run first, then "
            "pass confirm=True (CLI: --yes).")


def open_journal(journal: JournalBackend | str | None, client: OrdersClient | None) -> JournalBackend:
    """The journal named (a file, or a ``postgresql://`` URL for the team journal), else the client's
    setting, else the workspace's (see ``journal.open_journal_at``)."""
    if journal is not None and not isinstance(journal, str):
        return journal
    configured = journal or (client.settings.journal_path if client is not None else None)
    return open_journal_at(configured, dotenv=client is None)
