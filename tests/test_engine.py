"""Issue 9: every safety promise of the batch engine, one test per case seen (numbered as in the issue),
against the emulator over real HTTP; processes where the case needs them."""

from __future__ import annotations

import os
import shlex
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from adobe_orders import (
    ApiMismatch,
    BatchBusy,
    ColumnError,
    JournalError,
    apply_updates,
    history,
    read_updates,
    report,
    resume,
    retry_failed,
    undo,
    validate_updates,
)
from adobe_orders.batch.columns import ALIASES, _key
from adobe_orders.batch.schema import RESULT_COLUMNS, RowStatus
from adobe_orders.errors import TransportError
from adobe_orders.journal import Journal
from adobe_orders.sandbox import Sandbox
from tests.helpers import v3

MISSING_ORDER = "0999999999"


def with_reference(sandbox: Sandbox, n: int, skip: int = 0) -> list[dict]:
    """n distinct orders that hold a non-empty reference (so undo has a value to restore)."""
    return [o for o in sandbox.orders if o.get("externalReferenceId")][skip:skip + n]


def frame_of(orders: list[dict], values: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"customerId": [o["customerId"] for o in orders], "orderId": [o["orderId"] for o in orders],
                         "externalReferenceId": values}, dtype=object)


def held(sandbox: Sandbox, order: dict) -> str | None:
    found = sandbox.order(order["customerId"], order["orderId"])
    assert found is not None
    return found.get("externalReferenceId")


def cli_env(sandbox: Sandbox) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_VIPM_")}
    env.update(dict(line.split("=", 1) for line in sandbox.env_lines()))
    return env


CLI = [sys.executable, "-m", "adobe_orders.cli"]


# -- 1. undo after retries never writes another order's value ------------------------------------------
def test_1_undo_after_retries_of_a_filtered_frame_restores_each_order_its_own_value(sandbox) -> None:
    client = sandbox.client(max_retries=0)
    picked = with_reference(sandbox, 6)
    before = {o["orderId"]: o["externalReferenceId"] for o in picked}
    sandbox.faults.queue("error_500", 3)  # one worker: the reads of rows 0, 1 and 2 fail
    r0 = apply_updates(frame_of(picked, [f"ONE-{i}" for i in range(6)]), client, workers=1, progress=False)
    assert list(r0["status"]) == ["failed"] * 3 + ["updated"] * 3
    # a filtered, re-ordered frame: retry only rows 2 and 0 (positions in the filter differ from the batch)
    subset = r0[r0.status == "failed"].iloc[[2, 0]]
    sandbox.faults.queue("error_500", 1)  # row 2's read fails again
    r1 = retry_failed(subset, client, workers=1, progress=False)
    assert list(r1["status"]) == ["failed", "updated"]
    r2 = retry_failed(r1[r1.status == "failed"], client, progress=False)  # a retry of the retry
    assert list(r2["status"]) == ["updated"]
    r3 = retry_failed(r0.loc[[1]], client, progress=False)
    assert list(r3["status"]) == ["updated"]
    undone = undo(r0, client, progress=False)  # undo(results frame): the batch and all its retries
    assert set(undone["status"]) == {"updated"} and len(undone) == 6
    for o in picked:
        assert held(sandbox, o) == before[o["orderId"]], o["orderId"]


# -- 2. the panel's Undo after "Retry failed" restores every order ---------------------------------------
def test_2_panel_undo_after_retry_failed_restores_every_order(sandbox) -> None:
    from adobe_orders.widgets import BatchUpdatePanel

    client = sandbox.client(max_retries=0)
    picked = with_reference(sandbox, 5)
    before = {o["orderId"]: o["externalReferenceId"] for o in picked}
    panel = BatchUpdatePanel(client, frame_of(picked, [f"TWO-{i}" for i in range(5)]), workers=1)
    sandbox.faults.queue("error_500", 2)
    panel.apply_button.click()
    panel.wait(30)
    assert panel.results is not None and list(panel.results["status"]).count("failed") == 2
    panel.retry_button.click()
    panel.wait(30)
    assert set(panel.results["status"]) == {"updated"} and panel.results["batch_id"].nunique() == 2
    assert all(held(sandbox, o) == f"TWO-{i}" for i, o in enumerate(picked))
    panel.undo_button.click()
    panel.wait(30)
    assert all(held(sandbox, o) == before[o["orderId"]] for o in picked), panel.message.value
    assert len(panel.results) == 5 and set(panel.results["status"]) == {"updated"}


