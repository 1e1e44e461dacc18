"""Issue 18: one live run owns a batch — frozen, on another host, with a skewed clock — and a run that
lost it (or lost its journal) stops sending and writing at once.

Lease timing is the journal's own and injectable (``clock``, ``lease_seconds``), so no test waits
half a minute, and none asserts on wall-clock margins.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from adobe_orders import BatchBusy, apply_updates
from adobe_orders.journal import JOURNAL_FILE, Binding, Journal
from adobe_orders.sandbox import Sandbox
from tests.helpers import v3

JOURNAL = Path(".adobe-orders") / JOURNAL_FILE
CLI = [sys.executable, "-m", "adobe_orders.cli"]


def frame_of(orders: list[dict], values: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"customerId": [o["customerId"] for o in orders], "orderId": [o["orderId"] for o in orders],
                         "externalReferenceId": values}, dtype=object)


def patches(sandbox: Sandbox) -> list[dict]:
    return [e for e in v3(sandbox) if e["method"] == "PATCH"]


class StepClock:
    """A monotonic clock that moves ``step`` seconds at each reading, and runs ``tick`` first (what
    the world does meanwhile: a foreign owner bumping its beat)."""

    def __init__(self, step: float, tick: Callable[[], None] = lambda: None) -> None:
        self.now, self.step, self.tick, self.readings = 1000.0, step, tick, 0

    def __call__(self) -> float:
        self.tick()
        self.readings += 1
        self.now += self.step
        return self.now


def foreign_lease(batch_id: str, *, heartbeat: float) -> Callable[[], None]:
    """A lease row held by a process of another machine; returns its owner's heartbeat (one beat)."""
    JOURNAL.parent.mkdir(exist_ok=True)
    Journal(JOURNAL).close()
    with sqlite3.connect(JOURNAL) as db:
        db.execute("INSERT INTO lease (batch_id, token, pid, host, heartbeat, epoch, beat) "
                   "VALUES (?, 'far-token', 4242, 'other-host', ?, 1, 0)", (batch_id, heartbeat))

    def beat() -> None:
        with sqlite3.connect(JOURNAL) as db:
            db.execute("UPDATE lease SET beat = beat + 1 WHERE batch_id = ?", (batch_id,))

    return beat


# -- one host: the pid decides, never the age -----------------------------------------------------------------
def test_a_stopped_process_keeps_its_lease_however_old_its_heartbeat(sandbox) -> None:
    JOURNAL.parent.mkdir()
    owner = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom adobe_orders.journal import Journal, Lease\n"
                               "lease = Lease(Journal(sys.argv[1]), 'frozen')\nprint('held', flush=True)\n"
                               "time.sleep(600)\n", str(JOURNAL)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout is not None and owner.stdout.readline().strip() == "held"
        owner.send_signal(signal.SIGSTOP)  # a suspended laptop, a debugger at a breakpoint
        with sqlite3.connect(JOURNAL) as db:  # its last heartbeat an hour ago: far beyond any lease period
            db.execute("UPDATE lease SET heartbeat = heartbeat - 3600 WHERE batch_id = 'frozen'")
        frame = frame_of(sandbox.orders[:3], ["F-0", "F-1", "F-2"])
        with pytest.raises(BatchBusy, match=f"process {owner.pid} on {os.uname().nodename}"):
            apply_updates(frame, sandbox.client(), batch_id="frozen", progress=False)
        assert patches(sandbox) == []
        owner.send_signal(signal.SIGCONT)
    finally:
        owner.kill()
        owner.wait(30)
    # gone (and reaped): its lease is free at once
    done = apply_updates(frame, sandbox.client(), batch_id="frozen", progress=False)
    assert list(done["status"]) == ["updated"] * 3


def unused_pid() -> int:
    """A pid no process of this machine's namespace has now."""
    pid = 200_000 + os.getpid() % 50_000
    while Path(f"/proc/{pid}").exists():
        pid += 1
    return pid


