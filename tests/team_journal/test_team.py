"""The team journal as a finance team uses it: two analysts (two database users, two workspaces)
where one sees and undoes the other's batch, one order's changes across the team, a member who does
not own the tables, and an analyst's file journal copied in."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import pytest

from adobe_orders import apply_updates, history, undo
from adobe_orders.batch import retry_failed
from adobe_orders.cli import main
from adobe_orders.journal import copy_journal
from tests.team_journal.helpers import pg_rows, updates

ALICE, BOB = ("alice", "Alice-pw-7Qx!"), ("bob", "Bob-pw-3Zk?")


def workspace(root: Path, sandbox, journal_url: str) -> Path:
    root.mkdir()
    (root / ".env").write_text("\n".join([*sandbox.env_lines(), f"ADOBE_VIPM_JOURNAL={journal_url}"]) + "\n")
    return root


def test_two_analysts_one_sees_and_undoes_the_others_batch(pg_server, sandbox, tmp_path: Path, capsys,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from urllib.parse import quote

    db = pg_server.team({ALICE[0]: ALICE[1], BOB[0]: BOB[1]})
    alice = workspace(tmp_path / "alice", sandbox, pg_server.url(ALICE[0], quote(ALICE[1], safe=""), db))
    bob = workspace(tmp_path / "bob", sandbox, pg_server.url(BOB[0], quote(BOB[1], safe=""), db))
    orders = sandbox.orders[:5]
    updates(orders, "PO-ALICE").to_csv(alice / "po.csv", index=False)

    monkeypatch.chdir(alice)
    assert main(["apply", "po.csv", "--batch-id", "alice-june", "--no-progress"]) == 0
    capsys.readouterr()

    monkeypatch.chdir(bob)
    assert main(["history"]) == 0
    out = capsys.readouterr()
    assert "Batch alice-june" in out.out and "by alice@" in out.out
    assert "postgresql://bob:***@" in out.err and BOB[1] not in out.err + out.out
    assert main(["undo", "alice-june", "--no-progress"]) == 0
    capsys.readouterr()
    assert [sandbox.order(o["customerId"], o["orderId"])["externalReferenceId"] for o in orders] == \
        [o["externalReferenceId"] for o in orders]

    assert main(["history", "--order", orders[0]["orderId"]]) == 0
    shown = capsys.readouterr().out
    assert "2 changes to order" in shown
    assert shown.index("undo-alice-june") < shown.index("alice-june (apply)")  # newest first
    assert "bob@" in shown and "alice@" in shown and "PO-ALICE-0" in shown

    changes = history(order=orders[0]["orderId"])  # the Python equivalent, from bob's workspace
    assert list(changes["who"]) == ["bob", "alice"] and list(changes["kind"]) == ["undo", "apply"]
    assert changes.iloc[1]["previous_value"] == orders[0]["externalReferenceId"]
    assert changes.iloc[1]["target_value"] == changes.iloc[0]["previous_value"] == "PO-ALICE-0"
    assert changes.iloc[0]["target_value"] == orders[0]["externalReferenceId"]
    # the tables belong to the team's group role, so neither member depends on the other's grants
    owners = {r[0] for r in pg_rows(pg_server.url(database=db),
                                    "SELECT tableowner FROM pg_tables WHERE schemaname = 'adobe_orders'")}
    assert owners == {"team_rw"}


def test_a_member_who_does_not_own_the_tables_runs_batches(pg_server, sandbox) -> None:
    """Created once by its owner; a member with only read/write rights (no CREATE, no ALTER) works,
    so nothing owner-only runs on a connection after the first."""
    db = pg_server.fresh_database()
    owner_url = pg_server.url(database=db)
    apply_updates(updates(sandbox.orders[:2], "OWNER"), sandbox.client(), journal=owner_url, progress=False)
    pg_server.admin("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'carol') THEN "
                    "CREATE ROLE carol LOGIN PASSWORD 'carol-pw'; END IF; END $$")
    pg_server.admin("GRANT USAGE ON SCHEMA adobe_orders TO carol; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES "
                    "IN SCHEMA adobe_orders TO carol; REVOKE CREATE ON SCHEMA public FROM PUBLIC", database=db)
    carol = pg_server.url("carol", "carol-pw", db)
    results = apply_updates(updates(sandbox.orders[2:4], "CAROL"), sandbox.client(), journal=carol, progress=False)
    assert list(results["status"]) == ["updated", "updated"]
    undone = undo(results, sandbox.client(), journal=carol, progress=False)
    assert list(undone["status"]) == ["updated", "updated"]
    assert set(history(carol)["who"]) == {"postgres", "carol"}


def test_a_newer_schema_is_refused_with_a_message(pg_url, pg_server, sandbox) -> None:
    from adobe_orders.errors import JournalError

    history(pg_url)  # creates the schema
    pg_rows(pg_url, "UPDATE adobe_orders.journal_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(JournalError, match=r"schema version 99, newer than this adobe-orders understands"):
        apply_updates(updates(sandbox.orders[:1], "X"), sandbox.client(), journal=pg_url, progress=False)
    assert not [e for e in sandbox.requests if e["path"].startswith("/v3/")]


def test_an_unreadable_schema_version_is_one_line_not_a_traceback(pg_url, sandbox, capsys,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    history(pg_url)  # creates the schema
    pg_rows(pg_url, "UPDATE adobe_orders.journal_meta SET value = 'v2-beta' WHERE key = 'schema_version'")
    monkeypatch.setenv("ADOBE_VIPM_JOURNAL", pg_url)
    assert main(["history"]) == 1
    err = capsys.readouterr().err
    assert "unreadable schema version ('v2-beta'" in err and "Traceback" not in err
    assert not [e for e in sandbox.requests if e["path"].startswith("/v3/")]


def test_the_copy_command_keeps_batch_ids_lineage_and_who(pg_url, sandbox, capsys, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("\n".join(sandbox.env_lines()) + "\n")
    client = sandbox.client()
    orders = sandbox.orders[:4]
    sandbox.faults.queue("error_500", 40)  # the first row fails (every retry), so there is a retry batch
    first = apply_updates(updates(orders[:1], "LOCAL"), client, progress=False, batch_id="laptop-1")
    assert first.loc[0, "status"] == "failed"
    sandbox.faults._queue.clear()
    retried = retry_failed(first, client, progress=False, batch_id="laptop-1-retry")
    assert retried.loc[0, "status"] == "updated"
    apply_updates(updates(orders[1:], "MORE"), client, progress=False, batch_id="laptop-2")
    local = history()

    assert main(["journal", "copy", "--to", pg_url]) == 0
    out = capsys.readouterr().out
    assert "3 batches copied, 0 already in the team journal" in out and "postgres:***@" in out
    team = history(pg_url)
    keys = ["batch_id", "kind", "parent_batch", "who", "host", "created_at", "batch_row", "customer_id", "order_id",
            "status", "previous_value", "target_value", "updated_at"]
    assert team[keys].astype(str).values.tolist() == local[keys].astype(str).values.tolist()
    assert set(team["who"]) == {getpass.getuser()}
    assert copy_journal(to=pg_url).copied == []  # twice is harmless
    # the copied lineage is whole: undoing the first batch from the team journal restores its retried row
    undone = undo("laptop-1", client, journal=pg_url, progress=False)
    assert list(undone["status"]) == ["updated"]
    assert sandbox.order(orders[0]["customerId"], orders[0]["orderId"])["externalReferenceId"] == \
        orders[0]["externalReferenceId"]


def test_the_sqlite_default_is_unchanged(sandbox, tmp_path: Path) -> None:
    """No setting: the workspace's file journal, the OS user as who, and psycopg is never imported."""
    import subprocess
    import sys

    results = apply_updates(updates(sandbox.orders[:2], "FILE"), sandbox.client(), progress=False)
    assert results.attrs["journal"] == str(tmp_path / ".adobe-orders" / "journal.sqlite")
    assert set(history()["who"]) == {getpass.getuser()}
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_VIPM_")}
    env.update(dict(line.split("=", 1) for line in sandbox.env_lines()))
    code = ("import sys, pandas as pd; from adobe_orders import apply_updates, history; "
            f"df = pd.DataFrame({{'customerId': ['{sandbox.orders[3]['customerId']}'], "
            f"'orderId': ['{sandbox.orders[3]['orderId']}'], 'externalReferenceId': ['SUB']}}); "
            "r = apply_updates(df, progress=False); history(); "
            "print(r.loc[0, 'status'], 'psycopg' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.split() == ["updated", "False"], done.stderr


def test_the_api_binding_holds_on_the_team_journal(pg_url, sandbox) -> None:
    """A batch belongs to one API there too: undo or resume with a client for another API is refused
    before anything is sent, whoever tries."""
    from adobe_orders.errors import ApiMismatch
    from adobe_orders.sandbox import Sandbox

    results = apply_updates(updates(sandbox.orders[:2], "BOUND"), sandbox.client(), journal=pg_url, progress=False)
    with Sandbox() as other:
        with pytest.raises(ApiMismatch, match="Nothing was sent"):
            undo(results, other.client(), journal=pg_url, progress=False)
        assert [e for e in other.requests if e["path"].startswith("/v3/")] == []


def test_copy_never_overwrites_another_batch_under_the_same_id(pg_url, sandbox, capsys, tmp_path: Path) -> None:
    """Two analysts both named a batch "june": the one already in the team journal stays as it is, the
    laptop's is named as left out, and the exit code says so."""
    (tmp_path / ".env").write_text("\n".join(sandbox.env_lines()) + "\n")
    client = sandbox.client()
    apply_updates(updates(sandbox.orders[:2], "TEAM"), client, journal=pg_url, progress=False, batch_id="june")
    apply_updates(updates(sandbox.orders[2:5], "LAPTOP"), client, progress=False, batch_id="june")
    apply_updates(updates(sandbox.orders[5:6], "LAPTOP"), client, progress=False, batch_id="july")
    assert main(["journal", "copy", "--to", pg_url]) == 3
    out = capsys.readouterr().out
    assert "1 batches copied" in out and "left out" in out and "june" in out
    team = history(pg_url)
    assert list(team[team["batch_id"] == "june"]["target_value"]) == ["TEAM-0", "TEAM-1"]
    assert list(team[team["batch_id"] == "july"]["target_value"]) == ["LAPTOP-0"]