# -- 3. a batch belongs to one API -----------------------------------------------------------------------
def test_3_resume_retry_and_undo_with_another_api_are_refused_before_sending(sandbox) -> None:
    client = sandbox.client(max_retries=0)
    picked = with_reference(sandbox, 3)
    sandbox.faults.queue("error_500", 1)
    results = apply_updates(frame_of(picked, ["T-0", "T-1", "T-2"]), client, workers=1, batch_id="b-api",
                            progress=False)
    with Sandbox() as other:
        elsewhere = other.client()
        for attempt in (lambda: undo("b-api", elsewhere, progress=False),
                        lambda: resume("b-api", elsewhere, progress=False),
                        lambda: retry_failed(results, elsewhere, progress=False),
                        lambda: apply_updates(frame_of(picked, ["T-0", "T-1", "T-2"]), elsewhere,
                                              batch_id="b-api", progress=False)):
            with pytest.raises(ApiMismatch) as info:
                attempt()
            assert sandbox.url in str(info.value) and other.url in str(info.value)
        assert v3(other) == []
        # same base URL, another client ID: refused too, and the ID itself is never shown
        again = Sandbox(client_id="another-integration")
        try:
            again.start()
            with pytest.raises(ApiMismatch, match="client ID"):
                undo("b-api", again.client(base_url=sandbox.url, client_id="another-integration",
                                           client_secret="x"), progress=False)
        finally:
            again.stop()
    journal_text = (Path(".adobe-orders") / "journal.sqlite").read_bytes()
    assert b"adobe-orders-demo" not in journal_text  # the client ID is stored only as a SHA-256


