"""Complete order history on hostile but legal servers: a renewal created between two page
requests, pages capped below ``limit``, answers without ``totalCount``, a client that sends one
correlation ID for every page. Every customer's history is every order exactly once, or the
customer is named as failed with the reason — never an order silently lost or read twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pandas as pd
import pytest
import requests

from adobe_orders import apply_updates, fetch_orders
from adobe_orders.errors import HistoryChangedError
from adobe_orders.paging import WALKS, read_histories
from adobe_orders.sandbox import Sandbox
from adobe_orders.sandbox.bulk import load_customer_id, load_orders
from tests.helpers import EXIT_SECONDS, default_sigint

BIG = load_customer_id(0, "81")  # 300 orders: 3 pages of 100, 6 of 50
OTHER = load_customer_id(1, "81")


def hostile(**knobs: object) -> Sandbox:
    sb = Sandbox(**knobs)  # type: ignore[arg-type]
    sb.state.add_orders(load_orders(2, 300, prefix="81"))
    return sb


def stored_ids(sb: Sandbox, customer: str) -> list[str]:
    """The customer's orders as the emulator holds them now, newest first."""
    mine = sorted((o for o in sb.orders if o["customerId"] == customer),
                  key=lambda o: (o["creationDate"], o["orderId"]), reverse=True)
    return [o["orderId"] for o in mine]


def history_requests(sb: Sandbox) -> list[dict]:
    return [e for e in sb.requests if e["path"].endswith("/orders")]


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with hostile() as sandbox:
        yield sandbox


# -- fetch_orders: the parallel read ----------------------------------------------------------

@pytest.mark.parametrize("after, workers", [(1, 4), (2, 1), (3, 1), (2, 4)])
def test_fetch_orders_with_a_renewal_created_between_pages_has_every_order_once(sb: Sandbox, after: int,
                                                                               workers: int) -> None:
    """The renewal comes right after the ``after``-th page request: the pages answered later all
    shift by one. Today's reader loses an order at a shifted boundary and names no failure."""
    before = stored_ids(sb, BIG)
    sb.quirks.renew_after(BIG, pages=after)
    frame = fetch_orders([BIG, OTHER], sb.client(), workers=workers, progress=False)
    assert frame.attrs["failed_customers"] == {}
    assert len(sb.quirks.created) == 1
    mine = list(frame[frame["customerId"] == BIG]["orderId"])
    assert len(mine) == len(set(mine))  # nothing twice
    assert set(before) <= set(mine)  # nothing missing
    if workers == 1 or after == 1:
        # A page was answered after the renewal existed: it is read too, in history order.
        assert mine == stored_ids(sb, BIG) and len(mine) == 301
    else:
        # Pages asked for at once: the renewal may come after the last of them was answered.
        assert mine in (before, stored_ids(sb, BIG))
    assert list(frame[frame["customerId"] == OTHER]["orderId"]) == stored_ids(sb, OTHER)


def test_fetch_orders_names_a_customer_whose_history_never_holds_still(sb: Sandbox) -> None:
    """A renewal after every page request: no read ever sees one history. The customer is failed
    with a reason that says so, and has no rows; the other customer is complete."""
    sb.quirks.renew_after_each(BIG, pages=40)
    frame = fetch_orders([BIG, OTHER], sb.client(), workers=4, progress=False)
    reason = frame.attrs["failed_customers"][BIG]
    assert f"not read completely in {WALKS} tries" in reason and "while the history was read" in reason
    assert BIG not in set(frame["customerId"])
    assert list(frame[frame["customerId"] == OTHER]["orderId"]) == stored_ids(sb, OTHER)


def test_fetch_orders_with_a_page_cap_below_limit_reads_all_300() -> None:
    """The server sends 50 where 100 were asked for: 300 orders, 300 rows (today: 200)."""
    with hostile(page_cap=50) as sb:
        frame = fetch_orders([BIG, OTHER], sb.client(), workers=4, progress=False)
        assert frame.attrs["failed_customers"] == {}
        for customer in (BIG, OTHER):
            assert list(frame[frame["customerId"] == customer]["orderId"]) == stored_ids(sb, customer)
        assert all(e["status"] == 200 for e in history_requests(sb))


