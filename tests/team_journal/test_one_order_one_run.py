"""One order, one run at a time, on both backends: two batches over the same orders at the same moment
never have two PATCHes in flight for one order (seen at the emulator), and each journaled previous
value is the value the other batch left — so the order's history is one unbroken chain."""

from __future__ import annotations

import threading

import pytest

from adobe_orders import apply_updates, history
from adobe_orders.batch import row_update
from adobe_orders.sandbox.server import Handler
from tests.team_journal.helpers import PatchWatch, order_path, updates


@pytest.fixture(params=["sqlite", "postgresql"])
def journals(request: pytest.FixtureRequest) -> dict[str, str | None]:
    """Each analyst's journal setting: None for both is the workspace's SQLite file (the default); on
    PostgreSQL, two database users of one team, so each sees the other's runs only as the server shows them."""
    if request.param == "sqlite":
        return {"alice": None, "bob": None}
    server = request.getfixturevalue("pg_server")
    db = server.team({"alice": "alice-pw", "bob": "bob-pw"})
    return {name: server.url(name, f"{name}-pw", db) for name in ("alice", "bob")}


@pytest.fixture
def journal_setting(journals: dict[str, str | None]) -> str | None:
    return journals["alice"]


def test_two_batches_over_the_same_orders_never_patch_one_order_twice_at_once(
        journals: dict[str, str | None], sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    watch = PatchWatch(delay=0.15)
    monkeypatch.setattr(Handler, "_handle", watch.wrap(Handler._handle))
    orders = sandbox.orders[:8]
    start = threading.Barrier(2)
    results = {}

    def run(name: str) -> None:
        client = sandbox.client(timeout=10)
        start.wait()
        results[name] = apply_updates(updates(orders, name), client, journal=journals[name], workers=4,
                                      progress=False, batch_id=name)

    threads = [threading.Thread(target=run, args=(name,)) for name in ("alice", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert set(results) == {"alice", "bob"}
    assert len(watch.patched) == 16, watch.patched  # both batches changed every order...
    assert {p: n for p, n in watch.most.items() if n > 1} == {}  # ...never two PATCHes at once for one order
    for name in ("alice", "bob"):
        assert list(results[name]["status"]) == ["updated"] * 8, results[name][["status", "reason"]]
    final = {order_path(o): sandbox.order(o["customerId"], o["orderId"])["externalReferenceId"] for o in orders}
    for i, order in enumerate(orders):
        changes = history(journals["bob"], order=order["orderId"], customer=order["customerId"])
        assert list(changes["status"]) == ["updated", "updated"]
        newer, older = changes.iloc[0], changes.iloc[1]
        # the later batch journaled what the earlier one left, not what it read before that change
        assert newer["previous_value"] == older["target_value"]
        assert older["previous_value"] == order["externalReferenceId"]
        assert final[order_path(order)] == newer["target_value"] == f"{newer['batch_id']}-{i}"
        assert set(changes["batch_id"]) == {"alice", "bob"}
        assert journals["alice"] is None or list(changes["who"]) == list(changes["batch_id"])


def test_a_row_whose_order_stays_busy_is_failed_naming_the_other_batch_and_retryable(
        journal_setting: str | None, sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """The other run holds the order past the wait: the row is not sent, says which batch and who
    has it, and ``retry_failed`` sends it once that run is done."""
    from adobe_orders import retry_failed

    holding, release = threading.Event(), threading.Event()
    watch = PatchWatch(delay=0.0)
    first = order_path(sandbox.orders[0])

    def hold(path: str) -> None:
        if path == first and not holding.is_set():
            holding.set()
            release.wait(60)

    watch.before_patch = hold
    monkeypatch.setattr(Handler, "_handle", watch.wrap(Handler._handle))
    monkeypatch.setattr(row_update, "ORDER_WAIT_SECONDS", 0.5)
    orders = sandbox.orders[:3]
    slow: dict = {}
    runner = threading.Thread(target=lambda: slow.update(r=apply_updates(
        updates(orders[:1], "first"), sandbox.client(timeout=30), journal=journal_setting, progress=False,
        batch_id="first")))
    runner.start()
    assert holding.wait(30)
    try:
        second = apply_updates(updates(orders, "second"), sandbox.client(timeout=10), journal=journal_setting,
                               workers=2, progress=False, batch_id="second")
    finally:
        release.set()
        runner.join(60)
    assert list(second["status"]) == ["failed", "updated", "updated"]
    reason = second.loc[0, "reason"]
    assert "batch first" in reason and "Retry" in reason
    assert watch.patched.count(first) == 1  # the busy row was never sent
    assert slow["r"].loc[0, "status"] == "updated"
    again = retry_failed(second, sandbox.client(timeout=10), journal=journal_setting, progress=False)
    assert list(again["status"]) == ["updated", "updated", "updated"]
    changes = history(journal_setting, order=orders[0]["orderId"])
    assert list(changes["target_value"][:2]) == ["second-0", "first-0"]
    assert changes.iloc[0]["previous_value"] == "first-0"
