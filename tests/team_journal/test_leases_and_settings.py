"""Leases on the team journal (the database decides who owns a batch: a frozen run keeps it, a run whose
lock session is gone writes and sends nothing more), the journal URL taken from the settings by the
widgets, and the file journal's schema: an older one upgraded, a newer one refused."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from adobe_orders import apply_updates, history
from adobe_orders.batch import resume
from adobe_orders.errors import BatchBusy, JournalError
from adobe_orders.journal import Journal
from adobe_orders.sandbox import Sandbox
from adobe_orders.sandbox.server import Handler
from tests.team_journal.helpers import PatchWatch, pg_rows, updates


def _updated(url: str, batch: str) -> int:
    if not pg_rows(url, "SELECT 1 FROM pg_tables WHERE schemaname = 'adobe_orders' AND tablename = 'batch_row'"):
        return 0
    return pg_rows(url, "SELECT count(*) FROM adobe_orders.batch_row WHERE batch_id = %s AND status = 'updated'",
                   (batch,))[0][0]


def test_a_frozen_run_keeps_its_batch_however_long_and_finishes_after(pg_url, tmp_path: Path) -> None:
    """SIGSTOP: its session stays open, so the server keeps its lock; a second run is refused naming
    the process, host and database user — no clock decides. SIGCONT: it finishes the batch."""
    with Sandbox(latency=0.05) as sb:
        orders = sb.orders[:40]
        updates(orders, "FROZEN").to_csv(tmp_path / "po.csv", index=False)
        env = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_VIPM_")}
        env.update(dict(line.split("=", 1) for line in sb.env_lines()), ADOBE_VIPM_JOURNAL=pg_url)
        proc = subprocess.Popen([sys.executable, "-m", "adobe_orders.cli", "apply", "po.csv", "--batch-id", "frozen",
                                 "--workers", "2", "--no-progress"], cwd=tmp_path, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 120
            while proc.poll() is None and time.monotonic() < deadline and _updated(pg_url, "frozen") < 4:
                time.sleep(0.02)
            proc.send_signal(signal.SIGSTOP)
            with pytest.raises(BatchBusy, match=rf"process {proc.pid} on .* \(database user postgres\)"):
                resume("frozen", sb.client(), journal=pg_url, progress=False)
            assert pg_rows(pg_url, "SELECT count(*) FROM adobe_orders.lease WHERE token <> ''")[0][0] == 1
        finally:
            proc.send_signal(signal.SIGCONT)
        assert proc.wait(180) == 0, proc.stderr.read() if proc.stderr else ""
        assert _updated(pg_url, "frozen") == 40


def test_a_run_whose_lock_session_ends_stops_writing_and_sending(pg_url, sandbox,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The server ends the run's lock session mid-run (an administrator, a network cut): the lock is
    free, so every later write of that run is refused by its fence and nothing more is sent; another
    run then takes the batch (a higher epoch) and finishes it."""
    watch = PatchWatch(delay=0.01)
    cut = []

    def end_the_lock_session(path: str) -> None:
        if len(watch.patched) == 3 and not cut:
            cut.append(pg_rows(pg_url, "SELECT pg_terminate_backend(backend_pid) FROM adobe_orders.lease "
                                       "WHERE batch_id = 'fenced'"))

    watch.before_patch = end_the_lock_session
    monkeypatch.setattr(Handler, "_handle", watch.wrap(Handler._handle))
    orders = sandbox.orders[:20]
    results = apply_updates(updates(orders, "FENCE"), sandbox.client(), journal=pg_url, workers=1, progress=False,
                            batch_id="fenced")
    assert cut == [[(True,)]]
    assert len(watch.patched) == 4  # the PATCH in flight when the session ended, and none after
    assert list(results["status"]) == ["updated"] * 4 + ["not_run"] * 16
    assert "taken over" in results.attrs["stopped"] or "could not" in results.attrs["stopped"]
    epoch_before = pg_rows(pg_url, "SELECT epoch FROM adobe_orders.lease WHERE batch_id = 'fenced'")[0][0]
    again = resume("fenced", sandbox.client(), journal=pg_url, progress=False)
    assert list(again["status"]) == ["updated"] * 20
    assert pg_rows(pg_url, "SELECT epoch FROM adobe_orders.lease WHERE batch_id = 'fenced'")[0][0] > epoch_before
    assert len(watch.patched) == 20  # the fourth row was read back at its target, not sent again


