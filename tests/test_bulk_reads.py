"""Bulk reads: current values from order-history pages, counted in the emulator's log, with the
same outcome as a GET per order — including when pages fail or return less than asked for."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from adobe_orders.batch.prefetch import MIN_ORDERS, BulkReads, interleave
from adobe_orders.sandbox import Sandbox
from adobe_orders.sandbox.bulk import load_customer_id, load_orders


@pytest.fixture
def loaded() -> Iterator[Sandbox]:
    """Demo data plus 3 customers of 30 orders (IDs 64…) and one of 250 (65…)."""
    with Sandbox() as sb:
        sb.state.add_orders(load_orders(3, 30, prefix="64"))
        sb.state.add_orders(load_orders(1, 250, prefix="65"))
        yield sb


def calls(sb: Sandbox) -> Counter[str]:
    return Counter("page" if e["path"].endswith("/orders") else e["method"] for e in sb.requests
                   if e["path"].startswith("/v3/"))


def orders_of(sb: Sandbox, customer: str) -> list[dict]:
    return [o for o in sb.orders if o["customerId"] == customer]


def reader(client):  # type: ignore[no-untyped-def]
    return lambda customer: client.history_pages(customer, page_size=100)


def test_one_page_per_customer_instead_of_one_get_per_order(loaded: Sandbox) -> None:
    client = loaded.client()
    pairs = [(o["customerId"], o["orderId"]) for c in range(3) for o in orders_of(loaded, load_customer_id(c, "64"))]
    bulk = BulkReads(pairs, reader(client))
    loaded.clear_log()
    taken = {pair: bulk.take(*pair) for pair in pairs}
    assert calls(loaded) == {"page": 3}
    stored = {(o["customerId"], o["orderId"]): o for o in loaded.orders}
    for pair, got in taken.items():
        assert got is not None
        order, info = got
        assert order.external_reference_id == stored[pair].get("externalReferenceId")
        assert info.status_code == 200 and info.request_id
    assert bulk.pages_read == 3


def test_each_order_is_handed_out_once(loaded: Sandbox) -> None:
    """A second row for the same order (an undo over a batch and its retry) must read it afresh."""
    client = loaded.client()
    orders = orders_of(loaded, load_customer_id(0, "64"))[:MIN_ORDERS]
    bulk = BulkReads([(o["customerId"], o["orderId"]) for o in orders], reader(client))
    first = orders[0]
    assert bulk.take(first["customerId"], first["orderId"]) is not None
    assert bulk.take(first["customerId"], first["orderId"]) is None


def test_a_single_order_of_a_customer_is_not_paged(loaded: Sandbox) -> None:
    client = loaded.client()
    order = orders_of(loaded, load_customer_id(0, "64"))[0]
    bulk = BulkReads([(order["customerId"], order["orderId"])], reader(client))
    loaded.clear_log()
    assert not bulk.covers(order["customerId"])
    assert bulk.take(order["customerId"], order["orderId"]) is None
    assert calls(loaded) == {}


def test_paging_stops_when_gets_are_cheaper(loaded: Sandbox) -> None:
    """250 orders, newest first: 3 of the newest and 2 of the oldest wanted. After page 1 the 2
    missing ones would need 2 more pages: no cheaper than 2 GETs, so paging stops."""
    client = loaded.client()
    history = sorted(orders_of(loaded, load_customer_id(0, "65")), key=lambda o: o["creationDate"], reverse=True)
    wanted = history[:3] + history[-2:]
    bulk = BulkReads([(o["customerId"], o["orderId"]) for o in wanted], reader(client))
    loaded.clear_log()
    got = [bulk.take(o["customerId"], o["orderId"]) for o in wanted]
    assert calls(loaded) == {"page": 1}
    assert [g is not None for g in got] == [True, True, True, False, False]


def test_paging_goes_on_while_it_is_cheaper(loaded: Sandbox) -> None:
    client = loaded.client()
    history = sorted(orders_of(loaded, load_customer_id(0, "65")), key=lambda o: o["creationDate"], reverse=True)
    wanted = history[150:160]  # all on page 2: 1 page to find them, then 1 more — 2 calls, not 10
    bulk = BulkReads([(o["customerId"], o["orderId"]) for o in wanted], reader(client))
    loaded.clear_log()
    assert all(bulk.take(o["customerId"], o["orderId"]) is not None for o in wanted)
    assert calls(loaded) == {"page": 2}


def test_a_failed_page_leaves_the_rows_to_their_own_gets(loaded: Sandbox) -> None:
    client = loaded.client(max_retries=1, sleep=lambda s: None)
    orders = orders_of(loaded, load_customer_id(1, "64"))
    loaded.faults.queue("error_500", 2)  # the page and its one retry
    bulk = BulkReads([(o["customerId"], o["orderId"]) for o in orders], reader(client))
    loaded.clear_log()
    assert all(bulk.take(o["customerId"], o["orderId"]) is None for o in orders)
    assert calls(loaded) == {"page": 2}


def test_an_unknown_customer_is_left_to_the_rows(loaded: Sandbox) -> None:
    """1116 on the page: each row's own GET then reports the order as not found, as without bulk reads."""
    client = loaded.client()
    bulk = BulkReads([("5550000001", "0000000001"), ("5550000001", "0000000002")], reader(client))
    assert bulk.take("5550000001", "0000000001") is None
    assert bulk.take("5550000001", "0000000002") is None


def test_interleave_starts_with_the_largest_customer_and_keeps_each_customers_order() -> None:
    rows = [("b", 1), ("a", 2), ("b", 3), ("c", 4), ("b", 5), ("a", 6)]
    assert interleave(rows, lambda r: r[0]) == [("b", 1), ("a", 2), ("c", 4), ("b", 3), ("a", 6), ("b", 5)]
    assert interleave([], lambda r: r) == []
    big = [(i % 7, i) for i in range(10_000)]
    out = interleave(big, lambda r: r[0])
    assert sorted(out) == sorted(big)
    assert [r for r in out if r[0] == 3] == [r for r in big if r[0] == 3]
