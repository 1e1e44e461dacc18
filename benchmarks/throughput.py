"""Benchmark 1 — batch throughput against an emulator with a fixed latency (separate process).

Baseline: the loop an analyst writes by hand (requests.patch per row, no Session). Then
apply_updates at 1, 4, 8 and 16 workers (a GET and a PATCH per row). Ideal rows/s for
apply_updates is workers / (2 x latency). Every order is checked at its target afterwards.
"""

from __future__ import annotations

import json
import tempfile

import pandas as pd
import requests

from adobe_orders import apply_updates

from .common import client_for, emulator_process, headers, stored_orders, timer, token


def _rows(env: dict[str, str], n: int, tag: str) -> pd.DataFrame:
    orders = requests.get(f"{env['ADOBE_VIPM_BASE_URL']}/_sandbox/orders", timeout=30).json()[:n]
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
    n = 40 if quick else 300
    worker_counts = [1, 4] if quick else [1, 4, 8, 16]
    rows: list[dict[str, object]] = []
    with emulator_process(latency) as env:
        frame = _rows(env, n, "HAND")
        seconds = hand_loop(env, frame)
        base_rate = len(frame) / seconds
        rows.append({"run": "hand loop (requests.patch, no Session)", "rows": len(frame), "seconds": seconds,
                     "rows_per_s": base_rate, "vs_hand_loop": 1.0, "of_ideal": base_rate * latency,
                     "verified": _verify(env, frame)})
        client = client_for(env)
        for workers in worker_counts:
            frame = _rows(env, n, f"W{workers}")
            with tempfile.TemporaryDirectory() as folder, timer() as t:
                results = apply_updates(frame, client, workers=workers, progress=False,
                                        journal=f"{folder}/journal.sqlite")
            rate = len(frame) / t[0]
            rows.append({"run": f"apply_updates(workers={workers})", "rows": len(frame), "seconds": t[0],
                         "rows_per_s": rate, "vs_hand_loop": rate / base_rate,
                         "of_ideal": rate / (workers / (2 * latency)),
                         "verified": _verify(env, frame) and set(results["status"]) == {"updated"}})
    return rows
