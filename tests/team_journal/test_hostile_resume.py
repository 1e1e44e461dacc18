"""A run whose journal session ends while its last PATCH is in flight (a DBA's pg_terminate_backend,
a failover): the change lands, its outcome cannot be written. The run must say so (the journal keeps
the row pending), and resume must finish the row without sending it again."""

from __future__ import annotations

import pytest

from adobe_orders import apply_updates
from adobe_orders.batch import resume
from adobe_orders.sandbox.server import Handler
from tests.team_journal.helpers import PatchWatch, order_path, pg_rows, updates


def run_cut_off(pg_server, sandbox, monkeypatch: pytest.MonkeyPatch, url: str, database: str, batch_id: str):
    """Apply one row as ``batch_id`` while its lease session is ended (and gone) as its PATCH arrives."""
    watch = PatchWatch(delay=0.0)

    def end_the_session(path: str) -> None:
        watch.before_patch = None
        pg_server.admin("SELECT pg_terminate_backend(backend_pid, 30000) FROM adobe_orders.lease "
                        f"WHERE batch_id = '{batch_id}'", database=database)  # returns once that session is gone

    watch.before_patch = end_the_session
    monkeypatch.setattr(Handler, "_handle", watch.wrap(Handler._handle))
    order = sandbox.orders[0]
    results = apply_updates(updates([order], "CUT"), sandbox.client(timeout=10), journal=url, progress=False,
                            batch_id=batch_id)
    assert sandbox.order(order["customerId"], order["orderId"])["externalReferenceId"] == "CUT-0"  # it landed
    return results, watch, order


def test_a_run_whose_last_outcome_was_not_written_says_so(pg_server, pg_url, sandbox,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    database = pg_url.rsplit("/", 1)[1]
    results, _, _ = run_cut_off(pg_server, sandbox, monkeypatch, pg_url, database, "cut")
    assert pg_rows(pg_url, "SELECT status FROM adobe_orders.batch_row WHERE batch_id = 'cut'") == [("pending",)]
    stopped = results.attrs["stopped"] or ""
    assert "could not record" in stopped and "resume('cut')" in stopped, results.attrs
    assert "s3cret" not in stopped and "postgres:***@" in stopped


def test_resume_finishes_the_row_without_sending_it_again(pg_server, pg_url, sandbox,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    database = pg_url.rsplit("/", 1)[1]
    _, watch, order = run_cut_off(pg_server, sandbox, monkeypatch, pg_url, database, "cut2")
    again = resume("cut2", sandbox.client(timeout=10), journal=pg_url, progress=False)
    assert list(again["status"]) == ["updated"]
    assert watch.patched == [order_path(order)]
    assert pg_rows(pg_url, "SELECT status FROM adobe_orders.batch_row WHERE batch_id = 'cut2'") == [("updated",)]


def test_resume_never_resends_over_a_colleague_who_built_on_the_change(pg_server, sandbox,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Alice's run is cut off after her PATCH landed; Bob then changes the order (his batch journals
    Alice's value as the one it replaced). Alice's resume must not send her value again over Bob's:
    the journal knows her change landed, and undoing her batch must keep Bob's change."""
    from adobe_orders import history
    from adobe_orders.batch import undo

    database = pg_server.team({"alice": "alice-pw", "bob": "bob-pw"})
    alice, bob = (pg_server.url(n, f"{n}-pw", database) for n in ("alice", "bob"))
    _, watch, order = run_cut_off(pg_server, sandbox, monkeypatch, alice, database, "a-june")
    original = history(alice).loc[0, "previous_value"]
    second = apply_updates(updates([order], "BOB"), sandbox.client(timeout=10), journal=bob, progress=False,
                           batch_id="b-june")
    assert list(second["status"]) == ["updated"] and second.loc[0, "previous_value"] == "CUT-0"

    again = resume("a-june", sandbox.client(timeout=10), journal=alice, progress=False)
    assert watch.patched == [order_path(order)] * 2, watch.patched  # Alice's once, Bob's once
    assert sandbox.order(order["customerId"], order["orderId"])["externalReferenceId"] == "BOB-0"
    assert list(again["status"]) == ["updated"], again[["status", "reason"]].to_dict("records")
    changes = history(bob, order=order["orderId"])
    chain = list(zip(changes["previous_value"], changes["target_value"], strict=True))
    assert chain == [("CUT-0", "BOB-0"), (original, "CUT-0")]
    undone = undo("a-june", sandbox.client(timeout=10), journal=bob, progress=False)
    assert list(undone["status"]) == ["skipped"]
    assert sandbox.order(order["customerId"], order["orderId"])["externalReferenceId"] == "BOB-0"
