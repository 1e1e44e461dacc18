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
    assert set(results) == {"throughput", "overhead", "validation", "startup"}
    assert all(row["verified"] for row in results["throughput"])
    assert [r["run"] for r in results["throughput"]][1:] == ["apply_updates(workers=1)", "apply_updates(workers=4)"]
    assert all(r["seconds"] > 0 for r in results["overhead"] + results["validation"])
    loaded = {r["run"]: r["loads"] for r in results["startup"]}
    assert loaded["import adobe_orders"] == ""  # nothing heavy until used
    assert "ipywidgets" not in loaded["from adobe_orders import apply_updates"]
    assert "sqlite3" not in loaded["from adobe_orders import apply_updates"]
    assert "| run |" in proc.stdout
