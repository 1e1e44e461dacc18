"""``adobe-orders``: the same operations as the library, from a terminal.

Every command says first which API it talks to. A wrong argument gives usage and exit 2; a
refused input or an API error gives one plain line and exit 1 — never a traceback. The exit codes
are in ``EXIT_CODES`` (and ``--help``, and the README).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import textwrap
import threading
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import AdobeOrdersError
from .export import check_output_path
from .terminal import PrintableStream, command_prefix, pip_install_extra

if TYPE_CHECKING:  # pandas and the client load only for the commands that need them
    import pandas as pd

    from .client import OrdersClient
    from .models import Order

EMULATOR_STATE = Path(".adobe-orders") / "emulator-state.json"
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_ROWS, EXIT_NOTHING, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
EXIT_FAILED_ROWS = EXIT_ROWS
EXIT_CODES = f"""exit codes:
  {EXIT_OK}    done: every row updated or unchanged (or would_update, in a dry run; duplicates are fine)
  {EXIT_ERROR}    refused before anything was sent (bad file, columns, settings, journal, batch busy or bound
       to another API, --out not writable), or a single update failed
  {EXIT_USAGE}    wrong arguments
  {EXIT_ROWS}    finished, but some rows need attention: failed, invalid, skipped or not_run (see the summary)
  {EXIT_NOTHING}    nothing was sent: no valid row in the file, or the batch was already undone
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C): the summary, the results file and the resume command are printed"""
#: `orders` reads and changes nothing: its codes are about customers, not rows.
ORDERS_EXIT_CODES = f"""exit codes:
  {EXIT_OK}    every customer's orders were read
  {EXIT_ERROR}    no customer could be read, or refused before reading (settings, --out, dates)
  {EXIT_USAGE}    wrong arguments
  {EXIT_ROWS}    some customers could not be read (each is named on stderr, with the reason)
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C)"""


def _paragraph(text: str) -> str:
    """A --help description wrapped by hand: the raw formatter (kept for the exit-code table) never wraps it."""
    return textwrap.fill(text, width=79)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="adobe-orders", description=_paragraph(
                                "Read and update the externalReferenceId of Adobe VIP Marketplace orders. Talks to "
                                "the local emulator unless ADOBE_VIPM_ENV says otherwise."), epilog=EXIT_CODES,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    g = sub.add_parser("get", help="show one order and its line items")
    g.add_argument("customer_id", help="the customer's ID, as Adobe shows it (leading zeros count)")
    g.add_argument("order_id", help="the order's ID, as Adobe shows it")
    g.add_argument("--json", action="store_true", help="print the raw JSON")

    u = sub.add_parser("update", help="set one order's externalReferenceId")
    u.add_argument("customer_id", help="the customer's ID, as Adobe shows it (leading zeros count)")
    u.add_argument("order_id", help="the order's ID, as Adobe shows it")
    u.add_argument("value", help="the new externalReferenceId (at most 35 characters)")
    u.add_argument("--json", action="store_true",
                   help="print the outcome as JSON: status, batch_id, previous and current value, the undo "
                        "command, and the order (as get --json prints it)")
    u.add_argument("--yes", action="store_true", help="required to change an order in production")
    u.epilog, u.formatter_class = EXIT_CODES, argparse.RawDescriptionHelpFormatter

    a = sub.add_parser("apply", help="apply a CSV/Excel file of updates", epilog=EXIT_CODES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("file", help="a .csv or .xlsx file with customer ID, order ID and new reference columns")
    a.add_argument("--dry-run", action="store_true", help="read and compare only; send no change")
    a.add_argument("--workers", type=_positive_int, default=4, metavar="N",
                   help="orders sent at the same time (default 4)")
    a.add_argument("--max-rate", type=float, default=None, help="requests per second, at most (this run only)")
    a.add_argument("--per-order-reads", action="store_true",
                   help="read each order with its own GET just before changing it, instead of reading "
                        "customers' orders 100 at a time from order history (see README, Bulk reads)")
    a.add_argument("--out", help="results file (.csv or .xlsx); default .adobe-orders/results-BATCH.csv; checked "
                                 "writable before anything is sent")
    a.add_argument("--batch-id", help="resume this batch (it must hold the same rows), or name a new one")
    a.add_argument("--customer-column", metavar="HEADER", help="the column holding customer IDs")
    a.add_argument("--order-column", metavar="HEADER", help="the column holding order IDs")
    a.add_argument("--value-column", metavar="HEADER", help="the column holding the new externalReferenceId")
    a.add_argument("--yes", action="store_true", help="required for a non-dry run in production")
    a.add_argument("--no-progress", action="store_true", help="no progress bar (for logs and scripts)")

    d = sub.add_parser("undo", help="restore the values a batch (and its retries) changed", epilog=EXIT_CODES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    d.add_argument("batch_id", help="the batch to undo, as printed by apply (or shown by history); its retries "
                                    "are undone with it")
    d.add_argument("--yes", action="store_true", help="required in production")
    d.add_argument("--out", help="also write the undo's results to this .csv or .xlsx file")
    d.add_argument("--no-progress", action="store_true", help="no progress bar (for logs and scripts)")

    o = sub.add_parser("orders", help="list customers' orders from Adobe's order history (find the ones to tag)",
                       description=_paragraph("Every order of the customers given, newest first (not only the "
                                              "current term, Adobe's own default). Exit 3 when some customers "
                                              "could not be read; they are named on stderr."))
    o.add_argument("customers", nargs="+", metavar="CUSTOMER", help="customer IDs (leading zeros count)")
    o.add_argument("--type", action="append", default=[], metavar="T", type=_order_type,
                   help="only this order type (NEW, RENEWAL, RETURN, TRANSFER, SWITCH, REVERT_SWITCH); "
                        "repeat or comma-separate for several")
    o.add_argument("--status", action="append", default=[], metavar="S", type=_status,
                   help="only this status code (e.g. 1000 complete, 1002 pending); repeat for several")
    o.add_argument("--since", type=_day, metavar="D", help="created on or after this day (YYYY-MM-DD, UTC)")
    o.add_argument("--until", type=_day, metavar="D", help="created on or before this day (YYYY-MM-DD, UTC)")
    o.add_argument("--missing-reference", action="store_true", help="only orders with no externalReferenceId")
    o.add_argument("--price", action="store_true", help="ask Adobe for pricing (fetch-price): adds total_price")
    o.add_argument("--out", metavar="FILE",
                   help="write every column to this .csv or .xlsx file instead of printing a table")
    o.add_argument("--workers", type=_positive_int, default=4, metavar="N",
                   help="customers read at the same time (default 4)")
    o.add_argument("--no-progress", action="store_true", help="no progress bar (for logs and scripts)")

    h = sub.add_parser("history", help="list journaled changes (needs no credentials)")
    h.add_argument("--out", help="write to .csv or .xlsx instead of printing")
    h.add_argument("--last", type=_positive_int, default=30, metavar="N", help="how many rows to print (default 30)")
    h.add_argument("--all", action="store_true", help="print every journaled row")

    s = sub.add_parser("sandbox", help="serve the local emulator until interrupted")
    s.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    s.add_argument("--latency", type=float, default=0.0,
                   help="seconds every /v3 answer takes, as a network would: half before it is handled")
    s.add_argument("--fault", action="append", default=[], metavar="NAME=P",
                   help="inject a fault with probability P: error_500, error_503, gateway_504, rate_limit, "
                        "drop_before, drop_after, slow")
    s.add_argument("--slow-seconds", type=float, default=2.0, metavar="S",
                   help="how long the 'slow' fault waits (default 2)")
    s.add_argument("--seed", type=int, default=2026, help="demo data seed (and fault seed)")
    s.add_argument("--state", help="persist the orders to this JSON file")

    lab = sub.add_parser("lab", help="start JupyterLab on the notebooks (needs the lab extra)")
    lab.add_argument("--port", type=int, default=8888, help="port on 127.0.0.1 (default 8888)")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser; print the address only")

    app = sub.add_parser("app", help="serve the form and the batch panel as a web page (needs the app extra)")
    app.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default 8866)")
    app.add_argument("--no-browser", action="store_true", help="do not open a browser; print the address only")

    sub.add_parser("reset-demo", help="put the embedded emulator's demo orders back as they were at first")
    for command in sub.choices.values():  # every command's --help ends with the exit codes
        command.epilog, command.formatter_class = EXIT_CODES, argparse.RawDescriptionHelpFormatter
    o.epilog = ORDERS_EXIT_CODES
    return p


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


ORDER_TYPE_NAMES = ("NEW", "RENEWAL", "RETURN", "TRANSFER", "SWITCH", "REVERT_SWITCH")


def _order_type(text: str) -> list[str]:
    values = [v.strip().upper() for v in text.split(",") if v.strip()]
    wrong = [v for v in values if v not in ORDER_TYPE_NAMES]
    if wrong or not values:
        raise argparse.ArgumentTypeError(f"{text!r}: use {', '.join(ORDER_TYPE_NAMES)}")
    return values


def _status(text: str) -> list[str]:
    values = [v.strip() for v in text.split(",") if v.strip()]
    if not values or not all(v.isdigit() and len(v) == 4 for v in values):
        raise argparse.ArgumentTypeError(f"{text!r}: a 4-digit status code such as 1000 (complete) or 1002")
    return values


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day as YYYY-MM-DD") from None


def _client() -> OrdersClient:
    from . import client as client_module
    from .client import OrdersClient

    os.environ.setdefault("ADOBE_VIPM_EMULATOR_STATE", str(EMULATOR_STATE))
    client_module.ANNOUNCE_EMBEDDED = False  # the "API:" line below says it
    client = OrdersClient.from_env()
    print(f"API: {client.label}", file=sys.stderr)
    return client


def _require_yes(client: OrdersClient, yes: bool, what: str) -> None:
    if client.needs_confirmation and not yes:
        raise AdobeOrdersError(f"This would {what} in PRODUCTION ({client.base_url}); add --yes to confirm.")


# JSON leaves DEL and the C1 controls raw, and stdout would show them as \x85, which no JSON parser reads:
# written as JSON's own \u0085 they are both shown (not obeyed by the terminal) and valid.
_JSON_ESCAPES = {c: f"\\u{c:04x}" for c in range(0x7F, 0xA0)}


def json_text(value: object) -> str:
    """``value`` as JSON for stdout: readable (non-ASCII as is), and still valid JSON after the CLI's
    stdout escapes what a terminal would obey (``terminal.printable``)."""
    return json.dumps(value, indent=2, ensure_ascii=False).translate(_JSON_ESCAPES)


def _print_order(order: Order, as_json: bool) -> None:
    print(json_text(order.to_api()) if as_json else str(order))


def _save(frame: pd.DataFrame, out: str) -> None:
    """CSV or XLSX by the name, formula-like cells neutralised (adobe_orders.export)."""
    from .export import write_table

    write_table(frame, out)


def _check_writable(out: str) -> None:
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


def command(*words: str) -> str:
    """A command line the user can paste as is, started the way this one was (``terminal.command_prefix``)."""
    return f"{command_prefix()} {shlex.join(words)}"


def _summary(results: pd.DataFrame) -> str:
    """Counts, then each row that needs attention, named as everywhere else (``line 22``)."""
    from .batch.report import attention_lines, counts_text

    return "\n".join([counts_text(results) or "no rows", *attention_lines(results)])


def _exit_code(results: pd.DataFrame) -> int:
    from .batch.schema import NEEDS_ATTENTION, RowStatus

    statuses = set(results["status"].astype(str))
    if results.attrs.get("interrupted"):
        return EXIT_INTERRUPTED
    if results.attrs.get("already_undone") or not statuses - {RowStatus.INVALID, RowStatus.DUPLICATE}:
        return EXIT_NOTHING
    return EXIT_ROWS if statuses & {s.value for s in NEEDS_ATTENTION} else EXIT_OK


def _resume_words(args: argparse.Namespace, batch_id: str) -> list[str]:
    words = ["apply", args.file, "--batch-id", batch_id]
    for option, value in (("--workers", args.workers if args.workers != 4 else None), ("--max-rate", args.max_rate),
                          ("--out", args.out), ("--customer-column", args.customer_column),
                          ("--order-column", args.order_column), ("--value-column", args.value_column)):
        if value is not None:
            words += [option, str(value)]
    return words + (["--yes"] if args.yes else []) + (["--no-progress"] if args.no_progress else []) + (
        ["--per-order-reads"] if args.per_order_reads else [])


def _tell_outcome(results: pd.DataFrame, resume: list[str] | None) -> None:
    from .batch.schema import RowStatus

    batch_id = results.attrs["batch_id"]
    if results.attrs.get("interrupted"):
        print("Interrupted: no new request was started; rows not reached are not_run.")
    elif results.attrs.get("stopped"):
        print(f"Stopped early: {results.attrs['stopped']}")
    unfinished = results["status"].astype(str).isin([RowStatus.NOT_RUN, RowStatus.FAILED]).any()
    if resume is not None and (results.attrs.get("interrupted") or results.attrs.get("stopped") or
                               (results["status"].astype(str) == RowStatus.NOT_RUN).any()):
        print(f"Resume with: {command(*resume)}")
    elif unfinished and resume is not None:
        # a command to paste, like every other one the CLI prints (rows already done are not sent again)
        print(f"Retry the failed rows with: {command(*resume)}")
    if (results["status"].astype(str) == RowStatus.UPDATED).any() and results.attrs.get("kind") != "undo":
        print(f"Undo with: {command('undo', batch_id)}")


def _cmd_apply(args: argparse.Namespace) -> int:
    from .batch import apply_updates, new_batch_id, read_updates
    from .batch.runner import check_batch_id

    if args.out:
        check_output_path(args.out)  # a wrong name is refused before anything is sent
        if Path(args.out).exists() and Path(args.file).exists() and Path(args.out).samefile(args.file):
            raise AdobeOrdersError(f"--out {args.out} is the input file: the results would replace it (and any other "
                                   "sheet in it). Choose another name. Nothing was sent.")
    frame = read_updates(args.file)
    columns = {k: v for k, v in (("customerId", args.customer_column), ("orderId", args.order_column),
                                 ("externalReferenceId", args.value_column)) if v}
    from .batch.columns import resolve_columns, user_columns

    resolve_columns(user_columns(frame), columns)  # a column problem is reported before any setup
    batch = check_batch_id(args.batch_id) if args.batch_id else new_batch_id()  # it names the results file
    out = args.out or str(_state_dir() / f"results-{batch}.csv")
    _check_writable(out)
    client = _client()
    _require_yes(client, args.yes or args.dry_run, f"change up to {len(frame)} orders")
    if not args.dry_run:
        print(f"Batch {batch}: Ctrl-C stops it cleanly; to finish it later: "
              f"{command(*_resume_words(args, batch))}", file=sys.stderr, flush=True)
    stop = _interrupts_stop_the_batch()
    results = apply_updates(frame, client, dry_run=args.dry_run, workers=args.workers, batch_id=batch,
                            bulk_reads=not args.per_order_reads, columns=columns or None, confirm=True,
                            max_rate=args.max_rate, progress=not args.no_progress, cancel=stop)
    results.attrs["interrupted"] = results.attrs.get("interrupted") or stop.is_set()
    _save(results, out)
    print(f"{'Dry run' if args.dry_run else 'Batch'} {batch} on {client.label}")
    print(_summary(results))
    print(f"Results: {out}")
    if not args.dry_run:
        _tell_outcome(results, _resume_words(args, batch))
    code = _exit_code(results)
    if code == EXIT_NOTHING:
        print("Nothing was sent: no row of the file is valid.", file=sys.stderr)
    return code


def _interrupts_stop_the_batch() -> threading.Event:
    """From here on, Ctrl-C stops the batch instead of killing the process: before it starts (no row
    is sent), while it runs (the engine's own handler: no new request, in-flight ones finish), and
    after (the results file and the summary are always written)."""
    import signal

    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    return stop


def _state_dir() -> Path:
    from .workspace import state_dir

    return state_dir()


def _cmd_undo(args: argparse.Namespace) -> int:
    from .batch import undo

    if args.out:
        check_output_path(args.out)
        _check_writable(args.out)
    client = _client()
    _require_yes(client, args.yes, f"undo batch {args.batch_id}")
    stop = _interrupts_stop_the_batch()
    results = undo(args.batch_id, client, confirm=True, progress=not args.no_progress, cancel=stop)
    results.attrs["interrupted"] = results.attrs.get("interrupted") or stop.is_set()
    if results.attrs.get("already_undone"):
        print(f"Batch {args.batch_id} was already undone by batch {results.attrs['already_undone']}; nothing was "
              "sent.")
        return EXIT_NOTHING
    print(f"Undo of {args.batch_id} (and its retries) on {client.label}: batch {results.attrs['batch_id']}")
    print(_summary(results))
    if args.out:
        _save(results, args.out)
        print(f"Results: {args.out}")
    if results.attrs.get("interrupted") or results.attrs.get("stopped"):
        print(f"Finish the undo with: {command('undo', args.batch_id)}")
    return _exit_code(results)


ORDER_TABLE = {"customerId": "customer", "orderId": "order", "creation_date": "created", "order_type": "type",
               "status": "status", "external_reference_id": "reference", "reference_order_id": "refers to",
               "line_count": "lines"}


def _cmd_orders(args: argparse.Namespace) -> int:
    from .discovery import fetch_orders
    from .export import check_output_path, write_table
    from .render import text_table

    if args.out:
        check_output_path(args.out)  # before reading anything
    if args.since and args.until and args.since > args.until:
        raise AdobeOrdersError(f"--since {args.since} is after --until {args.until}")
    from .validation import check_customer_id

    for customer in args.customers:  # a damaged ID is refused before anything starts
        check_customer_id(customer)
    client = _client()
    types = [t for group in args.type for t in group] or None
    statuses = [s for group in args.status for s in group] or None
    frame = fetch_orders(args.customers, client, order_type=types, status=statuses, start_date=args.since,
                         end_date=args.until, missing_reference=args.missing_reference, fetch_price=args.price,
                         workers=args.workers, progress=not args.no_progress)
    failed = frame.attrs["failed_customers"]
    for customer, reason in failed.items():
        print(f"adobe-orders: customer {customer} not read: {reason}", file=sys.stderr)
    read = len(frame.attrs["customers"]) - len(failed)
    if args.out:
        # Adobe's status as order_status: 'status' is a result column, and apply refuses a file holding one.
        # So the export, with external_reference_id filled in, is an apply input as it stands.
        export = frame.drop(columns=["order_json"]).rename(columns={"status": "order_status"})
        written = write_table(export, args.out)
        print(f"{len(frame)} orders of {_customers(read)} written to {written}; type the new references into "
              f"external_reference_id, then: {command('apply', str(written))}")
    elif frame.empty:
        print(f"No orders found for {_customers(read)} with these filters.")
    else:
        columns = list(ORDER_TABLE) + (["total_price"] if args.price else [])
        rows = [{ORDER_TABLE.get(str(c), str(c)): v for c, v in r.items()} for r in frame[columns].to_dict("records")]
        for row in rows:
            row["created"] = row["created"].strftime("%Y-%m-%d") if row["created"] is not None else ""
        print(text_table(rows, [ORDER_TABLE.get(c, c) for c in columns]))
        print(f"{len(frame)} orders of {_customers(read)}")
    if failed:
        return EXIT_FAILED_ROWS if read else 1
    return 0


def _customers(n: int) -> str:
    return f"{n} customer{'' if n == 1 else 's'}"


def _cmd_history(args: argparse.Namespace) -> int:
    from .batch import history

    if args.out:
        check_output_path(args.out)
    frame = history()
    print(f"Journal: {frame.attrs['journal']}", file=sys.stderr)
    if args.out:
        _save(frame, args.out)
        print(f"{len(frame)} journaled rows written to {args.out}")
    elif frame.empty:
        print("The journal is empty: no batch has been applied from this workspace yet.")
    else:
        from .terminal import history_text

        print(history_text(frame, last=None if args.all else args.last))
    return 0


def _cmd_sandbox(args: argparse.Namespace) -> int:
    from .sandbox import Sandbox
    from .sandbox.faults import parse_fault

    faults = dict(parse_fault(f) for f in args.fault)
    sb = Sandbox(port=args.port, seed=args.seed, latency=args.latency, faults=faults, fault_seed=args.seed,
                 slow_seconds=args.slow_seconds, state_file=args.state)
    sb.start()
    print("# adobe-orders local emulator — paste into .env (these credentials work only here)")
    for line in sb.env_lines():
        print(line)
    print(f"# serving {len(sb.state.orders)} orders on {sb.url}; Ctrl+C to stop", flush=True)
    try:
        sb.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def _cmd_lab(args: argparse.Namespace) -> int:
    import importlib.util

    notebooks = Path(__file__).resolve().parent.parent / "notebooks"
    folder = notebooks if notebooks.is_dir() else Path.cwd()
    if importlib.util.find_spec("jupyterlab") is None:
        raise AdobeOrdersError(f"JupyterLab is not installed in this environment; run: {pip_install_extra('lab')}")
    print(f"Starting JupyterLab on {folder}; the notebooks use the local emulator unless .env says otherwise. "
          "Ctrl+C stops it.", flush=True)
    command = [sys.executable, "-m", "jupyterlab", "--ip=127.0.0.1", f"--port={args.port}",
               f"--ServerApp.root_dir={folder}"]
    if args.no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers often run as root; Lab refuses it otherwise
        command.append("--allow-root")
    return run_child(command)


def _cmd_app(args: argparse.Namespace) -> int:
    """Voilà on 127.0.0.1 runs the app notebook; its kernel works in this folder (journal, .env, results)."""
    import importlib.util

    from .app import NOTEBOOK, WORKDIR_ENV

    if importlib.util.find_spec("voila") is None:
        raise AdobeOrdersError(f"Voilà is not installed in this environment; run: {pip_install_extra('app')}")
    os.environ[WORKDIR_ENV] = str(Path.cwd())
    print(f"Serving the adobe-orders app on http://127.0.0.1:{args.port}/ for this folder ({Path.cwd()}); "
          "it talks to the local emulator unless .env says otherwise. Ctrl+C stops it.", flush=True)
    command = [sys.executable, "-m", "voila", str(NOTEBOOK), "--Voila.ip=127.0.0.1", f"--port={args.port}",
               "--show_tracebacks=False", "--strip_sources=True",
               "--Voila.port_retries=0"]  # the address printed above is the one served, or it fails clearly
    if args.no_browser:
        command.append("--no-browser")
    return run_child(command)


def _cmd_reset_demo(args: argparse.Namespace) -> int:
    """Forget the embedded emulator's saved orders, so the next command starts from the seeded demo data."""
    from .config import Settings

    if not Settings.from_env().uses_embedded_emulator:
        raise AdobeOrdersError("reset-demo only resets the embedded local emulator, and .env points elsewhere.")
    state = Path(os.environ.get("ADOBE_VIPM_EMULATOR_STATE") or EMULATOR_STATE)
    if state.exists():
        state.unlink()
        print(f"Demo orders reset: removed {state}. The journal (history) is kept.")
    else:
        print(f"Demo orders are already as seeded ({state} does not exist).")
    return 0


def run_child(command: list[str]) -> int:
    """Run a server child until it ends, and stop it with us: on Ctrl-C, on SIGTERM, on our death.

    The child gets its own session, so a terminal's Ctrl-C reaches only us and we stop the child
    with SIGTERM (JupyterLab shuts its kernels down on SIGTERM; on SIGINT it would ask a question
    nobody sees). On Linux the child also gets SIGTERM if we are killed outright.
    """
    import signal
    import subprocess

    def _on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _on_term)
    child = subprocess.Popen(command, start_new_session=True, preexec_fn=_die_with_parent)
    try:
        return child.wait()
    except KeyboardInterrupt:
        child.terminate()
        try:
            child.wait(30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        print("Stopped.", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to send SIGTERM if the parent dies (kill -9 included)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except OSError:
            pass


def _update(client: OrdersClient, args: argparse.Namespace) -> int:
    """A single update, journaled like a batch of one so ``adobe-orders undo`` can restore it."""
    from .batch import update_one
    from .models import Order

    row = update_one(client, args.customer_id, args.order_id, args.value, kind="cli", confirm=True)
    if row["status"] in ("invalid", "failed", "not_run"):
        raise AdobeOrdersError(row["reason"])
    order = Order.from_api(json.loads(row["order_json"]))
    undo = command("undo", row["batch_id"]) if row["status"] == "updated" else None
    if args.json:
        print(json_text(_update_json(row, order, undo)))
        return 0
    from .render import is_blank

    before, after = (("(empty)" if is_blank(row[k]) else repr(row[k])) for k in ("previous_value", "current_value"))
    print(f"externalReferenceId: {before} -> {after} ({row['status']}; batch {row['batch_id']})\n")
    _print_order(order, False)
    if undo:
        print(f"\nUndo with: {undo}")
    return 0


def _update_json(row: pd.Series, order: Order, undo: str | None) -> dict[str, object]:
    """What the text mode tells, as one JSON object: a script needs the batch ID to undo the change.

    Keys are the results' column names (``batch_id``, ``previous_value``…); ``order`` is exactly what
    ``get --json`` prints, so one parser reads both.
    """
    def value(key: str) -> str | None:  # "" (Adobe's empty reference) stays "", a missing value is null
        return row[key] if isinstance(row[key], str) else None

    return {"status": str(row["status"]), "batch_id": str(row["batch_id"]), "previous_value": value("previous_value"),
            "current_value": value("current_value"), "undo_command": undo, "order": order.to_api()}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handlers = {
        "apply": _cmd_apply, "undo": _cmd_undo, "history": _cmd_history, "sandbox": _cmd_sandbox,
        "orders": _cmd_orders,
        "lab": _cmd_lab, "app": _cmd_app, "reset-demo": _cmd_reset_demo,
    }
    import signal

    interrupts = signal.getsignal(signal.SIGINT)
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = PrintableStream(sys.stdout), PrintableStream(sys.stderr)
    try:
        if args.command in handlers:
            return handlers[args.command](args)
        client = _client()
        if args.command == "get":
            _print_order(client.get_order(args.customer_id, args.order_id), args.json)
            return 0
        _require_yes(client, args.yes, f"change order {args.order_id}")
        return _update(client, args)
    except (AdobeOrdersError, KeyError, ValueError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"adobe-orders: error: {message}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:  # outside a batch (a batch stops itself and reports, exit 130)
        print("adobe-orders: interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        sys.stdout, sys.stderr = streams
        if threading.current_thread() is threading.main_thread():
            # in-process (main([...])): leave no trace; as a program: the process is ending, and a late
            # Ctrl-C must not turn exit 130 into death by signal while the interpreter shuts down
            signal.signal(signal.SIGINT, interrupts if argv is not None and interrupts is not None
                          else signal.SIG_IGN)


if __name__ == "__main__":
    sys.exit(main())
