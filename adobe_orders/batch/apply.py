"""Apply a frame of updates as a journaled batch: ``apply_updates`` (and ``update_one``, a batch of one
row for the form and the CLI) validate the frame, build its plan, run it on the engine and return the
results frame (``finish``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from ..client import OrdersClient
from ..connection import connect
from ..journal import JournalBackend
from .columns import CUSTOMER, ORDER, VALUE, resolve_columns, user_columns
from .engine import Outcome, execute
from .plan import Plan, RunOptions, RunSettings, plan_rows
from .preflight import (
    check_batch_id,
    new_batch_id,
    open_journal,
    require_confirmation,
)
from .results import results_frame

if TYPE_CHECKING:
    from typing_extensions import Unpack


def finish(inputs: pd.DataFrame, plan: Plan, outcome: Outcome, client: OrdersClient, *, dry_run: bool,
           journal: JournalBackend | None) -> pd.DataFrame:
    """The results frame of a run, with what a caller needs to say what happened in ``attrs``."""
    out = results_frame(inputs, outcome.results, batch_id=None if dry_run else plan.batch_id,
                        batch_rows=None if dry_run else [r.batch_row for r in plan.rows],
                        recon_cutoff_day=client.settings.recon_cutoff_day)
    out.attrs.update(batch_id=plan.batch_id, kind=plan.kind, parent_batch=plan.parent, environment=client.label,
                     dry_run=dry_run, stopped=outcome.stopped, interrupted=outcome.interrupted,
                     journal_lost=outcome.journal_lost,
                     journal=None if journal is None else journal.location,
                     id_columns=[plan.columns[CUSTOMER], plan.columns[ORDER]])
    return out


def run_frame(frame: pd.DataFrame, client: OrdersClient | None, *, kind: str, columns: Mapping[str, str] | None,
              batch_id: str | None, dry_run: bool, confirm: bool, journal: JournalBackend | str | None,
              options: RunOptions) -> pd.DataFrame:
    """Validate ``frame`` and run it as a batch of ``kind`` (apply_updates, update_one)."""
    inputs = user_columns(frame)
    names = resolve_columns(inputs, columns)  # misuse raises here, before anything is sent
    client = client or connect()
    require_confirmation(client, len(inputs), dry_run=dry_run, confirm=confirm, what="change up to")
    plan = Plan(check_batch_id(batch_id) if batch_id else new_batch_id(), kind, None, tuple(plan_rows(inputs, names)),
                dict(names),
                None if inputs.index.name is None else str(inputs.index.name))
    book = None if dry_run or not plan.rows else open_journal(journal, client)  # no empty batch is journaled
    outcome = execute(plan, client, options, book)
    return finish(inputs, plan, outcome, client, dry_run=dry_run, journal=book)


def apply_updates(
    frame: pd.DataFrame,
    client: OrdersClient | None = None,
    *,
    dry_run: bool = False,
    batch_id: str | None = None,
    columns: Mapping[str, str] | None = None,
    confirm: bool = False,
    journal: JournalBackend | str | None = None,
    **run: Unpack[RunSettings],
) -> pd.DataFrame:
    """Apply ``externalReferenceId`` updates: the frame's columns unchanged, then the result columns
    (see the README's results table), one row per input row, in input order.

    ``status`` is one of ``RowStatus``: updated, unchanged (already at target, not sent), invalid
    (never sent), duplicate (an exact repeat, not sent), failed, not_run (the batch stopped first),
    would_update (dry run). Passing the ``batch_id`` of an earlier, interrupted run resumes it: rows
    the journal holds as done are not sent again. Ctrl-C stops the batch and returns what it has
    (``results.attrs["interrupted"]``). ``max_rate`` paces this run only, never the shared client.

    ``bulk_reads`` (default): where a customer has several rows, their current values come from its
    order-history pages (one call per 100 orders) instead of one GET each, so a row costs one round
    trip, the PATCH; ``bulk_reads=False`` reads every order on its own just before its change (see
    the README's "Bulk reads" for what this trades and why it is safe). The other ways a run goes
    (``workers``, ``max_rate``, ``progress``…) are the keywords of ``RunSettings``.
    """
    options = RunOptions(dry_run=dry_run, **run)
    return run_frame(frame, client, kind="apply", columns=columns, batch_id=batch_id, dry_run=dry_run,
                     confirm=confirm, journal=journal, options=options)




def update_one(client: OrdersClient, customer_id: object, order_id: object, value: object, *, kind: str,
               confirm: bool = False) -> pd.Series:
    """One journaled update (the form and the CLI): a batch of one row, so it can be undone too."""
    frame = pd.DataFrame({CUSTOMER: [customer_id], ORDER: [order_id], VALUE: [value]}, dtype=object)
    return run_frame(frame, client, kind=kind, columns=None, batch_id=None, dry_run=False, confirm=confirm,
                     journal=None, options=RunOptions(workers=1, progress=False)).iloc[0]


__all__ = ["apply_updates", "finish", "run_frame", "update_one"]