def test_fetch_orders_without_total_count_walks_the_links() -> None:
    """Adobe's older samples have no ``totalCount`` (today: ResponseShapeError for every customer)."""
    with hostile(omit_total_count=True) as sb:
        frame = fetch_orders([BIG, OTHER], sb.client(), workers=4, progress=False)
        assert frame.attrs["failed_customers"] == {}
        for customer in (BIG, OTHER):
            assert list(frame[frame["customerId"] == customer]["orderId"]) == stored_ids(sb, customer)


def test_fetch_orders_with_a_page_cap_no_total_count_and_a_renewal_at_once() -> None:
    with hostile(page_cap=50, omit_total_count=True) as sb:
        sb.quirks.renew_after(BIG, pages=3)
        frame = fetch_orders([BIG], sb.client(), workers=4, progress=False)
        assert frame.attrs["failed_customers"] == {}
        assert list(frame["orderId"]) == stored_ids(sb, BIG) and len(frame) == 301


def test_parallel_pages_overlap_by_one_order_and_are_asked_for_at_once(sb: Sandbox) -> None:
    """The boundary check costs an order per page, not a chain: 300 orders at 100 a page are 4
    pages (offsets 0, 99, 198, 297), the last three asked for side by side."""
    sb.clear_log()
    got = read_histories(sb.client(), [BIG], workers=4)
    assert [o.order_id for o in got.orders[BIG]] == stored_ids(sb, BIG) and got.pages == 4
    offsets = sorted(int(dict(pair.split("=") for pair in e["query"].split("&"))["offset"])
                     for e in history_requests(sb))
    assert offsets == [0, 99, 198, 297]


def test_a_shift_after_the_parallel_pages_were_planned_falls_back_to_the_links(sb: Sandbox) -> None:
    sb.quirks.renew_after(BIG, pages=2)  # between the 2nd and 3rd of the planned pages
    got = read_histories(sb.client(), [BIG], workers=1)
    assert not got.errors and [o.order_id for o in got.orders[BIG]] == stored_ids(sb, BIG)
    # The chained read after the parallel pages: it starts again at offset 0.
    queries = [e["query"] for e in history_requests(sb)]
    assert sum("offset=0&" in q or q.endswith("offset=0") for q in queries) == 2


# -- list_orders: the chained read ---------------------------------------------------------------

def test_list_orders_with_a_renewal_between_pages_has_every_order_once(sb: Sandbox) -> None:
    sb.quirks.renew_after(BIG, pages=1)
    got = [o.order_id for o in sb.client().list_orders(BIG)]
    assert got == stored_ids(sb, BIG) and len(got) == 301 == len(set(got))


def test_list_orders_with_a_page_cap_and_no_total_count() -> None:
    with hostile(page_cap=50, omit_total_count=True) as sb:
        sb.quirks.renew_after(BIG, pages=2)
        got = [o.order_id for o in sb.client().list_orders(BIG)]
        assert got == stored_ids(sb, BIG) and len(got) == 301


def test_list_orders_raises_a_named_error_when_the_history_never_holds_still(sb: Sandbox) -> None:
    sb.quirks.renew_after_each(BIG, pages=40)
    with pytest.raises(HistoryChangedError, match=f"in {WALKS} tries: customer {BIG}: .* while the history was read"):
        list(sb.client().list_orders(BIG))


