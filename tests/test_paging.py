"""Many customers' history page by page: every order once, failures per customer, workers kept busy."""

from __future__ import annotations

from collections import Counter

from adobe_orders.paging import read_histories
from adobe_orders.sandbox import Sandbox
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


def test_a_large_customer_is_read_in_parallel_pages() -> None:
    """One customer of 600 orders and 8 workers: its 6 later pages (each overlapping the one before
    by an order, so the boundaries can be checked) run side by side, not in a chain."""
    with Sandbox(latency=0.3) as sb:
        sb.state.add_orders(load_orders(1, 600, prefix="69"))
        got = read_histories(sb.client(), [load_customer_id(0, "69")], workers=8)
        assert len(got.orders[load_customer_id(0, "69")]) == 600 and got.pages == 7
        pages = sorted((e for e in sb.requests if e["path"].endswith("/orders")), key=lambda e: e["received"])
        later = pages[1:]
        # Pages 2..7 were all asked for before the first of them was answered; in a chain each one is asked
        # only after the one before it is answered. Order, not a clock threshold, so load cannot fake it.
        assert max(e["received"] for e in later) < min(e["time"] for e in later), later
