"""Faults, crashes and the journal: what is reported always matches what the emulator holds."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from adobe_orders import apply_updates, history
from adobe_orders.retry import Backoff
from adobe_orders.sandbox import Sandbox

pytestmark = pytest.mark.slow
REALISTIC_FAULTS = {"error_500": 0.02, "error_503": 0.015, "gateway_504": 0.01, "rate_limit": 0.02,
                    "drop_before": 0.015, "drop_after": 0.015, "slow": 0.005}


def targets_for(orders: list[dict], n: int, tag: str) -> pd.DataFrame:
    """n rows over the seeded orders; past the 360 orders, rows are exact repeats (reported duplicate)."""
    picked = (orders * (n // len(orders) + 1))[:n]
    return pd.DataFrame({"customerId": [o["customerId"] for o in picked], "orderId": [o["orderId"] for o in picked],
                         "externalReferenceId": [f"{tag}-{i % len(orders)}" for i in range(n)]}, dtype=object)


def no_correlation_reused_after_an_answer(log: list[dict]) -> None:
    by_corr: dict[str, list[dict]] = defaultdict(list)
    for entry in log:
        if entry["path"].startswith("/v3/"):
            by_corr[entry["correlation_id"]].append(entry)
    for corr, entries in by_corr.items():
        entries.sort(key=lambda e: e["seq"])
        for earlier in entries[:-1]:
            assert not earlier["answered"], f"correlation {corr} reused after an answer: {entries}"


def test_fault_soak(tmp_path) -> None:
    # The server can only log that it wrote an answer, not that the client read it in time; on a
    # loaded machine a 0.3 s timeout expired before the server even took the request, so the client
    # rightly reused the correlation ID and the check below misfired. A timeout far above any
    # scheduling delay, and `slow` faults well past it, keep "answered" meaning "the client got it".
    with Sandbox(faults=REALISTIC_FAULTS, fault_seed=11, slow_seconds=3.0, retry_after=0.05, order_count=1200) as sb:
        client = sb.client(timeout=2.0, backoff=Backoff(base=0.01, cap=0.2))
        frame = targets_for(sb.orders, 1080, "SOAK")
        results = apply_updates(frame, client, workers=8, progress=False, batch_id="soak")
        final = {(o["customerId"], o["orderId"]): o.get("externalReferenceId") for o in sb.orders}
        log = sb.requests
    assert len(results) == 1080 and frame[["customerId", "orderId"]].drop_duplicates().shape[0] == 1080
    counts = results["status"].value_counts().to_dict()
    assert set(counts) <= {"updated", "failed"}
    done = results
    assert (done["status"] == "updated").mean() >= 0.97, counts
    for _, row in done.iterrows():
        at_target = final[(row["customerId"], row["orderId"])] == row["externalReferenceId"]
        assert (row["status"] == "updated") == at_target, row.to_dict()
    faults = {e["fault"] for e in log if e["fault"]}
    assert faults == set(REALISTIC_FAULTS), faults
    no_correlation_reused_after_an_answer(log)
    journal = history()
    journal = journal[journal["batch_id"] == "soak"]
    for _, row in journal[journal["status"] == "updated"].iterrows():
        assert final[(row["customer_id"], row["order_id"])] == row["target_value"]
    assert (journal["status"] == "updated").sum() == (results["status"] == "updated").sum()


def _done_rows(journal: Path, batch: str) -> set[int]:
    with sqlite3.connect(journal) as db:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'batch_row'").fetchone():
            return set()  # killed before the journal was even set up
        return {r for (r,) in db.execute("SELECT batch_row FROM batch_row WHERE batch_id = ? AND status IN "
                                         "('updated', 'unchanged', 'invalid', 'duplicate')", (batch,))}


def test_crash_and_resume_with_sigkill(tmp_path) -> None:
    with Sandbox(latency=0.01) as sb:
        frame = targets_for(sb.orders, 240, "CRASH")
        path = tmp_path / "updates.csv"
        frame.to_csv(path, index=False)
        journal = tmp_path / ".adobe-orders" / "journal.sqlite"
        env = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_VIPM_")}
        env.update(dict(line.split("=", 1) for line in sb.env_lines()))
        command = [sys.executable, "-m", "adobe_orders.cli", "apply", str(path), "--batch-id", "crash", "--workers",
                   "4", "--no-progress"]
        marks: list[tuple[int, set[int]]] = []
        # Kill right at start, then once more rows are done each time; waiting on the journal rather
        # than the clock keeps the kills mid-batch however loaded the machine is.
        for done_at_kill in (0, 20, 60, 120):
            proc = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 60
            while not journal.exists() and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.01)
            while (done_at_kill and time.monotonic() < deadline and proc.poll() is None
                   and len(_done_rows(journal, "crash")) < done_at_kill):
                time.sleep(0.005)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            done_before = _done_rows(journal, "crash") if journal.exists() else set()
            seen = len(sb.requests)
            with sqlite3.connect(journal) as db:
                assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            # the next run must not send anything for rows the journal holds as done
            marks.append((seen, done_before))
        final_run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
        assert final_run.returncode == 0, final_run.stderr
        log = sb.requests
        for seen, done_before in marks:
            done_paths = {f"/v3/customers/{frame.loc[r, 'customerId']}/orders/{frame.loc[r, 'orderId']}"
                          for r in done_before}
            later = [e for e in log[seen:] if e["path"] in done_paths]
            assert later == [], f"{len(later)} requests for rows the journal held as done"
        assert any(done for _, done in marks), "no kill happened after rows were done"
        final = {(o["customerId"], o["orderId"]): o.get("externalReferenceId") for o in sb.orders}
        for _, row in frame.iterrows():
            assert final[(row["customerId"], row["orderId"])] == row["externalReferenceId"]
        # a finished batch run once more sends nothing
        before = len(sb.requests)
        again = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0 and len(sb.requests) == before
        with sqlite3.connect(journal) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            statuses = dict(db.execute("SELECT status, COUNT(*) FROM batch_row WHERE batch_id='crash' GROUP BY status"))
        assert statuses.get("updated", 0) + statuses.get("unchanged", 0) == 240
