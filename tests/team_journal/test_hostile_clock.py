"""An auditor's ``history --order`` lists the team's changes newest first, whatever the analysts'
clocks say: a laptop whose clock runs ten minutes fast must not put its older change on top."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adobe_orders import apply_updates, history
from adobe_orders.batch import row_update
from adobe_orders.journal import postgres
from tests.team_journal.helpers import updates


def test_an_orders_history_is_in_the_order_of_its_changes_whatever_the_clocks(
        pg_server, sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    database = pg_server.team({"alice": "alice-pw", "bob": "bob-pw"})
    alice, bob = (pg_server.url(n, f"{n}-pw", database) for n in ("alice", "bob"))
    order = sandbox.orders[0]

    def fast() -> str:  # Alice's laptop: ten minutes ahead
        return (datetime.now(UTC) + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    with monkeypatch.context() as skewed:
        skewed.setattr(postgres, "utc_now", fast)
        skewed.setattr(row_update, "utc_now", fast)
        apply_updates(updates([order], "ALICE"), sandbox.client(), journal=alice, progress=False, batch_id="a")
    apply_updates(updates([order], "BOB"), sandbox.client(), journal=bob, progress=False, batch_id="b")

    changes = history(bob, order=order["orderId"])
    assert list(changes["batch_id"]) == ["b", "a"], changes[["batch_id", "updated_at"]]
    assert changes["previous_value"].iloc[0] == "ALICE-0"
