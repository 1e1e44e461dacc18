"""The ``adobe-orders`` command line: every command, option and help text, in one parser, with the option
values checked while the line is parsed (a wrong one is a usage error, exit 2, before anything runs).
Every ``--help`` ends with the exit-code table (``exit_codes``), hence the raw formatter and the
descriptions wrapped by hand."""

from __future__ import annotations

import argparse
import math
import textwrap
from datetime import date

from ..retry import MIN_MAX_RATE
from .exit_codes import COMMAND_EXIT_CODES, EXIT_CODES, JOURNAL_EXIT_CODES, ORDERS_EXIT_CODES


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def port(text: str) -> int:
    """A TCP port, 1 to 65535 (a server whose address is printed before it starts needs a real one)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port; use 1 to 65535")
    return value


def port_or_any(text: str) -> int:
    """A TCP port, or 0 for any free one."""
    try:
        return 0 if text.strip() == "0" else port(text)
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(f"{exc} (or 0 for any free port)") from None


MAX_SECONDS = 3600.0


def seconds(text: str) -> float:
    """A finite delay from 0 to an hour: nan or inf would be accepted, then fail inside every request."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value <= MAX_SECONDS:  # also false for nan
        raise argparse.ArgumentTypeError(f"{text!r}: use a number of seconds from 0 to {MAX_SECONDS:g}, e.g. 0.2")
    return value


