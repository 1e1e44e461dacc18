"""Bulk reads: current values from order-history pages, counted in the emulator's log, with the
same outcome as a GET per order — including when pages fail or return less than asked for."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from adobe_orders import apply_updates, undo
from adobe_orders.batch.bulk_reads import MIN_ORDERS, BulkReads, interleave
from adobe_orders.journal import Journal
from adobe_orders.retry import Backoff
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


# -- through the engine ----------------------------------------------------------------------------
RESULT = ["status", "previous_value", "target_value", "current_value", "error_code"]
FAULTS = {"error_500": 0.04, "error_503": 0.03, "gateway_504": 0.02, "rate_limit": 0.03,
          "drop_before": 0.03, "drop_after": 0.04, "slow": 0.01}


def _mixed_batch(sb: Sandbox, tag: str) -> pd.DataFrame:
    """Three customers with every order (one already at its target), a customer with two orders of
    which one does not exist, an unknown customer with two rows, two single orders, one invalid row."""
    rows: list[tuple[str, str, str]] = []
    for c in range(3):
        customer = load_customer_id(c, "64")
        orders = orders_of(sb, customer)
        same = next(o["orderId"] for o in orders if o.get("externalReferenceId"))
        rows += [(customer, o["orderId"], o["externalReferenceId"] if o["orderId"] == same else f"{tag}-{c}-{i}")
                 for i, o in enumerate(orders)]
    big = load_customer_id(0, "65")
    rows += [(big, orders_of(sb, big)[0]["orderId"], f"{tag}-big"), (big, "6500000999999", f"{tag}-ghost")]
    rows += [("5550000001", "0000000001", f"{tag}-u1"), ("5550000001", "0000000002", f"{tag}-u2")]
    demo = [o for o in sb.orders if not o["customerId"].startswith(("64", "65"))]
    singles = [demo[0], next(o for o in demo if o["customerId"] != demo[0]["customerId"])]
    rows += [(o["customerId"], o["orderId"], f"{tag}-s{i}") for i, o in enumerate(singles)]
    rows.append(("not a customer!", "1", f"{tag}-bad"))
    return pd.DataFrame(rows, columns=["customerId", "orderId", "externalReferenceId"], dtype=object)


def _run(bulk: bool, folder: Path, faults: dict[str, float] | None) -> dict[str, object]:
    with Sandbox(faults=faults, fault_seed=11, retry_after=0.01, slow_seconds=0.2) as sb:
        sb.state.add_orders(load_orders(3, 30, prefix="64"))
        sb.state.add_orders(load_orders(1, 250, prefix="65"))
        client = sb.client(max_retries=8, timeout=5, backoff=Backoff(base=0.01, cap=0.05))
        frame = _mixed_batch(sb, "T")
        journal = folder / f"journal-{bulk}.sqlite"
        sb.clear_log()
        results = apply_updates(frame, client, workers=8, bulk_reads=bulk, journal=str(journal), progress=False,
                                retry_budget=10_000)
        sent = Counter(e["method"] if not e["path"].endswith("/orders") else "page" for e in sb.requests
                       if e["path"].startswith("/v3/"))
        after_apply = {(o["customerId"], o["orderId"]): o.get("externalReferenceId") for o in sb.orders}
        book = Journal(journal)
        rows = book.rows(results.attrs["batch_id"])
        journaled = sorted((r["customer_id"], r["order_id"], r["target"], r["status"], r["previous"])
                           for r in rows.values())
        undone = undo(results.attrs["batch_id"], client, journal=str(journal), progress=False,
                      retry_budget=10_000)
        after_undo = {(o["customerId"], o["orderId"]): o.get("externalReferenceId") for o in sb.orders}
        return {"results": results[RESULT].astype(object).where(results[RESULT].notna(), None).values.tolist(),
                "after_apply": after_apply, "journal": journaled, "after_undo": after_undo,
                "undo": sorted(undone["status"].tolist()), "sent": sent}


@pytest.mark.parametrize("faults", [None, FAULTS], ids=["clean", "faults"])
def test_bulk_reads_reach_the_same_state_and_journal_as_per_order_reads(tmp_path: Path, faults) -> None:
    bulk, each = _run(True, tmp_path, faults), _run(False, tmp_path, faults)
    for key in ("results", "after_apply", "journal", "after_undo", "undo"):
        assert bulk[key] == each[key], key
    statuses = Counter(row[0] for row in bulk["results"])
    assert statuses["updated"] == 90 and statuses["unchanged"] == 3 and statuses["invalid"] == 1
    assert statuses["failed"] == 3  # the order that does not exist and the unknown customer's two
    # Fewer requests, counted by the emulator: pages instead of GETs.
    assert bulk["sent"]["GET"] < each["sent"]["GET"] / 10
    assert sum(bulk["sent"].values()) < sum(each["sent"].values())
    if faults is None:
        assert bulk["sent"] == {"page": 5, "GET": 5, "PATCH": 90}
        assert each["sent"] == {"GET": 96, "PATCH": 90}


def test_a_dry_run_reads_pages_and_says_the_same(loaded: Sandbox) -> None:
    client = loaded.client()
    frame = _mixed_batch(loaded, "D")
    loaded.clear_log()
    bulk = apply_updates(frame, client, dry_run=True, workers=4, progress=False)
    assert calls(loaded) == {"page": 5, "GET": 5}
    loaded.clear_log()
    each = apply_updates(frame, client, dry_run=True, workers=4, progress=False, bulk_reads=False)
    assert calls(loaded) == {"GET": 96}
    assert bulk[RESULT].equals(each[RESULT])


@pytest.mark.parametrize("flag, expected", [([], {"page": 1}), (["--per-order-reads"], {"GET": 30})])
def test_cli_dry_run_reads_pages_unless_told_to_read_each_order(loaded: Sandbox, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch, flag, expected) -> None:
    from adobe_orders.cli import main

    for line in loaded.env_lines():
        key, value = line.split("=", 1)
        monkeypatch.setenv(key, value)
    customer = load_customer_id(2, "64")
    file = tmp_path / "updates.csv"
    file.write_text("customerId,orderId,externalReferenceId\n" + "".join(
        f"{customer},{o['orderId']},CLI-{i}\n" for i, o in enumerate(orders_of(loaded, customer))))
    loaded.clear_log()
    assert main(["apply", str(file), "--dry-run", "--no-progress", *flag]) == 0
    assert calls(loaded) == expected