def test_a_run_in_another_pid_namespace_with_the_same_host_name_keeps_its_lease(sandbox) -> None:
    """A container with host networking has the host's name but its own pids (a Jupyter container and a
    terminal sharing the workspace): its owner's pid means nothing here, and must not free its lease."""
    probe = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("cannot make a pid namespace here (needs unshare and the right to use it)")
    JOURNAL.parent.mkdir()
    pid = unused_pid()
    owner_code = ("import os, sys, time\nfrom adobe_orders.journal import Journal, Lease\n"
                  "lease = Lease(Journal(sys.argv[1], heartbeat_seconds=0.05), 'boxed')\n"
                  "print(os.getpid(), flush=True)\ntime.sleep(600)\n")
    # Inside the namespace the owner gets ``pid``, which no process has out here.
    script = f'echo {pid - 1} > /proc/sys/kernel/ns_last_pid; {sys.executable} -c "$0" "$1"'
    owner = subprocess.Popen(["unshare", "--pid", "--fork", "--kill-child", "--mount-proc", "sh", "-c", script,
                              owner_code, str(JOURNAL.resolve())], stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout is not None and owner.stdout.readline().strip() == str(pid)
        assert not Path(f"/proc/{pid}").exists()
        with pytest.raises(BatchBusy):
            apply_updates(frame_of(sandbox.orders[:2], ["BOX-0", "BOX-1"]), sandbox.client(), batch_id="boxed",
                          journal=Journal(JOURNAL, heartbeat_seconds=0.04), progress=False)
        assert patches(sandbox) == []
    finally:
        owner.kill()
        owner.wait(30)


def test_a_journal_of_the_last_schema_gets_the_leases_machine_column(sandbox) -> None:
    """A journal written before the lease recorded its machine (schema 4) is upgraded when opened."""
    JOURNAL.parent.mkdir()
    Journal(JOURNAL).close()
    with sqlite3.connect(JOURNAL) as db:
        db.execute("ALTER TABLE lease DROP COLUMN machine")
        db.execute("PRAGMA user_version = 4")
    done = apply_updates(frame_of(sandbox.orders[:1], ["V4-0"]), sandbox.client(), batch_id="v4",
                         journal=Journal(JOURNAL), progress=False)
    assert list(done["status"]) == ["updated"]


# -- across hosts: the taker's own monotonic clock, never two machines' wall clocks ---------------------------
def test_another_hosts_lease_whose_heartbeat_moves_is_never_taken_even_with_a_clock_31_s_ahead(sandbox) -> None:
    # Our wall clock is 31 s ahead of the owner's: its fresh heartbeat looks 31 s old here.
    beat = foreign_lease("far", heartbeat=time.time() - 31)
    clock = StepClock(step=5.0, tick=beat)  # the owner beats between any two readings; 5 s pass at each
    book = Journal(JOURNAL, clock=clock)
    with pytest.raises(BatchBusy, match="process 4242 on other-host"):
        apply_updates(frame_of(sandbox.orders[:2], ["FAR-0", "FAR-1"]), sandbox.client(), batch_id="far",
                      journal=book, progress=False)
    assert patches(sandbox) == []
    assert book.running_elsewhere("far") == "process 4242 on other-host"  # undo refuses it the same way


def test_another_hosts_lease_is_taken_only_after_its_heartbeat_stood_still_a_whole_lease_period(sandbox) -> None:
    # Its wall-clock heartbeat is an hour in *our* future (a clock far ahead there): it decides nothing.
    foreign_lease("gone", heartbeat=time.time() + 3600)
    clock = StepClock(step=1.0)
    book = Journal(JOURNAL, clock=clock, lease_seconds=30.0, heartbeat_seconds=0.04)  # polls every 0.01 s
    results = apply_updates(frame_of(sandbox.orders[:2], ["GONE-0", "GONE-1"]), sandbox.client(), batch_id="gone",
                            journal=book, progress=False)
    assert list(results["status"]) == ["updated", "updated"]
    assert clock.readings >= 31  # watched, 1 s per reading, for the whole 30 s before taking it
    lease = book.query("SELECT host, pid, epoch FROM lease WHERE batch_id = 'gone'")[0]
    assert (lease["host"], lease["pid"], lease["epoch"]) == (os.uname().nodename, 0, 2)  # taken, then released


def test_a_beat_seen_moving_late_in_the_period_still_counts_as_alive(sandbox) -> None:
    beat = foreign_lease("late", heartbeat=time.time())
    readings = 0

    def tick() -> None:
        nonlocal readings
        readings += 1
        if readings == 25:  # 24 s still, then one beat: the owner was slow, not dead
            beat()

    book = Journal(JOURNAL, clock=StepClock(step=1.0, tick=tick), lease_seconds=30.0, heartbeat_seconds=0.04)
    with pytest.raises(BatchBusy, match="other-host"):
        book.acquire("late")


# -- fencing: every write of a run checks it still holds the lease ---------------------------------------------
def test_a_displaced_runs_writes_change_nothing(tmp_path) -> None:
    book = Journal(tmp_path / "j.sqlite")
    fence = book.acquire("b")
    assert fence.epoch == 1
    book.start_batch("b", kind="apply", parent=None, binding=Binding("sandbox", "http://x", "h"), fp="f",
                     columns={}, index_name=None,
                     rows=[dict(batch_row=0, label="row 0", label_json="0", customer_id="1", order_id="2",
                                target="T", expected_json=None, previous=None, status="queued", reason=None,
                                source_batch=None, source_row=None)])
    before = [tuple(r) for r in book.query("SELECT * FROM batch_row")]
    with sqlite3.connect(tmp_path / "j.sqlite") as db:  # another run takes it over (as acquire does)
        db.execute("UPDATE lease SET token = 'thief', epoch = epoch + 1, host = 'other-host', pid = 4242")
    assert book.mark_pending(fence, 0, "OLD") is False
    assert book.record(fence, 0, status="updated", reason=None, previous="OLD", current="T", http_status=200,
                       error_code=None, attempts=1, request_id=None, correlation_id=None, updated_at="now") is False
    assert book.heartbeat(fence) is False
    book.release(fence)  # releases nothing it no longer holds
    assert [tuple(r) for r in book.query("SELECT * FROM batch_row")] == before
    assert book.holder("b") == "process 4242 on other-host"
    # the same token with an old epoch is fenced too
    with sqlite3.connect(tmp_path / "j.sqlite") as db:
        db.execute("UPDATE lease SET token = ?", (fence.token,))
    assert book.mark_pending(fence, 0, "OLD") is False


def test_a_run_taken_over_mid_batch_sends_nothing_and_records_nothing_after(sandbox) -> None:
    sandbox.latency = 0.6  # each PATCH is logged at 0.3 s and answered at 0.6 s: a takeover lands in flight
    client = sandbox.client()
    picked = sandbox.orders[:12]
    outcome: list[pd.DataFrame] = []
    run = threading.Thread(target=lambda: outcome.append(apply_updates(
        frame_of(picked, [f"FENCE-{i}" for i in range(12)]), client, batch_id="fenced", workers=2,
        journal=Journal(JOURNAL), progress=False)))
    run.start()
    while not patches(sandbox) and run.is_alive():
        time.sleep(0.01)
    with sqlite3.connect(JOURNAL, isolation_level=None) as db:  # the takeover and what it saw, in one transaction
        db.execute("BEGIN IMMEDIATE")
        seen = db.execute("SELECT * FROM batch_row WHERE batch_id = 'fenced' ORDER BY batch_row").fetchall()
        db.execute("UPDATE lease SET token = 'thief', epoch = epoch + 1, host = 'other-host', pid = 4242 "
                   "WHERE batch_id = 'fenced'")
        db.execute("COMMIT")
    run.join(60)
    assert not run.is_alive()
    with sqlite3.connect(JOURNAL) as db:
        after = db.execute("SELECT * FROM batch_row WHERE batch_id = 'fenced' ORDER BY batch_row").fetchall()
    assert after == seen  # nothing recorded after the takeover, not even the outcomes of PATCHes in flight
    marked = sum(1 for row in seen if row[9] == 1)  # column ``sent``: pending-marked before the takeover
    assert len(patches(sandbox)) == marked < 12  # no PATCH without a pending mark made while it held the lease
    (results,) = outcome
    assert "not_run" in set(results["status"])
    stopped = results.attrs["stopped"]
    assert "batch fenced was taken over by another run (process 4242 on other-host)" in stopped, stopped
    assert set(results.loc[results["status"] == "not_run", "reason"]) == {stopped}


# -- the journal cannot vanish silently --------------------------------------------------------------------------
def _delete(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _replace(path: Path) -> None:
    copy = path.with_name("copy.sqlite")
    copy.write_bytes(path.read_bytes())  # a sync tool putting "its" version back: same name, another file
    os.replace(copy, path)


@pytest.mark.parametrize(("change", "word"), [(_delete, "deleted"), (_replace, "replaced")])
def test_a_journal_deleted_or_replaced_mid_run_stops_it_before_the_next_pending_mark(sandbox, change,
                                                                                     word) -> None:
    picked = [o for o in sandbox.orders if o.get("externalReferenceId")][:8]
    book = Journal(JOURNAL)

    def after_row(position: int, status: str) -> None:
        if position == 2:
            change(JOURNAL)

    results = apply_updates(frame_of(picked, [f"GONE-{i}" for i in range(8)]), sandbox.client(), workers=1,
                            batch_id="vanish", journal=book, on_row=after_row, progress=False, bulk_reads=False)
    assert list(results["status"]) == ["updated"] * 3 + ["not_run"] * 5
    assert len(patches(sandbox)) == 3
    assert list(results["previous_value"][:3]) == [o["externalReferenceId"] for o in picked[:3]]
    assert results.attrs["journal_lost"] is True
    stopped = results.attrs["stopped"]
    assert f"The journal {JOURNAL} was {word}" in stopped and "cannot be undone" in stopped, stopped
    from adobe_orders.errors import JournalGone

    with pytest.raises(JournalGone, match=str(JOURNAL)):
        book.check_identity()


def test_the_cli_names_a_journal_deleted_mid_apply_and_offers_no_undo(tmp_path) -> None:
    with Sandbox(latency=0.05) as sb:
        picked = [o for o in sb.orders if o.get("externalReferenceId")][:200]
        path = tmp_path / "u.csv"
        frame_of(picked, [f"CLI-{i}" for i in range(200)]).to_csv(path, index=False)
        env = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_VIPM_")}
        env.update(dict(line.split("=", 1) for line in sb.env_lines()))
        proc = subprocess.Popen([*CLI, "apply", str(path), "--batch-id", "rm", "--workers", "2", "--no-progress",
                                 "--yes"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        while len([e for e in sb.requests if e["method"] == "PATCH"]) < 5 and proc.poll() is None:
            time.sleep(0.01)
        journal = tmp_path / ".adobe-orders" / JOURNAL_FILE
        _delete(journal)  # a cleanup script's `rm journal.sqlite*`
        out, err = proc.communicate(timeout=120)
        sent = [e for e in sb.requests if e["method"] == "PATCH"]
        held = {o["orderId"]: (sb.order(o["customerId"], o["orderId"]) or {}).get("externalReferenceId")
                for o in picked}
    assert proc.returncode != 0, out
    assert f"The journal {journal} was deleted" in out, out
    assert "Undo with" not in out and "Traceback" not in out + err
    assert len(sent) < 200
    results = pd.read_csv(tmp_path / ".adobe-orders" / "results-rm.csv", dtype=str, keep_default_na=False)
    changed = results[results["status"] == "updated"]
    assert len(changed) == len(sent)  # every order changed is in the results file, with its previous value
    before = {o["orderId"]: o["externalReferenceId"] for o in picked}
    assert all(row.previous_value == before[row.orderId] and held[row.orderId] == row.externalReferenceId
               for row in changed.itertuples())
