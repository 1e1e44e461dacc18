"""Benchmark 6 — order history into a DataFrame: ``fetch_orders`` of 20 customers with 250 orders each
(3 pages of at most 100) at 8 workers, against the emulator with a fixed latency.

The ideal is ``workers / latency`` pages per second: every worker always waiting on a page. Pages
are counted in the emulator's log; every order must come back exactly once.
"""

from __future__ import annotations

from .common import client_for, emulator_process, timer, v3_requests

WORKERS = 8


def run(quick: bool = False) -> list[dict[str, object]]:
    from adobe_orders import fetch_orders

    latency = 0.01 if quick else 0.05
    customers, each = (6, 150) if quick else (20, 250)
    repeats = 1 if quick else 3
    ids = [f"63{i:08d}" for i in range(customers)]
    best, pages, verified = float("inf"), 0, True
    with emulator_process(latency, (f"{customers}x{each}:63",)) as env:
        client = client_for(env)
        for _ in range(repeats):
            since = len(v3_requests(env))
            with timer() as t:
                frame = fetch_orders(ids, client, workers=WORKERS, progress=False)
            best = min(best, t[0])
            pages = len(v3_requests(env)) - since
            verified = verified and len(frame) == customers * each and frame["orderId"].is_unique \
                and not frame.attrs.get("failed_customers")
    rate = pages / best
    return [{"run": f"fetch_orders({customers} customers x {each} orders, workers={WORKERS})",
             "orders": customers * each, "pages": pages, "seconds": best, "pages_per_s": rate,
             "of_ideal": rate / (WORKERS / latency), "verified": verified}]