# -- 4. one owner at a time ------------------------------------------------------------------------------
@pytest.mark.slow
def test_4a_two_cli_runs_of_one_batch_at_once_never_both_send(tmp_path) -> None:
    with Sandbox(latency=0.1) as sb:  # the batch lasts seconds: both processes start while it runs
        picked = sb.orders[:60]
        path = tmp_path / "u.csv"
        frame_of(picked, [f"FOUR-{i}" for i in range(60)]).to_csv(path, index=False)
        command = [*CLI, "apply", str(path), "--batch-id", "twice", "--no-progress"]
        procs = [subprocess.Popen(command, cwd=tmp_path, env=cli_env(sb), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outs = [p.communicate(timeout=120) for p in procs]
        codes = sorted(p.returncode for p in procs)
        patches = [e for e in sb.requests if e["method"] == "PATCH"]
    assert codes == [0, 1], outs
    refused = next(err for (out, err), p in zip(outs, procs, strict=True) if p.returncode == 1)
    assert "is running now" in refused and "Traceback" not in refused
    assert len(patches) == 60  # one PATCH per row, never two


def test_4b_two_threads_with_one_batch_id_one_is_refused(sandbox) -> None:
    sandbox.latency = 0.02
    client = sandbox.client()
    frame = frame_of(sandbox.orders[:40], [f"TH-{i}" for i in range(40)])
    outcomes: list[object] = []

    def run() -> None:
        try:
            outcomes.append(apply_updates(frame, client, batch_id="threads", progress=False))
        except BatchBusy as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(isinstance(o, BatchBusy) for o in outcomes) == 1
    assert len([e for e in v3(sandbox) if e["method"] == "PATCH"]) == 40


@pytest.mark.slow
def test_4c_two_processes_creating_a_fresh_journal_at_once_do_not_crash(tmp_path) -> None:
    script = ("import sys, time\nfrom adobe_orders.journal import Journal\n"
              "t = float(sys.argv[1])\nwhile time.time() < t: pass\nJournal(sys.argv[2]).history()\nprint('ok')\n")
    for attempt in range(3):
        path = tmp_path / f"fresh-{attempt}" / "journal.sqlite"
        start = time.time() + 1.0
        procs = [subprocess.Popen([sys.executable, "-c", script, str(start), str(path)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(4)]
        outs = [p.communicate(timeout=60) for p in procs]
        assert all(p.returncode == 0 for p in procs), outs
        assert all("Traceback" not in err for _, err in outs)


def test_4d_a_dead_owner_does_not_block(sandbox) -> None:
    """A fresh heartbeat does not keep a lease whose process (on this machine) is gone. Owners frozen,
    on other hosts and with skewed clocks: tests/test_lease.py."""
    client = sandbox.client()
    frame = frame_of(sandbox.orders[:3], ["D-0", "D-1", "D-2"])
    book = Journal(Path(".adobe-orders") / "journal.sqlite")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)  # a process that has exited: same host, pid gone
    with book._guard() as db:
        db.execute("INSERT INTO lease (batch_id, token, pid, host, heartbeat) VALUES ('dead-owner', 'x', ?, ?, ?)",
                   (pid, os.uname().nodename, time.time()))
    assert set(apply_updates(frame, client, batch_id="dead-owner", progress=False)["status"]) == {"updated"}


# -- 5. Ctrl-C stops a batch --------------------------------------------------------------------------------
@pytest.mark.slow
def test_5a_sigint_to_a_cli_run_stops_it_with_summary_results_and_resume_command(tmp_path) -> None:
    with Sandbox(latency=0.05) as sb:
        picked = sb.orders[:200]
        path = tmp_path / "u.csv"
        frame_of(picked, [f"INT-{i}" for i in range(200)]).to_csv(path, index=False)
        proc = subprocess.Popen([*CLI, "apply", str(path), "--workers", "2", "--batch-id", "sig", "--no-progress"],
                                cwd=tmp_path, env=cli_env(sb), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        deadline = time.monotonic() + 60
        while len([e for e in sb.requests if e["method"] == "PATCH"]) < 10 and time.monotonic() < deadline:
            time.sleep(0.02)
        for _ in range(3):  # an impatient analyst presses it three times
            proc.send_signal(signal.SIGINT)
            time.sleep(0.05)
        out, err = proc.communicate(timeout=60)  # a bound for a hang, not a speed: the run stops on its own
        patches = len([e for e in sb.requests if e["method"] == "PATCH"])
        assert proc.returncode == 130, (out, err)
        assert patches < 150  # it stopped, it did not run to the end
        assert "not_run:" in out and "Interrupted" in out and "Exception ignored" not in err
        # the rows not run are one line, not one per row burying the rest of the summary
        assert len([line for line in out.splitlines() if "[not_run]" in line]) == 1, out
        assert "rows [not_run] (line " in out
        assert "Traceback" not in err + out
        results = tmp_path / ".adobe-orders" / "results-sig.csv"
        assert results.exists() and f"Results: {results}" in out
        (resume_line,) = [line for line in out.splitlines() if line.startswith("Resume with: ")]
        assert "apply" in resume_line and "--batch-id sig" in resume_line
        again = subprocess.run(shlex.split(resume_line.removeprefix("Resume with: ")), cwd=tmp_path,
                               env=cli_env(sb), capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stdout + again.stderr
        assert all(held(sb, o) == f"INT-{i}" for i, o in enumerate(picked))
        assert len([e for e in sb.requests if e["method"] == "PATCH"]) == 200  # nothing sent twice


def test_5b_keyboard_interrupt_in_the_kernel_returns_partial_results(sandbox) -> None:
    """A Jupyter kernel interrupt is SIGINT to the kernel's main thread: the batch stops and returns."""
    sandbox.latency = 0.03
    client = sandbox.client()
    frame = frame_of(sandbox.orders[:120], [f"KI-{i}" for i in range(120)])
    done: list[int] = []

    def interrupt_after_ten(position: int, status: str) -> None:  # the kernel interrupt, at a known point
        done.append(position)
        if len(done) == 10:
            os.kill(os.getpid(), signal.SIGINT)

    results = apply_updates(frame, client, workers=2, batch_id="kernel", progress=False, on_row=interrupt_after_ten)
    assert results.attrs["interrupted"]
    statuses = results["status"].value_counts().to_dict()
    assert statuses.get("not_run", 0) > 0 and statuses.get("updated", 0) > 0
    not_run = results[results["status"] == "not_run"]
    assert not_run["reason"].str.contains("interrupted").all()
    sandbox.clear_log()
    finished = resume("kernel", client, progress=False)
    assert set(finished["status"]) == {"updated"}
    assert len([e for e in v3(sandbox) if e["method"] == "PATCH"]) == len(not_run)


# -- 6. undo restores failed rows whose PATCH had landed ----------------------------------------------------
def test_6_undo_restores_a_failed_row_whose_patch_landed_and_says_what_it_could_not(sandbox) -> None:
    client = sandbox.client(max_retries=0)
    picked = with_reference(sandbox, 3)
    before = {o["orderId"]: o["externalReferenceId"] for o in picked}
    original = client.read
    calls: list[int] = []

    def read(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the read-back after the lost PATCH fails too
            raise TransportError("simulated lost read-back", may_have_been_applied=True)
        reply = original(*args, **kwargs)
        if len(calls) == 1:
            sandbox.faults.queue("drop_after")  # the PATCH lands, its answer is lost
        return reply

    client.read = read  # type: ignore[method-assign]
    results = apply_updates(frame_of(picked, ["SIX-0", "SIX-1", "SIX-2"]), client, workers=1, progress=False)
    client.read = original  # type: ignore[method-assign]
    assert list(results["status"]) == ["failed", "updated", "updated"]
    assert held(sandbox, picked[0]) == "SIX-0"  # it had landed
    client.update_order(picked[2]["customerId"], picked[2]["orderId"], "SOMEONE-ELSE")
    undone = undo(results, client, progress=False)
    assert list(undone["status"]) == ["updated", "updated", "skipped"]
    assert held(sandbox, picked[0]) == before[picked[0]["orderId"]]
    assert "SOMEONE-ELSE" in undone.loc[2, "reason"] and held(sandbox, picked[2]) == "SOMEONE-ELSE"


# -- 7. a second undo sends nothing and says so --------------------------------------------------------------
@pytest.mark.slow
def test_7_a_second_undo_sends_nothing_and_says_so(sandbox, tmp_path) -> None:
    picked = with_reference(sandbox, 3)
    path = tmp_path / "u.csv"
    frame_of(picked, ["S-0", "S-1", "S-2"]).to_csv(path, index=False)
    env = cli_env(sandbox)
    run = subprocess.run([*CLI, "apply", str(path), "--batch-id", "twice-undo", "--no-progress"], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    first = subprocess.run([*CLI, "undo", "twice-undo"], cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=60)
    assert first.returncode == 0 and "updated: 3" in first.stdout, first.stdout + first.stderr
    client = sandbox.client()
    client.update_order(picked[0]["customerId"], picked[0]["orderId"], "LATER-BATCH")  # a later change
    sandbox.clear_log()
    second = subprocess.run([*CLI, "undo", "twice-undo"], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=60)
    assert second.returncode == 4, second.stdout + second.stderr
    assert "already undone" in second.stdout and "nothing was sent" in second.stdout
    assert "updated" not in second.stdout and [e for e in v3(sandbox) if e["method"] == "PATCH"] == []
    assert held(sandbox, picked[0]) == "LATER-BATCH"


# -- 8. journal and output problems --------------------------------------------------------------------------
def test_8a_a_journal_that_fills_up_stops_the_batch_and_returns_what_it_has(sandbox) -> None:
    client = sandbox.client()
    frame = frame_of(sandbox.orders[:30], [f"FULL-{i}" for i in range(30)])
    book = Journal(Path(".adobe-orders") / "journal.sqlite")
    seen: list[int] = []

    def fill_the_disk(position: int, status: str) -> None:
        seen.append(position)
        if len(seen) == 5:  # the journal can take no more pages: SQLite's "database or disk is full"
            with book._guard() as db:
                pages = db.execute("PRAGMA page_count").fetchone()[0]
                db.execute(f"PRAGMA max_page_count = {pages}")

    results = apply_updates(frame, client, workers=1, journal=book, on_row=fill_the_disk, progress=False)
    assert len(results) == 30 and results.attrs["stopped"] and "full" in results.attrs["stopped"]
    statuses = results["status"].value_counts().to_dict()
    assert statuses["not_run"] >= 20 and set(statuses) <= {"updated", "not_run"}
    patched = {e["path"].rsplit("/", 1)[1] for e in v3(sandbox) if e["method"] == "PATCH"}
    journaled = {r["order_id"] for r in book.rows(results.attrs["batch_id"]).values() if r["sent"]}
    assert patched <= journaled  # never a PATCH without its journal line


def test_8b_a_corrupt_journal_gives_one_line_naming_the_file(sandbox, tmp_path) -> None:
    journal = tmp_path / ".adobe-orders" / "journal.sqlite"
    journal.parent.mkdir()
    journal.write_bytes(b"this is not a database" * 100)
    env = cli_env(sandbox)
    path = tmp_path / "u.csv"
    frame_of(sandbox.orders[:1], ["C-1"]).to_csv(path, index=False)
    for argv in (["history"], ["undo", "x"], ["apply", str(path)]):
        proc = subprocess.run([*CLI, *argv], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 1, (argv, proc.stderr)
        errors = [line for line in proc.stderr.splitlines() if line.startswith("adobe-orders: error:")]
        assert len(errors) == 1 and str(journal) in errors[0] and "damaged" in errors[0], proc.stderr
        assert "Traceback" not in proc.stderr
    assert [e for e in v3(sandbox) if e["method"] == "PATCH"] == []
    with pytest.raises(JournalError, match="damaged"):
        history(str(journal))


def test_8c_an_unwritable_out_is_refused_before_anything_is_sent(sandbox, tmp_path) -> None:
    (tmp_path / "a-file").write_text("x")
    path = tmp_path / "u.csv"
    frame_of(sandbox.orders[:2], ["O-1", "O-2"]).to_csv(path, index=False)
    proc = subprocess.run([*CLI, "apply", str(path), "--out", str(tmp_path / "a-file" / "results.csv")],
                          cwd=tmp_path, env=cli_env(sandbox), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "Cannot write the results file" in proc.stderr and "Traceback" not in proc.stderr
    assert v3(sandbox) == []


def test_8d_history_needs_no_credentials_and_says_which_journal(sandbox, tmp_path, monkeypatch) -> None:
    apply_updates(frame_of(sandbox.orders[:1], ["H-1"]), sandbox.client(), progress=False)
    monkeypatch.setenv("ADOBE_VIPM_ENV", "production")  # no client ID, no secret
    frame = history()
    assert len(frame) == 1 and frame.attrs["journal"].endswith("journal.sqlite")
    proc = subprocess.run([*CLI, "history"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**{k: v for k, v in os.environ.items()}, "ADOBE_VIPM_ENV": "production"})
    assert proc.returncode == 0 and "Journal: " in proc.stderr and "H-1" in proc.stdout


def test_8e_the_journal_is_found_the_same_way_from_a_notebook_subfolder(sandbox, tmp_path, monkeypatch) -> None:
    (tmp_path / ".env").write_text("")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    apply_updates(frame_of(sandbox.orders[:1], ["SUB-1"]), sandbox.client(), progress=False)
    assert (tmp_path / ".adobe-orders" / "journal.sqlite").exists()
    monkeypatch.chdir(tmp_path)
    assert list(history()["target_value"]) == ["SUB-1"]


# -- 9. one results schema, the user's columns never replaced ----------------------------------------------
def test_9a_snake_case_input_headers_keep_their_values_and_retry_works(sandbox) -> None:
    client = sandbox.client(max_retries=0)
    picked = with_reference(sandbox, 2)
    frame = pd.DataFrame({"customer_id": [picked[0]["customerId"], picked[1]["customerId"]],
                          "order_id": [picked[0]["orderId"], MISSING_ORDER],
                          "external_reference_id": ["NINE-0", "NINE-1"], "note": ["a", "b"]}, dtype=object)
    results = apply_updates(frame, client, progress=False)
    assert list(results.columns) == [*frame.columns, *RESULT_COLUMNS]
    pd.testing.assert_frame_equal(results[frame.columns], frame)  # the input columns, unchanged
    assert results.loc[1, "status"] == "failed" and results.loc[1, "target_value"] == "NINE-1"
    again = retry_failed(results, client, progress=False)  # no ColumnError: the target is still there
    assert again.loc[1, "status"] == "failed" and again.loc[1, "external_reference_id"] == "NINE-1"


def test_9b_a_users_column_named_like_a_result_column_is_refused_before_sending(sandbox) -> None:
    frame = frame_of(sandbox.orders[:1], ["X"]).assign(status="my own", reason="mine")
    with pytest.raises(ColumnError) as info:
        apply_updates(frame, sandbox.client(), progress=False)
    assert "'status'" in str(info.value) and "'reason'" in str(info.value)
    assert sandbox.requests == []


def test_9c_a_results_export_can_be_applied_again(sandbox, tmp_path) -> None:
    client = sandbox.client()
    first = apply_updates(frame_of(sandbox.orders[:3], ["E-0", "E-1", "E-2"]), client, progress=False)
    first.to_csv(tmp_path / "r.csv", index=False)
    back = read_updates(tmp_path / "r.csv")
    again = apply_updates(back, client, progress=False)
    assert list(again["status"]) == ["unchanged"] * 3
    assert list(again.columns) == [*frame_of([], []).columns, *RESULT_COLUMNS]


def test_9d_one_vocabulary_everywhere(sandbox) -> None:
    for name in [*RESULT_COLUMNS, "after_recon_cutoff"]:
        assert not any(_key(name) in aliases for aliases in ALIASES.values()), name
    frame = frame_of(sandbox.orders[:2], ["V-0", ""])
    checked = validate_updates(frame)
    results = apply_updates(frame, sandbox.client(), progress=False)
    assert list(checked.columns) == list(results.columns)
    assert set(checked["status"]) | set(results["status"]) <= {s.value for s in RowStatus}
    assert checked.loc[1, "reason"] == results.loc[1, "reason"]
    journal = history()
    assert {"status", "reason", "previous_value", "target_value", "current_value"} <= set(journal.columns)


# -- 10. ambiguous headers are refused ------------------------------------------------------------------------
@pytest.mark.parametrize("headers", [["customerId", "orderId", "PO Number", "New External Reference ID"],
                                     ["customerId", "orderId", "externalReferenceId", "newExternalReferenceId"],
                                     ["customerId", "orderId", "PO", "PO"]])
def test_10_two_headers_for_one_field_are_refused_naming_each(sandbox, tmp_path, headers) -> None:
    o = sandbox.orders[0]
    path = tmp_path / "u.csv"
    path.write_text(",".join(headers) + f"\n{o['customerId']},{o['orderId']},WRONG,RIGHT\n")
    with pytest.raises(ColumnError) as info:
        apply_updates(read_updates(path), sandbox.client(), progress=False)
    for header in set(headers[2:]):
        assert repr(header) in str(info.value)
    assert "columns=" in str(info.value) or "Rename" in str(info.value)
    assert sandbox.requests == []
    if len(set(headers)) == 4:  # the CLI option chooses, and the chosen value is the one sent
        proc = subprocess.run([*CLI, "apply", str(path), "--value-column", headers[3], "--no-progress"],
                              cwd=tmp_path, env=cli_env(sandbox), capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert held(sandbox, o) == "RIGHT"


# -- 11. exit codes ------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_11_nothing_valid_is_not_success_and_a_rerun_that_changed_nothing_offers_no_undo(sandbox, tmp_path) -> None:
    env = cli_env(sandbox)
    bad = tmp_path / "bad.csv"
    bad.write_text("customerId,orderId,externalReferenceId\nnot an id,1,X\n0001,,Y\n")
    proc = subprocess.run([*CLI, "apply", str(bad), "--no-progress"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 4 and "invalid: 2" in proc.stdout and "Undo with" not in proc.stdout
    good = tmp_path / "good.csv"
    frame_of(sandbox.orders[:2], ["ELEVEN-0", "ELEVEN-1"]).to_csv(good, index=False)
    first = subprocess.run([*CLI, "apply", str(good), "--no-progress"], cwd=tmp_path, env=env, capture_output=True,
                           text=True, timeout=60)
    assert first.returncode == 0 and "Undo with" in first.stdout
    rerun = subprocess.run([*CLI, "apply", str(good), "--no-progress"], cwd=tmp_path, env=env, capture_output=True,
                           text=True, timeout=60)
    assert rerun.returncode == 0 and "unchanged: 2" in rerun.stdout and "Undo with" not in rerun.stdout
    assert "exit codes:" in subprocess.run([*CLI, "apply", "--help"], capture_output=True, text=True).stdout


# -- 12. max_rate belongs to one run ---------------------------------------------------------------------------
def test_12_one_batchs_max_rate_never_slows_another_on_the_shared_client(sandbox) -> None:
    client = sandbox.client()
    slow_rows = frame_of(sandbox.orders[:6], [f"SLOW-{i}" for i in range(6)])
    fast_rows = frame_of(sandbox.orders[10:40], [f"FAST-{i}" for i in range(30)])
    stop_slow = threading.Event()
    slow = threading.Thread(target=apply_updates, args=(slow_rows, client),
                            kwargs=dict(max_rate=1, batch_id="slow", progress=False, cancel=stop_slow))
    slow.start()
    while not v3(sandbox):  # the slow batch has started sending
        time.sleep(0.01)
    fast = apply_updates(fast_rows, client, batch_id="fast", progress=False)
    # Order, not a stopwatch: at the slow batch's 1/s the fast one's 60 requests would take a minute, while
    # the slow batch needs only 11 s for its 12; finishing while it still runs, the fast one was not paced.
    still_running = slow.is_alive()
    stop_slow.set()
    slow.join(30)
    assert set(fast["status"]) == {"updated"} and still_running
    assert client.throttle.max_rate is None


# -- 13. one row name everywhere ------------------------------------------------------------------------------
def test_13_a_failing_order_has_one_name_in_the_cli_report_undo_and_messages(sandbox, tmp_path) -> None:
    picked = with_reference(sandbox, 25)
    rows = [(o["customerId"], o["orderId"], f"N-{i}") for i, o in enumerate(picked[:20])]
    rows.append((picked[20]["customerId"], MISSING_ORDER, "N-MISSING"))  # line 22: fails
    rows.append(rows[0])  # line 23: an exact repeat of line 2
    path = tmp_path / "u.csv"
    pd.DataFrame(rows, columns=["customerId", "orderId", "externalReferenceId"]).to_csv(path, index=False)
    proc = subprocess.run([*CLI, "apply", str(path), "--batch-id", "names", "--no-progress"], cwd=tmp_path,
                          env=cli_env(sandbox), capture_output=True, text=True, timeout=60)
    assert "line 22 [failed]" in proc.stdout, proc.stdout
    client = sandbox.client()  # the same API as the CLI's, so the same batch resumes in the notebook
    results = apply_updates(read_updates(path), client, batch_id="names", progress=False)
    assert "line 22 [failed]" in repr(report(results))
    assert results.loc[23, "reason"] == "Exact repeat of line 2 (same order, same value); only line 2 is applied."
    client.update_order(picked[4]["customerId"], picked[4]["orderId"], "CHANGED")  # line 6
    undone = undo("names", client, progress=False)
    assert "line 6 [skipped]" in repr(report(undone))
    journal = history()
    assert "line 22" in set(journal.loc[journal["status"] == "failed", "row"])


def test_journal_rows_are_known_by_identity_not_position(sandbox) -> None:
    results = apply_updates(frame_of(sandbox.orders[:3], ["I-0", "I-1", "I-2"]), sandbox.client(), progress=False)
    with sqlite3.connect(Path(".adobe-orders") / "journal.sqlite") as db:
        rows = db.execute("SELECT batch_row, label, order_id FROM batch_row WHERE batch_id = ? ORDER BY batch_row",
                          (results.attrs["batch_id"],)).fetchall()
    assert rows == [(i, f"row {i}", sandbox.orders[i]["orderId"]) for i in range(3)]
    assert list(results["batch_row"]) == [0, 1, 2]


def test_a_batch_in_the_old_journal_format_is_named_not_guessed(sandbox) -> None:
    path = Path(".adobe-orders") / "journal.sqlite"
    path.parent.mkdir()
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE batches (batch_id TEXT PRIMARY KEY, created_at TEXT)")
        db.execute("INSERT INTO batches VALUES ('old-one', '2026-01-01')")
    with pytest.raises(KeyError, match="earlier version"):
        undo("old-one", sandbox.client(), progress=False)
    assert sandbox.requests == []


# -- undo restores exactly, even a value that would be refused as a new one -----------------------------------
def test_undo_restores_a_formula_like_value_the_order_held(sandbox) -> None:
    """A value set elsewhere (another tool, Adobe) that looks like a formula is refused as a *new* value,
    but undo must put it back exactly, or the order silently keeps this batch's value."""
    picked = with_reference(sandbox, 1)
    sandbox.state.set_reference(picked[0]["customerId"], picked[0]["orderId"], "=1+1")
    client = sandbox.client()
    results = apply_updates(frame_of(picked, ["PO-FORMULA"]), client, workers=1, progress=False)
    assert list(results["status"]) == ["updated"] and results.loc[0, "previous_value"] == "=1+1"
    undone = undo(results, client, progress=False)
    assert list(undone["status"]) == ["updated"], undone["reason"].tolist()
    assert held(sandbox, picked[0]) == "=1+1"
    fresh = apply_updates(frame_of(picked, ["=2+2"]), client, workers=1, progress=False)
    assert list(fresh["status"]) == ["invalid"] and held(sandbox, picked[0]) == "=1+1"


# -- run options are checked before anything is sent ------------------------------------------------------
@pytest.mark.parametrize("option", [dict(workers=0), dict(workers=-3), dict(workers=2.5), dict(workers=True),
                                    dict(max_rate=float("nan")), dict(max_rate=-1.0), dict(max_rate=0),
                                    dict(max_rate=float("inf")), dict(max_rate=1e-300), dict(retry_budget=-1),
                                    dict(retry_budget=1.5)])
def test_a_bad_run_option_is_refused_before_anything_is_sent(sandbox, option) -> None:
    from adobe_orders import UsageError

    picked = with_reference(sandbox, 2)
    before = len(v3(sandbox))
    with pytest.raises(UsageError, match=next(iter(option))):
        apply_updates(frame_of(picked, ["OPT-0", "OPT-1"]), sandbox.client(), progress=False, **option)
    assert len(v3(sandbox)) == before
    assert [held(sandbox, o) for o in picked] == [o["externalReferenceId"] for o in picked]
