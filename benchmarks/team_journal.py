"""Benchmark — the team journal (PostgreSQL) beside the file journal (SQLite), side by side.

600 rows at 16 workers against an emulator with a 50 ms round trip (in its own process), once with
the journal in a SQLite file and once in a PostgreSQL server on this machine (a throwaway server
started for the run, fsync on, as a team's would be). The two backends alternate, each run on fresh
orders, and each keeps its best of ``--repeats`` (5; the machine may be shared). ``vs_sqlite`` is the
ratio the docs quote; the target is at least 0.90. Every order is checked at its target afterwards.

    python -m benchmarks.team_journal [--quick] [--repeats N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from adobe_orders import apply_updates

from .common import client_for, emulator_process, timer
from .run import table
from .throughput import _rows, _verify

LOAD = ("60x100:62",)  # 6,000 more orders: every run changes orders no earlier run touched


def run(quick: bool = False, repeats: int = 5) -> list[dict[str, object]]:
    from tests.team_journal.pg_server import PostgresServer, require_server_bin

    latency, rows, workers = (0.01, 60, 4) if quick else (0.05, 600, 16)
    repeats = 1 if quick else repeats
    server = PostgresServer(require_server_bin())
    best = {"sqlite": float("inf"), "postgresql": float("inf")}
    verified = {"sqlite": True, "postgresql": True}
    try:
        url = server.url(database=server.fresh_database())
        with emulator_process(latency, LOAD) as env, tempfile.TemporaryDirectory() as folder:
            client = client_for(env)
            orders = _rows(env, rows * 2 * repeats, "SEED")
            for r in range(repeats):
                for i, backend in enumerate(("sqlite", "postgresql")):
                    start = (2 * r + i) * rows
                    frame = orders.iloc[start:start + rows].copy()
                    frame["externalReferenceId"] = [f"{backend[:2].upper()}{r}-{n}" for n in range(len(frame))]
                    journal = f"{folder}/journal.sqlite" if backend == "sqlite" else url
                    with timer() as t:
                        results = apply_updates(frame, client, workers=workers, progress=False, journal=journal)
                    best[backend] = min(best[backend], t[0])
                    verified[backend] = verified[backend] and _verify(env, frame) and \
                        set(results["status"]) == {"updated"}
    finally:
        server.destroy()
    sqlite_rate = rows / best["sqlite"]
    out: list[dict[str, object]] = []
    for backend in ("sqlite", "postgresql"):
        rate = rows / best[backend]
        out.append({"run": f"apply_updates(workers={workers}), journal in {backend}", "rows": rows,
                    "seconds": best[backend], "rows_per_s": rate, "vs_sqlite": rate / sqlite_rate,
                    "verified": verified[backend]})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.team_journal")
    parser.add_argument("--quick", action="store_true", help="small sizes: proves the benchmark works")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each backend; the best is kept")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    rows = run(quick=args.quick, repeats=args.repeats)
    print(f"\n### team journal{' (quick)' if args.quick else ''}\n\n{table(rows)}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