def test_a_next_link_that_skips_orders_is_not_followed_into_a_gap(sb: Sandbox) -> None:
    """A capped server whose links step by the asked-for ``limit`` (50 sent, next at +100): the
    walk asks where the last page ended, so nothing is skipped."""
    sb.quirks.page_cap = 50
    original = sb.state.quirks

    from adobe_orders.sandbox import history as emulated

    real = emulated._page

    def lying(state, customer_id, query, path):  # type: ignore[no-untyped-def]
        status, body = real(state, customer_id, query, path)
        if status == 200 and "next" in body["links"]:
            at = body["offset"] + 100
            body["links"]["next"]["uri"] = body["links"]["next"]["uri"].replace(
                f"offset={body['offset'] + 50}", f"offset={at}")
        return status, body

    emulated._page = lying  # type: ignore[assignment]
    try:
        got = [o.order_id for o in sb.client().list_orders(BIG)]
    finally:
        emulated._page = real  # type: ignore[assignment]
    assert original is sb.state.quirks
    assert got == stored_ids(sb, BIG)


# -- apply_updates: the bulk reads ---------------------------------------------------------------

def dry_run_frame(sb: Sandbox, customer: str) -> pd.DataFrame:
    ids = stored_ids(sb, customer)
    return pd.DataFrame({"customerId": [customer] * len(ids), "orderId": ids,
                         "externalReferenceId": [f"PO-{n}" for n in range(len(ids))]})


def calls(sb: Sandbox) -> Counter[str]:
    return Counter("page" if e["path"].endswith("/orders") else e["method"] for e in sb.requests
                   if e["path"].startswith("/v3/"))


def assert_current_values(sb: Sandbox, result: pd.DataFrame) -> None:
    stored = {o["orderId"]: o.get("externalReferenceId") or "" for o in sb.orders}
    for order_id, previous in zip(result["orderId"], result["previous_value"], strict=True):
        assert ("" if pd.isna(previous) else previous) == stored[order_id], order_id


def test_a_dry_run_over_a_shifting_history_finds_every_current_value_from_pages(sb: Sandbox) -> None:
    """The renewal shifts the history after the first page: the walk that sees it keeps what it
    found (by order ID) and walks again, so every row has its own current value from the pages
    (the shift pushes one order onto a 4th page, which costs what its one GET costs)."""
    frame = dry_run_frame(sb, BIG)
    sb.quirks.renew_after(BIG, pages=1)
    sb.clear_log()
    result = apply_updates(frame, sb.client(), dry_run=True, workers=4, progress=False)
    assert set(result["status"]) == {"would_update"}
    assert_current_values(sb, result)
    assert calls(sb)["GET"] <= 1 and len(sb.quirks.created) == 1


def test_a_dry_run_with_a_page_cap_reads_every_value(sb: Sandbox) -> None:
    sb.quirks.page_cap = 50
    frame = dry_run_frame(sb, BIG)
    sb.clear_log()
    result = apply_updates(frame, sb.client(), dry_run=True, workers=4, progress=False)
    assert set(result["status"]) == {"would_update"} and len(result) == 300
    assert_current_values(sb, result)
    assert calls(sb) == {"page": 6}


def test_a_dry_run_without_total_count_still_reads_pages_not_one_get_per_order() -> None:
    """Today a page without ``totalCount`` is refused and every row does its own GET (300 of them)."""
    with hostile(omit_total_count=True) as sb:
        frame = dry_run_frame(sb, BIG)
        sb.clear_log()
        result = apply_updates(frame, sb.client(), dry_run=True, workers=4, progress=False)
        assert set(result["status"]) == {"would_update"}
        assert_current_values(sb, result)
        assert calls(sb) == {"page": 4}  # each page one order back (no totalCount): 0, 99, 198, 297


# -- the emulator serves other clients as Adobe would ---------------------------------------------

def raw_session(sb: Sandbox) -> requests.Session:
    token = requests.post(f"{sb.url}/ims/token/v3", timeout=10, data={
        "grant_type": "client_credentials", "client_id": sb.client_id, "client_secret": sb.client_secret}
    ).json()["access_token"]
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {token}", "X-Api-Key": sb.client_id,
                            "Accept": "application/json", "Content-Type": "application/json",
                            "X-Correlation-Id": "one-id-for-the-whole-read", "X-Request-Id": "one-request-id"})
    return session


