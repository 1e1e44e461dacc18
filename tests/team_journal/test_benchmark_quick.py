"""The team-journal benchmark runs (quick sizes) and checks its own work; no timing is asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.team_journal.pg_server import require_server_bin

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_team_journal_benchmark_runs_side_by_side(tmp_path: Path) -> None:
    require_server_bin()
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, "-m", "benchmarks.team_journal", "--quick", "--json", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(out.read_text())
    assert [r["run"] for r in rows] == ["apply_updates(workers=4), journal in sqlite",
                                        "apply_updates(workers=4), journal in postgresql"]
    assert all(r["verified"] for r in rows) and rows[0]["vs_sqlite"] == 1.0 and rows[1]["vs_sqlite"] > 0
    assert "| run |" in proc.stdout
