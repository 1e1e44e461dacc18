"""The team journal when things go wrong: a database that is not there, one that stops mid-run, a
process killed with SIGKILL, a password that must never show, TLS parameters that must reach the driver."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from adobe_orders import apply_updates, history
from adobe_orders.batch import resume
from adobe_orders.cli import main
from adobe_orders.errors import JournalError
from adobe_orders.sandbox import Sandbox
from adobe_orders.sandbox.server import Handler
from tests.team_journal.helpers import PatchWatch, order_path, pg_rows, updates
from tests.team_journal.pg_server import free_port


def v3(sandbox: Sandbox) -> list[dict]:
    return [e for e in sandbox.requests if e["path"].startswith("/v3/")]


def test_an_unreachable_database_is_one_line_naming_the_journal_and_nothing_is_sent(
        sandbox, tmp_path: Path, capsys) -> None:
    secret = "Unreach-" + uuid.uuid4().hex
    url = f"postgresql://alice:{secret}@127.0.0.1:{free_port()}/team"
    (tmp_path / ".env").write_text("\n".join([*sandbox.env_lines(), f"ADOBE_VIPM_JOURNAL={url}"]) + "\n")
    updates(sandbox.orders[:3], "X").to_csv(tmp_path / "po.csv", index=False)
    assert main(["apply", "po.csv", "--no-progress"]) == 1
    out = capsys.readouterr()
    last = out.err.splitlines()[-1]
    assert last.startswith("adobe-orders: error: The team journal postgresql://alice:***@127.0.0.1:")
    assert "cannot be reached" in out.err and secret not in out.err + out.out
    assert v3(sandbox) == []


def test_the_database_stopped_mid_run_then_resume_after_restart(pg_server, pg_url, sandbox,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The server goes down while the 6th PATCH is being answered: no row is ever sent without its
    pending mark, the run stops with the rest not_run and a line naming the journal, and resume —
    once the server is back — finishes the batch without sending any order twice."""
    watch = PatchWatch(delay=0.02)
    stopped = []

    def stop_the_database(path: str) -> None:
        if len(watch.patched) == 5 and not stopped:
            stopped.append(path)
            pg_server.stop("fast")

    watch.before_patch = stop_the_database
    monkeypatch.setattr(Handler, "_handle", watch.wrap(Handler._handle))
    orders = sandbox.orders[:30]
    try:
        results = apply_updates(updates(orders, "DOWN"), sandbox.client(timeout=10), journal=pg_url, workers=3,
                                progress=False, batch_id="down")
    finally:
        if stopped:
            pg_server.start()
    assert stopped
    counts = Counter(results["status"])
    assert counts["not_run"] >= 20 and set(counts) <= {"updated", "not_run"}, counts
    stop_line = results.attrs["stopped"]
    assert "the journal could not" in stop_line and "cannot be reached" in stop_line
    assert "postgresql://postgres:***@127.0.0.1" in stop_line
    assert "s3cret" not in stop_line and "resume('down')" in stop_line
    marked = {f"/v3/customers/{c}/orders/{o}" for c, o in pg_rows(
        pg_url, "SELECT customer_id, order_id FROM adobe_orders.batch_row WHERE batch_id = 'down' AND sent = 1")}
    assert set(watch.patched) <= marked  # every PATCH had its pending mark committed first

    again = resume("down", sandbox.client(timeout=10), journal=pg_url, workers=3, progress=False)
    assert list(again["status"]) == ["updated"] * 30
    assert max(Counter(watch.patched).values()) == 1  # the rows that were pending were read, not re-sent
    assert all(sandbox.order(o["customerId"], o["orderId"])["externalReferenceId"] == f"DOWN-{i}"
               for i, o in enumerate(orders))
    assert set(history(pg_url)["status"]) == {"updated"}


def _done_rows(url: str) -> set[int]:
    return {r for (r,) in pg_rows(url, "SELECT batch_row FROM adobe_orders.batch_row WHERE batch_id = 'crash' AND "
                                       "status = 'updated'")} if pg_rows(
        url, "SELECT 1 FROM pg_tables WHERE schemaname = 'adobe_orders' AND tablename = 'batch_row'") else set()