def test_a_client_reusing_one_correlation_and_request_id_pages_correctly(sb: Sandbox) -> None:
    """SoftwareOne's client: one correlation ID and one request ID for every page. Page 2 with
    page 1's IDs is a different request (another target), not a replay and not a 4120."""
    seen: list[str] = []
    with raw_session(sb) as session:
        uri: str | None = f"/v3/customers/{BIG}/orders?start-date=2010-01-01&limit=100"
        for _ in range(10):  # bounded: 3 pages are expected
            if uri is None:
                break
            answer = session.get(sb.url + uri, timeout=10)
            assert answer.status_code == 200, answer.text
            body = answer.json()
            seen += [o["orderId"] for o in body["items"]]
            uri = (body["links"].get("next") or {}).get("uri")
    assert seen == stored_ids(sb, BIG)
    assert not any(e["replayed"] for e in history_requests(sb))


def test_a_true_replay_still_replays(sb: Sandbox) -> None:
    """The same method, target and correlation ID: Adobe's stored first answer, even after the
    history changed; the same ID on another target is answered afresh."""
    target = f"{sb.url}/v3/customers/{BIG}/orders?start-date=2010-01-01&limit=5"
    with raw_session(sb) as session:
        first = session.get(target, timeout=10).json()
        sb.state.quirks.renew_after(BIG, pages=1)  # counted from now: the next answered page
        other = session.get(target + "&offset=5", timeout=10)
        again = session.get(target, timeout=10).json()
        assert len(sb.quirks.created) == 1
        fresh = session.get(target, timeout=10, headers={"X-Correlation-Id": "a-new-intent",
                                                        "X-Request-Id": "a-new-request"}).json()
        # The same request ID with a new correlation ID is still Adobe's duplicate-request error.
        duplicate = session.get(target + "&offset=10", timeout=10, headers={"X-Correlation-Id": "another"})
    assert other.status_code == 200 and other.json()["offset"] == 5
    assert again == first and again["totalCount"] == 300
    assert fresh["totalCount"] == 301 and fresh["items"][0]["orderId"] == sb.quirks.created[0]["orderId"]
    assert duplicate.status_code == 400 and duplicate.json()["code"] == "4120"
    assert [e["replayed"] for e in history_requests(sb)] == [False, False, True, False, False]


# -- renewals name the order they renew ------------------------------------------------------------

def test_renewals_reference_the_order_they_renew_and_the_frame_and_browser_show_it() -> None:
    from adobe_orders.widgets.browser import OrderBrowser

    with Sandbox() as sb:
        client = sb.client()
        customer = max(Counter(o["customerId"] for o in sb.orders).items(), key=lambda kv: kv[1])[0]
        frame = fetch_orders(customer, client, progress=False)
        renewals = frame[frame["order_type"] == "RENEWAL"]
        assert len(renewals) >= 3
        ids = set(frame["orderId"])
        assert renewals["reference_order_id"].notna().all() and set(renewals["reference_order_id"]) <= ids
        # Each renews an older complete order of the same customer.
        by_id = frame.set_index("orderId")
        for _, row in renewals.iterrows():
            renewed = by_id.loc[row["reference_order_id"]]
            assert renewed["creation_date"] < row["creation_date"] and renewed["status"] == "1000"
        browser = OrderBrowser(client)
        browser.customers.value = customer
        browser.order_type.value = "RENEWAL"
        browser.search_button.click()
        assert browser.frame is not None
        assert list(browser.frame["reference_order_id"]) == list(renewals["reference_order_id"])
        assert list(browser.grid._df["reference_order_id"]) == list(renewals["reference_order_id"])