def test_the_widgets_take_the_team_journal_from_the_settings_and_never_show_the_password(
        pg_server, sandbox, strict_widgets) -> None:
    from urllib.parse import quote

    from ipywidgets.widgets.widget import _instances

    from adobe_orders.client import OrdersClient
    from adobe_orders.widgets import BatchUpdatePanel

    secret = "Wdg-" + uuid.uuid4().hex
    db = pg_server.team({"erin": secret})
    url = pg_server.url("erin", quote(secret, safe=""), db)
    client = OrdersClient(sandbox.client().settings.with_overrides(journal_path=url))
    panel = BatchUpdatePanel(client, updates(sandbox.orders[:3], "WIDGET"))
    panel.apply_button.click()
    panel.wait(60)
    assert panel.results is not None and list(panel.results["status"]) == ["updated"] * 3
    panel.undo_button.click()
    panel.wait(60)
    journal = history(url)
    assert set(journal["who"]) == {"erin"} and set(journal["kind"]) == {"apply", "undo"}
    shown = json.dumps([w.get_state() for w in list(_instances.values())], default=str)
    assert panel.results.attrs["journal"].startswith("postgresql://erin:***@")
    assert secret not in shown and quote(secret, safe="") not in shown
    assert secret not in repr(client) and secret not in repr(client.settings)


V3_SCHEMA = """
CREATE TABLE batch (batch_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, kind TEXT NOT NULL, parent_batch TEXT,
    environment TEXT NOT NULL, base_url TEXT NOT NULL, client_hash TEXT NOT NULL, fingerprint TEXT NOT NULL,
    row_count INTEGER NOT NULL, columns_json TEXT NOT NULL, index_name TEXT);
CREATE TABLE batch_row (batch_id TEXT NOT NULL, batch_row INTEGER NOT NULL, label TEXT NOT NULL,
    label_json TEXT NOT NULL, customer_id TEXT, order_id TEXT, target TEXT, expected_json TEXT, previous TEXT,
    sent INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL, reason TEXT, current_value TEXT, http_status INTEGER,
    error_code TEXT, attempts INTEGER, request_id TEXT, correlation_id TEXT, updated_at TEXT, source_batch TEXT,
    source_row INTEGER, PRIMARY KEY (batch_id, batch_row));
CREATE TABLE lease (batch_id TEXT PRIMARY KEY, token TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL,
    heartbeat REAL NOT NULL, epoch INTEGER NOT NULL DEFAULT 0, beat INTEGER NOT NULL DEFAULT 0);
INSERT INTO batch VALUES ('old-1', '2026-11-30T10:00:00.000000Z', 'apply', NULL, 'local', 'embedded local emulator',
    'abc', 'fp', 1, '{"customer": "c", "order": "o", "value": "v"}', NULL);
INSERT INTO batch_row (batch_id, batch_row, label, label_json, customer_id, order_id, target, previous, sent, status,
    current_value, updated_at) VALUES ('old-1', 0, '0', '0', '0001000000', '0123456000', 'NEW', 'OLD', 1, 'updated',
    'NEW', '2026-11-30T10:00:01.000000Z');
PRAGMA user_version = 3;
"""


def test_an_older_file_journal_is_upgraded_and_a_newer_one_refused(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(V3_SCHEMA)
    journal = Journal(path)
    old = history(journal)
    assert list(old["batch_id"]) == ["old-1"] and old.loc[0, "who"] is None
    assert list(history(journal, order="0123456000")["previous_value"]) == ["OLD"]
    journal.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 5
        assert {"who", "host"} <= {r[1] for r in db.execute("PRAGMA table_info(batch)")}
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(JournalError, match="schema version 99, newer than this adobe-orders understands"):
        Journal(path)


def test_pooled_connections_left_idle_are_closed(pg_url, sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """A team's server has a connection limit shared by everyone: a kernel left open after a batch
    keeps no connection once they have been idle for the pool's idle time."""
    from adobe_orders.journal.postgres_pool import Pool, pool_for

    monkeypatch.setattr(Pool, "IDLE_SECONDS", 0.2)
    apply_updates(updates(sandbox.orders[:8], "IDLE"), sandbox.client(), journal=pg_url, workers=4, progress=False)
    database = pg_url.rsplit("/", 1)[1]

    def ours() -> int:
        return pg_rows(pg_url, "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = "
                               "'adobe-orders'", (database,))[0][0]

    assert pool_for(pg_url).idle and ours() >= 2
    deadline = time.monotonic() + 30
    while (pool_for(pg_url).idle or ours()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pool_for(pg_url).idle == [] and ours() == 0
