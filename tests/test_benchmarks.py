"""The benchmarks run (in quick mode) and produce every table; no timing is asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_benchmarks_run_in_quick_mode(tmp_path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, "-m", "benchmarks.run", "--quick", "--json", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(out.read_text())
    assert set(results) == {"throughput", "bulk", "history", "overhead", "validation", "startup"}
    assert all(row["verified"] for row in results["throughput"] + results["bulk"] + results["history"])
    assert [r["run"] for r in results["throughput"]][1:] == [
        f"apply_updates(workers={w}, bulk_reads=False)" for w in (1, 4, 64)]
    # Bulk reads: the dry run with pages sends far fewer requests than with a GET per row, and the
    # apply sends one request per row plus a page per customer (counted in the emulator's log).
    per_order, paged, applied = results["bulk"]
    assert per_order["requests"] == per_order["rows"] and paged["requests"] == 3
    assert applied["requests"] == applied["rows"] + 3
    baseline, fetched = results["history"]
    assert baseline["pages"] == fetched["pages"] == 6 * 2  # 6 customers x 150 orders: 2 pages each
    assert all(r["seconds"] > 0 for r in results["overhead"] + results["validation"])
    loaded = {r["run"]: r["loads"] for r in results["startup"]}
    assert loaded["import adobe_orders"] == ""  # nothing heavy until used
    assert "ipywidgets" not in loaded["from adobe_orders import apply_updates"]
    assert "sqlite3" not in loaded["from adobe_orders import apply_updates"]
    assert "| run |" in proc.stdout
