"""``orders``: customers' orders from Adobe's order history, to find the ones to tag.

Printed as a table, or written as a file that, once the new references are typed in, ``apply`` takes
as it stands. A customer that cannot be read is named and skipped; the others are still listed.
"""

from __future__ import annotations

import argparse

from ..errors import AdobeOrdersError
from ..export import check_output_path, write_table
from ..render import text_table
from ..validation import check_customer_id
from .console import Console, command, connect
from .exit_codes import EXIT_FAILED_ROWS

ORDER_TABLE = {"customerId": "customer", "orderId": "order", "creation_date": "created", "order_type": "type",
               "status": "status", "external_reference_id": "reference", "reference_order_id": "refers to",
               "line_count": "lines"}


def cmd_orders(args: argparse.Namespace, console: Console) -> int:
    from ..discovery import fetch_orders  # pandas loads with it: only for the commands that need it

    if args.out:
        check_output_path(args.out)  # before reading anything
    if args.since and args.until and args.since > args.until:
        raise AdobeOrdersError(f"--since {args.since} is after --until {args.until}")

    for customer in args.customers:  # a damaged ID is refused before anything starts
        check_customer_id(customer)
    client = connect(console)
    types = [t for group in args.type for t in group] or None
    statuses = [s for group in args.status for s in group] or None
    frame = fetch_orders(args.customers, client, order_type=types, status=statuses, start_date=args.since,
                         end_date=args.until, missing_reference=args.missing_reference, fetch_price=args.price,
                         workers=args.workers, progress=not args.no_progress)
    failed = frame.attrs["failed_customers"]
    for customer, reason in failed.items():
        console.warn(f"adobe-orders: customer {customer} not read: {reason}")
    read = len(frame.attrs["customers"]) - len(failed)
    if not read and failed:
        console.warn("adobe-orders: no customer could be read (the reasons are above; check the customer IDs, "
                     "leading zeros count), so nothing is listed"
                     + (f" and nothing written to {args.out}." if args.out else "."))
        return 1
    if args.out:
        # Adobe's status as order_status: 'status' is a result column, and apply refuses a file holding one.
        # So the export, with external_reference_id filled in, is an apply input as it stands.
        export = frame.drop(columns=["order_json"]).rename(columns={"status": "order_status"})
        written = write_table(export, args.out)
        console.say(f"{len(frame)} orders of {_customers(read)} written to {written}; type the new references into "
              f"external_reference_id, then: {command('apply', str(written))}")
    elif frame.empty:
        console.say(f"No orders found for {_customers(read)} with these filters.")
    else:
        columns = list(ORDER_TABLE) + (["total_price"] if args.price else [])
        rows = [{ORDER_TABLE.get(str(c), str(c)): v for c, v in r.items()} for r in frame[columns].to_dict("records")]
        for row in rows:
            row["created"] = row["created"].strftime("%Y-%m-%d") if row["created"] is not None else ""
        console.say(text_table(rows, [ORDER_TABLE.get(c, c) for c in columns]))
        console.say(f"{len(frame)} orders of {_customers(read)}")
    if failed:
        return EXIT_FAILED_ROWS if read else 1
    return 0


def _customers(n: int) -> str:
    return f"{n} customer{'' if n == 1 else 's'}"
