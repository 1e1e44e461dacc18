"""``apply`` and ``undo``: a file of updates sent as one resumable batch, and a batch (with its retries)
restored, each run as a journaled batch; with the terminal's side of every batch: before it (the
results file must be writable), during it (Ctrl-C stops the batch, not the process) and after it (one
summary, one exit code, and the command to paste next: resume, retry or undo)."""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import AdobeOrdersError
from ..export import check_output_path
from ..workspace import state_dir
from .console import Console, command, connect, require_yes, save_table
from .exit_codes import EXIT_INTERRUPTED, EXIT_NOTHING, EXIT_OK, EXIT_ROWS

if TYPE_CHECKING:
    import pandas as pd

# Every function below imports the batch engine inside it: pandas loads with the engine, and the commands that
# need no batch (``--help``, ``history``, ``get``) must not wait for it (tests/test_layout.py holds that).


def _resume_words(args: argparse.Namespace, batch_id: str) -> list[str]:
    words = ["apply", args.file, "--batch-id", batch_id]
    for option, value in (("--workers", args.workers if args.workers != 4 else None), ("--max-rate", args.max_rate),
                          ("--out", args.out), ("--customer-column", args.customer_column),
                          ("--order-column", args.order_column), ("--value-column", args.value_column)):
        if value is not None:
            words += [option, str(value)]
    return words + (["--yes"] if args.yes else []) + (["--no-progress"] if args.no_progress else []) + (
        ["--per-order-reads"] if args.per_order_reads else [])


def _tell_outcome(results: pd.DataFrame, resume: list[str] | None, console: Console) -> None:
    from ..batch.report import no_undo_text, undo_outlook
    from ..batch.schema import RowStatus

    batch_id = results.attrs["batch_id"]
    if results.attrs.get("interrupted"):
        console.say("Interrupted: no new request was started; rows not reached are not_run.")
    elif results.attrs.get("stopped"):
        console.say(f"Stopped early: {results.attrs['stopped']}")
    unfinished = results["status"].astype(str).isin([RowStatus.NOT_RUN, RowStatus.FAILED]).any()
    if resume is not None and (results.attrs.get("interrupted") or results.attrs.get("stopped") or
                               (results["status"].astype(str) == RowStatus.NOT_RUN).any()):
        console.say(f"Resume with: {command(*resume)}")
    elif unfinished and resume is not None:
        # a command to paste, like every other one the CLI prints (rows already done are not sent again)
        console.say(f"Retry the failed rows with: {command(*resume)}")
    if results.attrs.get("kind") == "undo" or results.attrs.get("journal_lost"):
        return  # an undo the journal cannot honour is never offered
    restorable, unrestorable = undo_outlook(results)
    if restorable:
        console.say(f"Undo with: {command('undo', batch_id)}")
    if unrestorable:  # never "Undo with" alone when undo could restore nothing
        console.say(no_undo_text(unrestorable))


def cmd_apply(args: argparse.Namespace, console: Console) -> int:
    from ..batch import apply_updates, read_updates
    from ..batch.preflight import (
        check_batch_id,  # pandas loads with the batch engine: only for the commands that need it
        new_batch_id,
        open_journal,
    )
    from ..batch.report import unfilled_rows

    if args.out:
        check_output_path(args.out)  # a wrong name is refused before anything is sent
        if Path(args.out).exists() and Path(args.file).exists() and Path(args.out).samefile(args.file):
            raise AdobeOrdersError(f"--out {args.out} is the input file: the results would replace it (and any other "
                                   "sheet in it). Choose another name. Nothing was sent.")
    frame = read_updates(args.file)
    columns = {k: v for k, v in (("customerId", args.customer_column), ("orderId", args.order_column),
                                 ("externalReferenceId", args.value_column)) if v}
    from ..batch.columns import resolve_columns, user_columns

    resolve_columns(user_columns(frame), columns)  # a column problem is reported before any setup
    batch = check_batch_id(args.batch_id) if args.batch_id else new_batch_id()  # it names the results file
    out = args.out or str(state_dir() / f"results-{batch}.csv")
    check_writable(out)
    client = connect(console)
    require_yes(client, args.yes or args.dry_run, f"change up to {len(frame)} orders")
    if not args.dry_run:
        # A journal that cannot be opened (the team journal down, a damaged file) is said before a batch is
        # announced with a command to finish it: that batch would never be journaled.
        open_journal(None, client).close()
        console.warn(f"Batch {batch}: Ctrl-C stops it cleanly; to finish it later: "
              f"{command(*_resume_words(args, batch))}", flush=True)
    stop = interrupts_stop_the_batch()
    results = apply_updates(frame, client, dry_run=args.dry_run, workers=args.workers, batch_id=batch,
                            bulk_reads=not args.per_order_reads, columns=columns or None, confirm=True,
                            max_rate=args.max_rate, progress=not args.no_progress, cancel=stop)
    results.attrs["interrupted"] = results.attrs.get("interrupted") or stop.is_set()
    save_table(results, out)
    console.say(f"{'Dry run' if args.dry_run else 'Batch'} {batch} on {client.label}")
    console.say(summary_text(results))
    console.say(f"Results: {out}")
    if not args.dry_run:
        _tell_outcome(results, _resume_words(args, batch), console)
    code = exit_code(results)
    if code == EXIT_NOTHING:
        blank = int(unfilled_rows(results).sum())
        if results.empty:
            console.warn(f"Nothing was sent: {args.file} has no rows under its header line.")
        else:
            console.warn(f"Nothing was sent: no row has a new value (all {blank} are blank)." if blank == len(results)
                         else "Nothing was sent: no row of the file is valid.")
    return code


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


def check_writable(out: str) -> None:
    """Before anything is sent: a results file that cannot be written would lose the batch's record."""
    path = Path(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        existed = path.exists()
        with path.open("a", encoding="utf-8"):
            pass
        if not existed:
            path.unlink()
    except OSError as exc:
        raise AdobeOrdersError(f"Cannot write the results file {out} ({exc.strerror or exc}); choose another "
                               "--out. Nothing was sent.") from None


def interrupts_stop_the_batch() -> threading.Event:
    """From here on, Ctrl-C stops the batch instead of killing the process: before it starts (no row
    is sent), while it runs (the engine's own handler: no new request, in-flight ones finish), and
    after (the results file and the summary are always written)."""
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    return stop


def summary_text(results: pd.DataFrame) -> str:
    """Counts, then each row that needs attention, named as everywhere else (``line 22``)."""
    from ..batch.report import attention_lines, counts_text

    return "\n".join([counts_text(results) or "no rows", *attention_lines(results)])


def exit_code(results: pd.DataFrame) -> int:
    """The batch's outcome as one number (``EXIT_CODES``): a script tells "done" from "needs a person" by it."""
    from ..batch.report import unfilled_rows
    from ..batch.schema import NEEDS_ATTENTION, RowStatus

    # a row left blank is no problem (partly filled files are normal); a file with no value at all sends nothing
    statuses = set(results["status"].astype(str)[~unfilled_rows(results)])
    if results.attrs.get("interrupted"):
        return EXIT_INTERRUPTED
    if results.attrs.get("already_undone") or not statuses - {RowStatus.INVALID, RowStatus.DUPLICATE}:
        return EXIT_NOTHING
    return EXIT_ROWS if statuses & {s.value for s in NEEDS_ATTENTION} else EXIT_OK
