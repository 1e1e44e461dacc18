"""Helpers of the team-journal tests: frames of updates, an emulator whose PATCHes are slowed and
watched (how many are in flight for each order), and the journal's own rows read straight from the
database (not through the code under test)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pandas as pd

from adobe_orders.sandbox.server import Handler


def updates(orders: list[dict], tag: str) -> pd.DataFrame:
    return pd.DataFrame({"customerId": [o["customerId"] for o in orders], "orderId": [o["orderId"] for o in orders],
                         "externalReferenceId": [f"{tag}-{i}" for i in range(len(orders))]}, dtype=object)


class PatchWatch:
    """Wraps the emulator's request handling: each PATCH takes ``delay`` seconds longer and is counted
    while it is being handled, per order, so a test sees whether two were ever in flight at once."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.in_flight: dict[str, int] = defaultdict(int)
        self.most: dict[str, int] = defaultdict(int)
        self.patched: list[str] = []
        self.before_patch: Callable[[str], None] | None = None

    def wrap(self, original: Callable[..., Any]) -> Callable[..., Any]:
        def handle(handler: Handler, method: str, path: str, query: str, raw: bytes, entry: dict) -> Any:
            if method != "PATCH":
                return original(handler, method, path, query, raw, entry)
            if self.before_patch is not None:
                self.before_patch(path)
            with self.lock:
                self.in_flight[path] += 1
                self.most[path] = max(self.most[path], self.in_flight[path])
                self.patched.append(path)
            try:
                time.sleep(self.delay)
                return original(handler, method, path, query, raw, entry)
            finally:
                with self.lock:
                    self.in_flight[path] -= 1

        return handle


def order_path(order: dict) -> str:
    return f"/v3/customers/{order['customerId']}/orders/{order['orderId']}"


def pg_rows(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    """The team journal's tables as the database holds them."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else []
