"""Benchmark 3 — the local part of a batch on 1,000,000 rows: read_updates of the CSV, then
validate_updates; time and peak memory, each in a fresh process (peak RSS is per process).
Baseline in the same run: pandas.read_csv of the same file with dtype=str."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

STEP = r"""
import json, resource, sys, time
import numpy as np, pandas as pd
path, what = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if what == "pandas.read_csv":
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    seconds = time.perf_counter() - start
else:
    from adobe_orders import read_updates, validate_updates
    frame = read_updates(path)
    read_s = time.perf_counter() - start
    start = time.perf_counter()
    checked = validate_updates(frame)
    seconds = time.perf_counter() - start
    assert (checked["status"] == "ready").sum() == len(frame) - 3
print(json.dumps({"seconds": seconds, "read_seconds": read_s if what != "pandas.read_csv" else seconds,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _write(path: Path, n: int) -> None:
    import numpy as np
    import pandas as pd

    i = np.arange(n)
    frame = pd.DataFrame({"customerId": np.char.add("00", (i % 5000 + 10000000).astype(str)),
                          "orderId": np.char.add("0", (i + 100000000).astype(str)),
                          "externalReferenceId": np.char.add("PO-2026-", i.astype(str))})
    frame.iloc[7, 0] = "1.23457E+09"
    frame.iloc[70, 1] = "../x"
    frame.iloc[700, 2] = "x" * 40
    frame.to_csv(path, index=False)


def run(quick: bool = False) -> list[dict[str, object]]:
    n = 50_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "updates.csv"
        _write(path, n)
        out = []
        for what in ("pandas.read_csv", "adobe_orders"):
            proc = subprocess.run([sys.executable, "-c", STEP, str(path), what], capture_output=True, text=True,
                                  check=True)
            result = json.loads(proc.stdout)
            if what == "pandas.read_csv":
                out.append({"run": f"pandas.read_csv(dtype=str), {n:,} rows", "seconds": result["seconds"],
                            "peak_mb": result["peak_mb"]})
            else:
                out.append({"run": f"read_updates, {n:,} rows", "seconds": result["read_seconds"],
                            "peak_mb": None})
                out.append({"run": f"validate_updates, {n:,} rows", "seconds": result["seconds"],
                            "peak_mb": result["peak_mb"]})
    return out
