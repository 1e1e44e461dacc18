"""Benchmark 4 — start-up: `import adobe_orders` against `import pandas` alone, each in a fresh
interpreter (median of several), and which heavy modules the import pulls in."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

PROBE = r"""
import json, sys, time
start = time.perf_counter()
exec(sys.argv[1])
seconds = time.perf_counter() - start
heavy = [m for m in ("pandas", "ipywidgets", "sqlite3", "adobe_orders.sandbox", "requests", "tqdm") if m in sys.modules]
print(json.dumps({"seconds": seconds, "loaded": heavy}))
"""
STATEMENTS = {
    "import pandas": "import pandas",
    "import adobe_orders": "import adobe_orders",
    "from adobe_orders import OrdersClient": "from adobe_orders import OrdersClient",
    "from adobe_orders import apply_updates": "from adobe_orders import apply_updates",
}


def run(quick: bool = False) -> list[dict[str, object]]:
    repeats = 3 if quick else 7
    out = []
    for label, statement in STATEMENTS.items():
        samples, loaded = [], []
        for _ in range(repeats):
            proc = subprocess.run([sys.executable, "-c", PROBE, statement], capture_output=True, text=True, check=True)
            result = json.loads(proc.stdout)
            samples.append(result["seconds"])
            loaded = result["loaded"]
        out.append({"run": label, "median_ms": 1000 * statistics.median(samples), "loads": ", ".join(loaded)})
    base = next(r for r in out if r["run"] == "import pandas")["median_ms"]
    for row in out:
        row["vs_pandas"] = row["median_ms"] / base  # type: ignore[operator]
    return out
