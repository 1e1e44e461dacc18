"""``history``: the changes journaled in this workspace (or the team journal), to find a batch to undo
or audit; ``history --order``: every change to one order, newest first, with who made it; ``journal
copy``: an analyst's journal file into the team journal.

They read only the journal, so they work without credentials and without a network to Adobe.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ..export import check_output_path
from ..terminal import history_text
from .console import Console, save_table
from .exit_codes import EXIT_OK, EXIT_ROWS

if TYPE_CHECKING:
    import pandas as pd


def cmd_history(args: argparse.Namespace, console: Console) -> int:
    from ..batch import history  # pandas loads with the batch engine: only for the commands that need it
    from ..journal import journal_setting

    if args.out:
        check_output_path(args.out)
    if args.customer and not args.order:
        raise ValueError("--customer goes with --order ORDER (the order whose changes to list).")
    if args.order and args.last:
        raise ValueError("--last shortens the list of batches; --order ORDER lists every change to that order, "
                         "so leave --last out.")
    frame = history(order=args.order, customer=args.customer)
    console.warn(f"Journal: {frame.attrs['journal']}")
    if args.out:
        save_table(frame, args.out)
        console.say(f"{len(frame)} journaled rows written to {args.out}")
    elif args.order is not None:
        console.say(order_text(frame, args.order))
    elif frame.empty:
        shared = journal_setting() is not None  # ADOBE_VIPM_JOURNAL: a team journal, or a file others may use
        console.say("The journal is empty: no batch has been applied "
                    + ("with it yet." if shared else "from this workspace yet."))
    else:
        console.say(history_text(frame, last=None if args.all else args.last or 30))
    return 0


def order_text(frame: pd.DataFrame, order: str) -> str:
    """One order's changes for a terminal, newest first, two lines each: when, who, batch and status, then
    the customer and previous → new. Nothing is cut: the batch ID is what undo takes, and the values are
    what was asked."""
    if frame.empty:
        return f"The journal holds no change to order {order}."

    def cell(value: object) -> str:
        return "" if value is None or value != value else str(value)

    lines = [f"{len(frame)} change{'' if len(frame) == 1 else 's'} to order {order}, newest first:"]
    for r in frame.to_dict("records"):
        who = f"{cell(r['who'])}@{cell(r['host'])}" if cell(r["host"]) else cell(r["who"])
        lines += ["", f"{cell(r['updated_at'])[:19].replace('T', ' ')} UTC  {cell(r['status'])}  by {who}  "
                      f"batch {cell(r['batch_id'])} ({cell(r['kind'])})",
                  f"  customer {cell(r['customer_id'])}: {cell(r['previous_value']) or '(none)'} → "
                  f"{cell(r['target_value'])}"]
    return "\n".join(lines)


def cmd_journal(args: argparse.Namespace, console: Console) -> int:
    from ..journal import copy_journal  # the journal backends load only for this command
    from ..journal.url import masked

    report = copy_journal(args.to, args.source)
    console.say(f"Journal copied into {masked(args.to)}: {report.summary()}")
    return EXIT_OK if not report.conflicts else EXIT_ROWS