def test_a_server_that_stops_linking_before_its_total_names_the_customer(sb: Sandbox) -> None:
    """The first page says 300 orders, holds 100 and links nowhere: the customer is named as
    failed with what was read and what was promised, not returned with 100 rows."""
    from adobe_orders.sandbox import history as emulated

    real = emulated._page

    def unlinked(state, customer_id, query, path):  # type: ignore[no-untyped-def]
        status, body = real(state, customer_id, query, path)
        if status == 200 and customer_id == BIG:
            body["links"].pop("next", None)
        return status, body

    emulated._page = unlinked  # type: ignore[assignment]
    try:
        frame = fetch_orders([BIG, OTHER], sb.client(), workers=2, progress=False)
    finally:
        emulated._page = real  # type: ignore[assignment]
    assert "read 100 orders where Adobe's totalCount said 300" in frame.attrs["failed_customers"][BIG]
    assert BIG not in set(frame["customerId"]) and len(frame) == 300


def test_the_sandbox_command_serves_capped_pages_without_total_count(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``adobe-orders sandbox --page-cap 50 --no-total-count``: the hostile history for other
    clients, out of process; our own client still reads the demo's largest customer whole."""
    import signal
    import subprocess
    import sys

    from adobe_orders import OrdersClient, Settings

    proc = subprocess.Popen([sys.executable, "-m", "adobe_orders.cli", "sandbox", "--page-cap", "50",
                             "--no-total-count", "--state", str(tmp_path / "state.json")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=default_sigint)
    try:
        lines = [proc.stdout.readline().strip() for _ in range(6)]  # type: ignore[union-attr]
        values = dict(line.split("=", 1) for line in lines if line.startswith("ADOBE_VIPM_"))
        with Sandbox() as reference:  # the same seeded demo data, served the ordinary way
            counts = Counter(o["customerId"] for o in reference.orders)
            customer = max(counts, key=lambda c: counts[c])
            expected = [o.order_id for o in reference.client().list_orders(customer)]
        client = OrdersClient(Settings.from_env(values))
        page = next(iter(client.history_pages(customer, page_size=100)))
        assert page.count == 50 and page.total is None and page.more
        assert [o.order_id for o in client.list_orders(customer)] == expected and len(expected) > 100
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=EXIT_SECONDS)
    assert proc.returncode == 0


# -- an order leaving a filtered history while it is read ------------------------------------------

def complete_after(sb: Sandbox, customer: str, order_id: str, *, pages: int) -> None:
    """Right after the customer's ``pages``-th history page is answered, ``order_id`` (pending, on the
    first page) completes: it leaves a ``status=1002`` history and every later order moves up one place."""
    quirks, served = sb.state.quirks, sb.state.quirks.page_served
    seen: list[bool] = []

    def page_served(state, customer_id):  # type: ignore[no-untyped-def]
        served(state, customer_id)
        if customer_id == customer:
            seen.append(True)
            if len(seen) == pages:
                state.add_orders([{**state.get(customer, order_id), "status": "1000"}])

    quirks.page_served = page_served  # type: ignore[method-assign]


@pytest.mark.parametrize("read, after", [("fetch_orders", 1), ("fetch_orders", 2), ("list_orders", 1)])
def test_an_order_completing_mid_read_without_total_count_loses_no_pending_order(read: str, after: int) -> None:
    """No ``totalCount`` to compare with, and an order already read leaves the filter: every later
    offset moves up one, and the order at the first page boundary would fall between two pages."""
    with hostile(page_cap=50, omit_total_count=True) as sb:
        sb.state.add_orders([{**o, "status": "1002"} for o in sb.orders if o["customerId"] == BIG])
        first = stored_ids(sb, BIG)[0]
        complete_after(sb, BIG, first, pages=after)  # fetch_orders' chained walk starts at its 2nd page
        if read == "fetch_orders":
            frame = fetch_orders([BIG], sb.client(), status="1002", workers=4, progress=False)
            assert frame.attrs["failed_customers"] == {}
            got = list(frame["orderId"])
        else:
            got = [o.order_id for o in sb.client().list_orders(BIG, status="1002")]
        pending = [o for o in stored_ids(sb, BIG) if sb.order(BIG, o)["status"] == "1002"]  # type: ignore[index]
        assert len(pending) == 299 and [o for o in got if o != first] == pending
