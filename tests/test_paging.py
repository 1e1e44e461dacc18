"""Many customers' history page by page: every order once, failures per customer, workers kept busy."""

from __future__ import annotations

import threading
from collections import Counter
from urllib.parse import parse_qs

import pytest

from adobe_orders.paging import read_histories
from adobe_orders.sandbox import Sandbox
from adobe_orders.sandbox import server as server_module
from adobe_orders.sandbox.bulk import load_customer_id, load_orders


def test_every_order_of_every_customer_once_newest_first() -> None:
    with Sandbox() as sb:
        sb.state.add_orders(load_orders(5, 250, prefix="66"))
        sb.state.add_orders(load_orders(2, 30, prefix="67"))
        customers = [load_customer_id(i, "66") for i in range(5)] + [load_customer_id(i, "67") for i in range(2)]
        done: list[str] = []
        got = read_histories(sb.client(), customers, workers=4, on_customer=done.append)
        assert sorted(done) == sorted(customers) and not got.errors
        for customer in customers:
            expected = sorted((o for o in sb.orders if o["customerId"] == customer),
                              key=lambda o: o["creationDate"], reverse=True)
            assert [o.order_id for o in got.orders[customer]] == [o["orderId"] for o in expected]
        pages = Counter(e["path"] for e in sb.requests if e["path"].endswith("/orders"))
        assert got.pages == sum(pages.values()) == 5 * 3 + 2


def test_a_failing_customer_is_reported_and_the_others_complete() -> None:
    with Sandbox() as sb:
        sb.state.add_orders(load_orders(3, 120, prefix="68"))
        customers = [load_customer_id(0, "68"), "5550000009", load_customer_id(1, "68")]
        got = read_histories(sb.client(), customers, workers=2)
        assert set(got.errors) == {"5550000009"} and "1116" in repr(got.errors["5550000009"].code)
        assert {c: len(o) for c, o in got.orders.items()} == {customers[0]: 120, customers[2]: 120}


def test_a_large_customer_is_read_in_parallel_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """One customer of 600 orders and 8 workers: its 6 later pages (each overlapping the one before
    by an order, so the boundaries can be checked) run side by side, not in a chain.

    The emulator holds each later page until all six have arrived. A parallel reader sends them all and
    gets its answers; a chain sends the next page only after an answer, so its first later page waits
    for the others in vain and the barrier breaks. This decides by order, however busy the machine is:
    the barrier's timeout only ends a chain's wait, it measures nothing."""
    six = threading.Barrier(6, timeout=60)
    page = server_module.history_page

    def gated(state, customer_id, query, path):  # type: ignore[no-untyped-def]
        if parse_qs(query).get("offset", ["0"]) != ["0"]:
            six.wait()
        return page(state, customer_id, query, path)

    monkeypatch.setattr(server_module, "history_page", gated)
    with Sandbox() as sb:
        sb.state.add_orders(load_orders(1, 600, prefix="69"))
        got = read_histories(sb.client(), [load_customer_id(0, "69")], workers=8)
        assert len(got.orders[load_customer_id(0, "69")]) == 600 and got.pages == 7
        assert not six.broken