def test_kill_9_and_resume_on_the_team_journal(pg_url, tmp_path: Path) -> None:
    """SIGKILL mid-batch: the database frees the batch at once (its lock session ended), the next run
    sends nothing for the rows the journal holds as done, and finishes the rest."""
    with Sandbox(latency=0.05) as sb:  # slow enough that the kill lands mid-batch however the polls are paced
        orders = sb.orders[:120]
        frame = updates(orders, "CRASH")
        frame.to_csv(tmp_path / "po.csv", index=False)
        env = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_VIPM_")}
        env.update(dict(line.split("=", 1) for line in sb.env_lines()), ADOBE_VIPM_JOURNAL=pg_url)
        command = [sys.executable, "-m", "adobe_orders.cli", "apply", "po.csv", "--batch-id", "crash", "--workers",
                   "4", "--no-progress"]
        proc = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline and len(_done_rows(pg_url)) < 30:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        done_before = _done_rows(pg_url)
        assert 30 <= len(done_before) < 120, proc.stderr.read() if proc.stderr else ""
        seen = len(sb.requests)
        final = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
        assert final.returncode == 0, final.stderr
        done_paths = {order_path(orders[r]) for r in done_before}
        assert [e for e in sb.requests[seen:] if e["path"] in done_paths] == []
        assert all(sb.order(o["customerId"], o["orderId"])["externalReferenceId"] == f"CRASH-{i}"
                   for i, o in enumerate(orders))
    assert pg_rows(pg_url, "SELECT status, count(*) FROM adobe_orders.batch_row GROUP BY status") == [("updated", 120)]


def test_the_password_shows_nowhere(pg_server, sandbox, tmp_path: Path, capsys) -> None:
    from urllib.parse import quote

    from adobe_orders.config import Settings
    from adobe_orders.journal import open_journal_at

    secret = "Pw-" + uuid.uuid4().hex + "-Zz"
    db = pg_server.team({"dana": secret})
    url = pg_server.url("dana", quote(secret, safe=""), db)
    (tmp_path / ".env").write_text("\n".join([*sandbox.env_lines(), f"ADOBE_VIPM_JOURNAL={url}"]) + "\n")
    updates(sandbox.orders[:3], "SECRET").to_csv(tmp_path / "po.csv", index=False)
    seen: list[str] = []
    assert main(["apply", "po.csv", "--no-progress", "--batch-id", "pw", "--out", "results.csv"]) == 0
    assert main(["history", "--out", "history.csv"]) == 0
    assert main(["history", "--all"]) == 0
    assert main(["history", "--order", sandbox.orders[0]["orderId"]]) == 0
    out = capsys.readouterr()
    seen += [out.out, out.err, (tmp_path / "results.csv").read_text(), (tmp_path / "history.csv").read_text()]
    journal = open_journal_at(url)
    frame = history(journal)
    seen += [repr(journal), str(vars(journal)), frame.to_csv(), str(frame.attrs), repr(Settings.from_env())]
    with pytest.raises(JournalError) as wrong:
        open_journal_at(pg_server.url("dana", "not-" + secret, db))
    with pytest.raises(JournalError) as tls:
        open_journal_at(url + "?sslmode=require")  # passed through to the driver: this server has no TLS
    seen += [str(wrong.value), repr(wrong.value), str(tls.value), str(wrong.value.path)]
    assert "password authentication failed" in str(wrong.value) and "dana:***@" in str(wrong.value)
    assert "SSL" in str(tls.value) and "sslmode=require" in str(tls.value)
    assert "postgresql://dana:***@" in out.err
    for text in seen:
        assert secret not in text and quote(secret, safe="") not in text


@pytest.mark.parametrize("url, secret", [
    ("postgresql://alice:p%40ss:w%2Frd@db.example.com:5432/team?sslmode=verify-full", "p@ss:w/rd"),
    ("postgres://alice@db.example.com/team?sslmode=require&password=Zq9%26x", "Zq9&x"),
])
def test_a_password_in_the_user_part_or_the_query_is_masked_as_given_and_decoded(url: str, secret: str) -> None:
    from adobe_orders.journal.url import masked, password_of, scrub

    assert password_of(url) == secret
    shown = masked(url)
    assert "***" in shown and "sslmode=" in shown and "db.example.com" in shown
    raw = url.split("password=")[-1] if "password=" in url else url.split("://")[1].split("@")[0].split(":", 1)[1]
    message = scrub(f"failed for {url}: {secret} / {raw}", url)
    assert secret not in message and raw not in message and shown in message
