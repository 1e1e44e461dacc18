"""The pending mark is on disk before the PATCH leaves, whatever the database's own settings: a team's
DBA may well have set ``synchronous_commit = off`` on the database (it speeds up everything else)."""

from __future__ import annotations

import pytest

from adobe_orders import apply_updates
from adobe_orders.batch import resume, undo
from adobe_orders.sandbox.server import Handler
from tests.team_journal.helpers import PatchWatch, pg_rows, updates


def test_the_pending_mark_survives_a_crash_on_a_database_that_does_not_wait_for_the_disk(
        pg_server, pg_url, sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    database = pg_url.rsplit("/", 1)[1]
    pg_server.admin(f'ALTER DATABASE "{database}" SET synchronous_commit = off')
    watch = PatchWatch(delay=0.0)
    crashed: list[str] = []

    def crash_the_server(path: str) -> None:  # the PATCH has left: its mark must be on disk already
        if not crashed:
            crashed.append(path)
            pg_server.stop("immediate")

    watch.before_patch = crash_the_server
    monkeypatch.setattr(Handler, "_handle", watch.wrap(Handler._handle))
    order = sandbox.orders[0]
    original = sandbox.order(order["customerId"], order["orderId"])["externalReferenceId"]
    try:
        apply_updates(updates([order], "CRASH"), sandbox.client(timeout=10), journal=pg_url, progress=False,
                      batch_id="crash")
    finally:
        if crashed:
            pg_server.start()
    assert crashed
    assert pg_rows(pg_url, "SELECT sent, previous FROM adobe_orders.batch_row WHERE batch_id = 'crash'") == \
        [(1, original)]
    watch.before_patch = None
    assert list(resume("crash", sandbox.client(timeout=10), journal=pg_url, progress=False)["status"]) == ["updated"]
    assert list(undo("crash", sandbox.client(timeout=10), journal=pg_url, progress=False)["status"]) == ["updated"]
    assert sandbox.order(order["customerId"], order["orderId"])["externalReferenceId"] == original
