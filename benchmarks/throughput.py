"""Benchmark 1 — batch throughput with a read per row, against an emulator with a fixed latency.

Baseline: the loop an analyst writes by hand (requests.patch per row, no Session). Then
apply_updates with per-order reads (``bulk_reads=False``: a GET and a PATCH per row) from 1 to 64
workers; the ideal is ``workers / (2 x latency)`` rows per second, so ``of_ideal`` says how much of
it each worker count reaches (64 workers should be as efficient as 16). Every order is checked at
its target afterwards. Short runs are repeated and the best kept (the machine may be shared).
"""

from __future__ import annotations

import json
import tempfile

import pandas as pd
import requests

from adobe_orders import apply_updates

from .common import client_for, emulator_process, headers, stored_orders, timer, token

LOAD = ("10x100:61",)  # 1,000 more orders, so a 1,000-row batch touches each order once


def _rows(env: dict[str, str], n: int, tag: str) -> pd.DataFrame:
    orders = requests.get(f"{env['ADOBE_VIPM_BASE_URL']}/_sandbox/orders", timeout=30).json()[-n:]
    return pd.DataFrame({"customerId": [o["customerId"] for o in orders], "orderId": [o["orderId"] for o in orders],
                         "externalReferenceId": [f"{tag}-{i}" for i in range(len(orders))]}, dtype=object)


def _verify(env: dict[str, str], frame: pd.DataFrame) -> bool:
    stored = stored_orders(env)
    return all(stored[(c, o)] == v for c, o, v in frame.itertuples(index=False))


def hand_loop(env: dict[str, str], frame: pd.DataFrame) -> float:
    tok = token(env)
    base = env["ADOBE_VIPM_BASE_URL"]
    with timer() as t:
        for c, o, v in frame.itertuples(index=False):
            r = requests.patch(f"{base}/v3/customers/{c}/orders/{o}", data=json.dumps({"externalReferenceId": v}),
                               headers=headers(env, tok), timeout=30)
            r.raise_for_status()
    return t[0]


def run(quick: bool = False) -> list[dict[str, object]]:
    latency = 0.01 if quick else 0.05
    hand_rows = 40 if quick else 300
    # (workers, rows, repeats): enough rows that each worker sends several, short runs repeated.
    plan = [(1, 40, 1), (4, 40, 1), (64, 200, 1)] if quick else \
        [(1, 300, 1), (4, 300, 1), (8, 300, 1), (16, 1000, 2), (64, 1000, 5)]
    rows: list[dict[str, object]] = []
    with emulator_process(latency, LOAD) as env:
        frame = _rows(env, hand_rows, "HAND")
        seconds = hand_loop(env, frame)
        base_rate = len(frame) / seconds
        rows.append({"run": "hand loop (requests.patch, no Session)", "rows": len(frame), "seconds": seconds,
                     "rows_per_s": base_rate, "vs_hand_loop": 1.0, "of_ideal": base_rate * latency,
                     "verified": _verify(env, frame)})
        client = client_for(env)
        for workers, n, repeats in plan:
            best, verified = float("inf"), True
            for r in range(repeats):
                frame = _rows(env, n, f"W{workers}R{r}")
                with tempfile.TemporaryDirectory() as folder, timer() as t:
                    results = apply_updates(frame, client, workers=workers, progress=False, bulk_reads=False,
                                            journal=f"{folder}/journal.sqlite")
                best = min(best, t[0])
                verified = verified and _verify(env, frame) and set(results["status"]) == {"updated"}
            rate = n / best
            rows.append({"run": f"apply_updates(workers={workers}, bulk_reads=False)", "rows": n, "seconds": best,
                         "rows_per_s": rate, "vs_hand_loop": rate / base_rate,
                         "of_ideal": rate / (workers / (2 * latency)), "verified": verified})
    return rows
