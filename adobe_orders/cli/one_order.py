"""``get`` and ``update``: one order at a time, shown as text or as the JSON Adobe returns.

A single update is journaled as a batch of one, so the same ``undo`` that restores a batch restores it.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from ..errors import AdobeOrdersError
from ..models import Order
from ..render import is_blank
from .console import Console, command, json_text

if TYPE_CHECKING:  # pandas and the client load only when a command needs them
    import pandas as pd

    from ..client import OrdersClient


def print_order(order: Order, as_json: bool, console: Console) -> None:
    """Text for a person, or exactly the JSON Adobe returned for a script (``get --json``)."""
    console.say(json_text(order.to_api()) if as_json else str(order))


def update_order(client: OrdersClient, args: argparse.Namespace, console: Console) -> int:
    """A single update, journaled like a batch of one so ``adobe-orders undo`` can restore it."""
    from ..batch.apply import update_one  # pandas loads with the batch engine: only for the commands that need it

    row = update_one(client, args.customer_id, args.order_id, args.value, kind="cli", confirm=True)
    if row["status"] in ("invalid", "failed", "not_run"):
        raise AdobeOrdersError(row["reason"])
    order = Order.from_api(json.loads(row["order_json"]))

    # Undo puts back the reference the order held; Adobe offers no way to clear one, so none is offered for an
    # order that had none before.
    previous = row["previous_value"]
    blank_before = is_blank(previous) or (isinstance(previous, str) and not previous.strip())  # spaces: none
    had_none = row["status"] == "updated" and blank_before
    undo = command("undo", row["batch_id"]) if row["status"] == "updated" and not had_none else None
    if args.json:
        console.say(json_text(_update_json(row, order, undo)))
        return 0
    before, after = (("(empty)" if is_blank(row[k]) else repr(row[k])) for k in ("previous_value", "current_value"))
    console.say(f"externalReferenceId: {before} -> {after} ({row['status']}; batch {row['batch_id']})\n")
    print_order(order, False, console)
    if undo:
        console.say(f"\nUndo with: {undo}")
    elif had_none:
        console.say("\nUndo cannot take this back: the order had no reference before, and Adobe offers no way to "
                    "clear a reference. To correct it, set the right value.")
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
