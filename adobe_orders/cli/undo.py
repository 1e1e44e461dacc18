"""``undo``: restore what a batch (and its retries) changed, run as a batch of its own.

Being a batch, an undo is journaled, interruptible and resumable like ``apply``, and tells the same way
what it did.
"""

from __future__ import annotations

import argparse

from ..export import check_output_path
from .batch_run import check_writable, exit_code, interrupts_stop_the_batch, summary_text
from .connection import connect, require_yes
from .exit_codes import EXIT_NOTHING
from .output import Console, command, save_table


def cmd_undo(args: argparse.Namespace, console: Console) -> int:
    from ..batch import undo  # pandas loads with the batch engine: only for the commands that need it

    if args.out:
        check_output_path(args.out)
        check_writable(args.out)
    client = connect(console)
    require_yes(client, args.yes, f"undo batch {args.batch_id}")
    stop = interrupts_stop_the_batch()
    results = undo(args.batch_id, client, confirm=True, progress=not args.no_progress, cancel=stop)
    results.attrs["interrupted"] = results.attrs.get("interrupted") or stop.is_set()
    if results.attrs.get("already_undone"):
        console.say(f"Batch {args.batch_id} was already undone by batch {results.attrs['already_undone']}; nothing was "
              "sent.")
        return EXIT_NOTHING
    console.say(f"Undo of {args.batch_id} (and its retries) on {client.label}: batch {results.attrs['batch_id']}")
    console.say(summary_text(results))
    if args.out:
        save_table(results, args.out)
        console.say(f"Results: {args.out}")
    if results.attrs.get("interrupted") or results.attrs.get("stopped"):
        console.say(f"Finish the undo with: {command('undo', args.batch_id)}")
    return exit_code(results)