def requests_per_second(text: str) -> float:
    """A pace the run can keep; checked here, since a batch once started before a wrong one was refused."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < MIN_MAX_RATE:
        raise argparse.ArgumentTypeError(f"{text!r}: use a number of requests per second of at least "
                                         f"{MIN_MAX_RATE:.6f} (one an hour), e.g. 5; leave --max-rate out for no limit")
    return value


def nonblank(text: str) -> str:
    """An ID to look up: '' (an unset shell variable) would look up nothing and say nothing was found."""
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty; give the ID")
    return text.strip()


ORDER_TYPE_NAMES = ("NEW", "RENEWAL", "RETURN", "TRANSFER", "SWITCH", "REVERT_SWITCH")


def order_types(text: str) -> list[str]:
    values = [v.strip().upper() for v in text.split(",") if v.strip()]
    wrong = [v for v in values if v not in ORDER_TYPE_NAMES]
    if wrong or not values:
        raise argparse.ArgumentTypeError(f"{text!r}: use {', '.join(ORDER_TYPE_NAMES)}")
    return values


def status_codes(text: str) -> list[str]:
    values = [v.strip() for v in text.split(",") if v.strip()]
    if not values or not all(v.isdigit() and len(v) == 4 for v in values):
        raise argparse.ArgumentTypeError(f"{text!r}: a 4-digit status code such as 1000 (complete) or 1002")
    return values


def iso_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day as YYYY-MM-DD") from None


def _paragraph(text: str) -> str:
    """A --help description wrapped by hand: the raw formatter (kept for the exit-code table) never wraps it."""
    return textwrap.fill(text, width=79)


def build_parser() -> argparse.ArgumentParser:
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
    a.add_argument("--workers", type=positive_int, default=4, metavar="N",
                   help="orders sent at the same time (default 4)")
    a.add_argument("--max-rate", type=requests_per_second, metavar="R", default=None,
                   help="requests per second, at most (this run only)")
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
    o.add_argument("--type", action="append", default=[], metavar="T", type=order_types,
                   help="only this order type (NEW, RENEWAL, RETURN, TRANSFER, SWITCH, REVERT_SWITCH); "
                        "repeat or comma-separate for several")
    o.add_argument("--status", action="append", default=[], metavar="S", type=status_codes,
                   help="only this status code (e.g. 1000 complete, 1002 pending); repeat for several")
    o.add_argument("--since", type=iso_day, metavar="D", help="created on or after this day (YYYY-MM-DD, UTC)")
    o.add_argument("--until", type=iso_day, metavar="D", help="created on or before this day (YYYY-MM-DD, UTC)")
    o.add_argument("--missing-reference", action="store_true", help="only orders with no externalReferenceId")
    o.add_argument("--price", action="store_true", help="ask Adobe for pricing (fetch-price): adds total_price")
    o.add_argument("--out", metavar="FILE",
                   help="write every column to this .csv or .xlsx file instead of printing a table")
    o.add_argument("--workers", type=positive_int, default=4, metavar="N",
                   help="customers read at the same time (default 4)")
    o.add_argument("--no-progress", action="store_true", help="no progress bar (for logs and scripts)")

    h = sub.add_parser("history", help="list journaled changes (needs no credentials)")
    h.add_argument("--out", help="write to .csv or .xlsx instead of printing")
    h.add_argument("--last", type=positive_int, metavar="N", help="how many rows to print (default 30)")
    h.add_argument("--all", action="store_true", help="print every journaled row")
    h.add_argument("--order", metavar="ORDER", type=nonblank,
                   help="every change to this one order, newest first: previous and new "
                        "value, batch, who and when (the whole team's on a team journal)")
    h.add_argument("--customer", metavar="CUSTOMER", type=nonblank, help="with --order: only this customer's order")

    j = sub.add_parser("journal", help="manage the journal (copy a file journal into the team journal)")
    js = j.add_subparsers(dest="journal_command", required=True, metavar="ACTION", help="copy: see journal copy --help")
    jc = js.add_parser("copy", help="copy this workspace's journal into the team journal (PostgreSQL), keeping batch "
                                    "IDs, lineage and who ran each batch; batches already there are skipped")
    jc.add_argument("--to", required=True, metavar="URL", help="the team journal, postgresql://USER@HOST[:PORT]/DB "
                                                               "(a password here is never printed)")
    jc.add_argument("--from", dest="source", metavar="FILE",
                    help="the journal file to copy (default: this workspace's, .adobe-orders/journal.sqlite)")

    s = sub.add_parser("sandbox", help="serve the local emulator until interrupted")
    s.add_argument("--port", type=port_or_any, default=0, help="port on 127.0.0.1 (default: any free port)")
    s.add_argument("--latency", type=seconds, default=0.0,
                   help="seconds every /v3 answer takes, as a network would: half before it is handled")
    s.add_argument("--fault", action="append", default=[], metavar="NAME=P",
                   help="inject a fault with probability P: error_500, error_503, gateway_504, rate_limit, "
                        "drop_before, drop_after, slow")
    s.add_argument("--slow-seconds", type=seconds, default=2.0, metavar="S",
                   help="how long the 'slow' fault waits (default 2)")
    s.add_argument("--seed", type=int, default=2026, help="demo data seed (and fault seed)")
    s.add_argument("--state", help="persist the orders to this JSON file")
    s.add_argument("--page-cap", type=positive_int, metavar="N",
                   help="order history pages hold at most N orders, whatever limit asks (a hostile but legal server)")
    s.add_argument("--no-total-count", action="store_true",
                   help="order history answers without totalCount, as Adobe's older samples (links.next only)")

    lab = sub.add_parser("lab", help="start JupyterLab on the notebooks (needs the lab extra)")
    lab.add_argument("--port", type=port, default=8888, help="port on 127.0.0.1 (default 8888)")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser; print the address only")

    app = sub.add_parser("app", help="serve the form and the batch panel as a web page (needs the app extra)")
    app.add_argument("--port", type=port, default=8866, help="port on 127.0.0.1 (default 8866)")
    app.add_argument("--no-browser", action="store_true", help="do not open a browser; print the address only")

    demo = sub.add_parser("demo", help="write the example files and notebooks into a folder; name the demo customers")
    demo.add_argument("folder", nargs="?", default=".", metavar="FOLDER", help="where to write (default: this folder)")
    demo.add_argument("--force", action="store_true", help="overwrite files that are already there")

    sub.add_parser("reset-demo", help="put the embedded emulator's demo orders back as they were at first")
    jc.epilog, jc.formatter_class = JOURNAL_EXIT_CODES, argparse.RawDescriptionHelpFormatter
    for name, command in sub.choices.items():  # every command's --help ends with its exit codes
        table = {"update": EXIT_CODES, "apply": EXIT_CODES, "undo": EXIT_CODES,
                 "journal": JOURNAL_EXIT_CODES}.get(name, COMMAND_EXIT_CODES)
        command.epilog, command.formatter_class = table, argparse.RawDescriptionHelpFormatter
    o.epilog = ORDERS_EXIT_CODES
    return p
