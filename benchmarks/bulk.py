"""Benchmark 5 — bulk reads: current values from order-history pages instead of a GET per row.

A batch of every order of 6 customers with 100 orders each (600 rows), against the emulator with
a fixed latency. Dry run with per-order reads (``bulk_reads=False``, 600 GETs) against the same dry
run with bulk reads (6 history pages); then the apply of those rows at 16 workers, whose ideal is
one round trip per row (``workers / latency``; the PATCH answer is the order) — 2x the ceiling of
a read and a PATCH per row (``workers / (2 x latency)``). ``requests`` counts the API calls the
emulator logged; every order is checked at its target afterwards.
"""

from __future__ import annotations

import tempfile
from collections import Counter

import pandas as pd
import requests

from adobe_orders import apply_updates

from .common import client_for, emulator_process, stored_orders, timer, v3_requests

WORKERS = 16


def _batch(env: dict[str, str], prefix: str, tag: str) -> pd.DataFrame:
    orders = [o for o in requests.get(f"{env['ADOBE_VIPM_BASE_URL']}/_sandbox/orders", timeout=30).json()
              if o["customerId"].startswith(prefix)]
    return pd.DataFrame({"customerId": [o["customerId"] for o in orders], "orderId": [o["orderId"] for o in orders],
                         "externalReferenceId": [f"{tag}-{i}" for i in range(len(orders))]}, dtype=object)


def _calls(env: dict[str, str], since: int) -> tuple[int, str]:
    log = v3_requests(env)[since:]
    kinds = Counter("page" if str(e["path"]).endswith("/orders") else str(e["method"]) for e in log)
    return len(log), ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))


def run(quick: bool = False) -> list[dict[str, object]]:
    latency = 0.01 if quick else 0.05
    customers, each = (3, 20) if quick else (6, 100)
    repeats = 1 if quick else 3
    out: list[dict[str, object]] = []
    with emulator_process(latency, (f"{customers}x{each}:62",)) as env:
        client = client_for(env)
        dry: dict[bool, float] = {}
        for bulk in (False, True):
            best, calls = float("inf"), (0, "")
            for _ in range(repeats):
                frame = _batch(env, "62", "DRY")
                since = len(v3_requests(env))
                with timer() as t:
                    results = apply_updates(frame, client, dry_run=True, workers=WORKERS, progress=False,
                                            bulk_reads=bulk)
                best = min(best, t[0])
                calls = _calls(env, since)
                assert set(results["status"]) == {"would_update"}, results["status"].value_counts()
            dry[bulk] = best
            out.append({"run": f"dry run, {len(frame)} rows, workers={WORKERS}, bulk_reads={bulk}",
                        "rows": len(frame), "seconds": best, "rows_per_s": len(frame) / best,
                        "requests": calls[0], "sent": calls[1], "speedup": dry[False] / best, "of_ideal": None,
                        "vs_two_trip_ceiling": None, "verified": True})
        best, verified, calls = float("inf"), True, (0, "")
        for r in range(repeats):
            frame = _batch(env, "62", f"BULK{r}")
            since = len(v3_requests(env))
            with tempfile.TemporaryDirectory() as folder, timer() as t:
                results = apply_updates(frame, client, workers=WORKERS, progress=False, bulk_reads=True,
                                        journal=f"{folder}/journal.sqlite")
            best = min(best, t[0])
            calls = _calls(env, since)
            stored = stored_orders(env)
            verified = verified and set(results["status"]) == {"updated"} and all(
                stored[(c, o)] == v for c, o, v in frame.itertuples(index=False))
        rate = len(frame) / best
        out.append({"run": f"apply, {len(frame)} rows, workers={WORKERS}, bulk_reads=True", "rows": len(frame),
                    "seconds": best, "rows_per_s": rate, "requests": calls[0], "sent": calls[1], "speedup": None,
                    "of_ideal": rate / (WORKERS / latency), "vs_two_trip_ceiling": rate / (WORKERS / (2 * latency)),
                    "verified": verified})
    return out
