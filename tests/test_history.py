"""Order history as Adobe serves it (emulator, raw HTTP) and as OrdersClient.list_orders walks it."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, date, datetime

import pytest
import requests

from adobe_orders.client import HISTORY_START, _next_link
from adobe_orders.errors import BadRequestError, NotFoundError, ResponseShapeError
from adobe_orders.sandbox import Sandbox
from adobe_orders.sandbox.data import anniversary_on_or_before, customer_anniversaries, parse_stamp

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
BIG = "9876500262"  # more than 250 orders over six years
SMALL = "0001000000"


@pytest.fixture(scope="module")
def sb():
    with Sandbox(now=NOW) as box:
        yield box


def api_headers(sb) -> dict[str, str]:
    """Headers for one call to the emulator's API, with a fresh token and fresh IDs."""
    token = requests.post(f"{sb.url}/ims/token/v3", data={"grant_type": "client_credentials",
                                                          "client_id": sb.client_id,
                                                          "client_secret": sb.client_secret}, timeout=5)
    return {"X-Api-Key": sb.client_id, "Authorization": f"Bearer {token.json()['access_token']}",
            "Accept": "application/json", "Content-Type": "application/json",
            "X-Request-Id": str(uuid.uuid4()), "X-Correlation-Id": str(uuid.uuid4())}


def get(sb, customer: str, query: str = "") -> requests.Response:
    return requests.get(f"{sb.url}/v3/customers/{customer}/orders{'?' + query if query else ''}",
                        headers=api_headers(sb), timeout=10)


def stored(sb, customer: str) -> list[dict]:
    """The customer's orders newest first, straight from the emulator's store."""
    return sorted((o for o in sb.orders if o["customerId"] == customer),
                  key=lambda o: (o["creationDate"], o["orderId"]), reverse=True)


def error(resp: requests.Response, status: int, code: str, message: str) -> None:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert (body["code"], body["message"]) == (code, message) and isinstance(body["additionalDetails"], list)


# -- the emulator ---------------------------------------------------------------------------------

def test_default_start_date_is_the_current_term_and_newest_first(sb) -> None:
    term = anniversary_on_or_before(customer_anniversaries(sb.orders)[BIG], NOW.date())
    expected = [o["orderId"] for o in stored(sb, BIG) if parse_stamp(o["creationDate"]).date() >= term]
    body = get(sb, BIG, "limit=100").json()
    assert 0 < body["totalCount"] == len(expected) < len(stored(sb, BIG))
    assert [o["orderId"] for o in body["items"]] == expected[:100]
    dates = [o["creationDate"] for o in body["items"]]
    assert dates == sorted(dates, reverse=True)


def test_limit_default_cap_and_zero(sb) -> None:
    everything = "start-date=2000-01-01"
    assert get(sb, BIG, everything).json()["limit"] == 25 and len(get(sb, BIG, everything).json()["items"]) == 25
    capped = get(sb, BIG, everything + "&limit=500").json()
    assert capped["limit"] == 100 and capped["count"] == 100 and capped["totalCount"] > 250
    assert get(sb, BIG, everything + "&limit=" + "9" * 20).json()["limit"] == 100  # huge is capped, not refused
    for bad in ("0", "-1", "ten", ""):
        error(get(sb, BIG, f"{everything}&limit={bad}"), 400, "1132", "Invalid value for search parameter")


def test_offset_past_the_end_is_1133(sb) -> None:
    total = get(sb, BIG, "start-date=2000-01-01").json()["totalCount"]
    last = get(sb, BIG, f"start-date=2000-01-01&offset={total - 1}").json()
    assert last["count"] == 1 and "next" not in last["links"] and "prev" in last["links"]
    for offset in (total, total + 50):
        error(get(sb, BIG, f"start-date=2000-01-01&offset={offset}"), 400, "1133", "Offset out of range")
    error(get(sb, BIG, "start-date=2000-01-01&offset=-2"), 400, "1132", "Invalid value for search parameter")
    empty = get(sb, BIG, "start-date=2000-01-01&order-type=TRANSFER").json()  # no TRANSFER for this one
    assert empty["totalCount"] == 0 and empty["items"] == [] and "next" not in empty["links"]
    error(get(sb, BIG, "start-date=2000-01-01&order-type=TRANSFER&offset=1"), 400, "1133", "Offset out of range")


@pytest.mark.parametrize("query", ["order-type=RENEW", "order-type=new", "status=1001", "status=complete",
                                   "start-date=2024-13-01", "start-date=yesterday", "end-date=2024-05-01T10:00:00",
                                   "fetch-price=yes", "offer-id=../x", "reference-order-id=%2F",
                                   "start-date=2025-01-02&end-date=2025-01-01"])
def test_bad_filter_is_1132(sb, query) -> None:
    error(get(sb, BIG, query), 400, "1132", "Invalid value for search parameter")


def test_unknown_customer_is_1116(sb) -> None:
    error(get(sb, "NOPE1", ""), 404, "1116", "Invalid Customer")


def test_filters_or_within_and_across(sb) -> None:
    every = stored(sb, BIG)

    def ids(query: str) -> list[str]:
        return [o["orderId"] for o in get(sb, BIG, "start-date=2000-01-01&limit=100&" + query).json()["items"]]

    renewals = [o["orderId"] for o in every if o["orderType"] == "RENEWAL"]
    assert ids("order-type=RENEWAL") == renewals and len(renewals) >= 5
    either = [o["orderId"] for o in every if o["orderType"] in ("RENEWAL", "RETURN")]
    assert ids("order-type=RENEWAL&order-type=RETURN") == either[:100] and len(either) > len(renewals)
    failed = [o["orderId"] for o in every if o["status"] in ("1004", "1026")]
    assert ids("status=1004&status=1026") == failed
    both = [o["orderId"] for o in every if o["orderType"] == "NEW" and o["status"] == "1002"]
    assert ids("order-type=NEW&status=1002") == both and both
    year = [o["orderId"] for o in every if "2024-01-01" <= o["creationDate"] <= "2024-12-31T23:59:59Z"]
    assert ids("start-date=2024-01-01&end-date=2024-12-31T23:59:59Z") == year
    returned = next(o for o in every if o["orderType"] == "RETURN")
    assert ids(f"reference-order-id={returned['referenceOrderId']}") == [returned["orderId"]]
    offer = every[0]["lineItems"][0]["offerId"]
    assert ids(f"offer-id={offer}") == [o["orderId"] for o in every
                                        if offer in {li["offerId"] for li in o["lineItems"]}][:100]


def test_links_keep_filters_and_walk_every_page(sb) -> None:
    first = get(sb, BIG, "start-date=2000-01-01&order-type=NEW&limit=40").json()
    assert "prev" not in first["links"] and first["links"]["next"]["uri"].startswith(f"/v3/customers/{BIG}/orders?")
    seen, page = [], first
    for _ in range(20):
        seen += [o["orderId"] for o in page["items"]]
        if "next" not in page["links"]:
            break
        query = page["links"]["next"]["uri"].split("?", 1)[1]
        assert "order-type=NEW" in query and "limit=40" in query
        page = get(sb, BIG, query).json()
        assert page["links"]["prev"]["uri"]
    assert seen == [o["orderId"] for o in stored(sb, BIG) if o["orderType"] == "NEW"]
    assert all(o["links"]["self"]["uri"] == f"/v3/customers/{BIG}/orders/{o['orderId']}" for o in first["items"])


def test_pricing_only_with_fetch_price_and_in_adobes_shape(sb) -> None:
    plain = get(sb, BIG, "start-date=2000-01-01&limit=100").json()["items"]
    assert not any("pricingSummary" in o or any("pricing" in li or "proratedDays" in li for li in o["lineItems"])
                   for o in plain)
    priced = get(sb, BIG, "start-date=2000-01-01&limit=100&fetch-price=true").json()["items"]
    for order in priced:
        single = len({li["currencyCode"] for li in order["lineItems"]}) == 1
        if order["status"] == "1000" and single:
            (summary,) = order["pricingSummary"]
            assert summary["currencyCode"] == order["lineItems"][0]["currencyCode"]
            total = 0.0
            for li in order["lineItems"]:
                p = li["pricing"]
                assert set(p) == {"partnerPrice", "discountedPartnerPrice", "netPartnerPrice", "lineItemPartnerPrice"}
                assert p["partnerPrice"] >= p["discountedPartnerPrice"] >= p["netPartnerPrice"] > 0
                assert 1 <= li["proratedDays"] <= 366
                total += p["lineItemPartnerPrice"]
            assert summary["totalLineItemPartnerPrice"] == pytest.approx(total, abs=0.05)
        else:
            assert "pricingSummary" not in order and not any("pricing" in li for li in order["lineItems"])
    assert any("pricingSummary" in o for o in priced) and any("pricingSummary" not in o for o in priced)


def test_data_looks_like_adobes(sb) -> None:
    orders = sb.orders
    by_id = {(o["customerId"], o["orderId"]): o for o in orders}
    counts = Counter(o["customerId"] for o in orders)
    assert sum(n > 100 for n in counts.values()) >= 3 and max(counts.values()) > 250
    years = {o["creationDate"][:4] for o in orders if o["customerId"] == BIG and o["orderType"] == "RENEWAL"}
    assert len(years) >= 5
    for o in orders:
        assert "pricing" not in o and "pricingSummary" not in o
        for li in o["lineItems"]:
            if o["status"] == "1002":
                assert li["subscriptionId"] == ""
            else:
                assert len(li["subscriptionId"]) == 32
        if o["orderType"] == "RETURN":
            ref = by_id[(o["customerId"], o["referenceOrderId"])]
            assert ref["orderType"] in ("NEW", "RENEWAL") and ref["creationDate"] < o["creationDate"]
            assert (parse_stamp(o["creationDate"]) - parse_stamp(ref["creationDate"])).days <= 14
        elif o["orderType"] == "REVERT_SWITCH":
            assert by_id[(o["customerId"], o["referenceOrderId"])]["orderType"] == "SWITCH"
        elif o["orderType"] == "SWITCH":
            assert o["cancellingItems"] and all(len(ci["subscriptionId"]) == 32 for ci in o["cancellingItems"])
        elif o["orderType"] == "RENEWAL":
            # A renewal names the order it renews: the term's first order or the renewal before it,
            # of the same customer, older, and itself complete.
            ref = by_id[(o["customerId"], o["referenceOrderId"])]
            assert ref["orderType"] in ("NEW", "TRANSFER", "RENEWAL") and ref["status"] == "1000"
            assert ref["creationDate"] < o["creationDate"]
        else:
            assert o["referenceOrderId"] == ""
    refs = [o["externalReferenceId"] for o in orders]
    assert any(len(r) == 18 and r.isdigit() for r in refs) and any(len(r) == 35 for r in refs)
    assert refs.count("") > len(refs) // 10 and all(len(r) <= 35 for r in refs)
    assert {"RETURN", "SWITCH", "REVERT_SWITCH", "TRANSFER", "RENEWAL", "NEW"} <= {o["orderType"] for o in orders}


def test_error_wording_is_adobes(sb) -> None:
    h = {"X-Api-Key": "nope", "Accept": "application/json"}
    r = requests.get(f"{sb.url}/v3/customers/{SMALL}/orders", headers=h, timeout=5)
    error(r, 403, "4115", "API key is invalid or missing")
    r = requests.get(f"{sb.url}/v3/customers/{SMALL}/orders", headers={"X-Api-Key": sb.client_id}, timeout=5)
    error(r, 403, "4117", "Authorization token is missing")
    r = requests.get(f"{sb.url}/v3/customers/{SMALL}/orders",
                     headers={"X-Api-Key": sb.client_id, "Authorization": "Bearer forged"}, timeout=5)
    error(r, 401, "4116", "Authorization token is invalid")


# -- the client -----------------------------------------------------------------------------------

def test_list_orders_returns_every_order_across_pages(sb) -> None:
    sb.clear_log()
    with sb.client() as client:
        got = list(client.list_orders(BIG))
    expected = stored(sb, BIG)
    assert [o.order_id for o in got] == [o["orderId"] for o in expected] and len(got) > 250
    calls = [e for e in sb.requests if e["path"] == f"/v3/customers/{BIG}/orders"]
    assert len(calls) == -(-len(expected) // 100)
    assert len({e["correlation_id"] for e in calls}) == len(calls) == len({e["request_id"] for e in calls})


def test_list_orders_sends_an_early_start_date_filters_and_page_size(sb) -> None:
    sb.clear_log()
    with sb.client() as client:
        got = list(client.list_orders(BIG, order_type=["renewal", "RETURN"], status="1000", page_size=7))
    sent = [e["query"] for e in sb.requests if e["path"] == f"/v3/customers/{BIG}/orders"]
    assert f"start-date={HISTORY_START.isoformat()}" in sent[0] and "limit=7" in sent[0]
    assert "order-type=RENEWAL&order-type=RETURN" in sent[0] and "status=1000" in sent[0]
    assert len(sent) == -(-len(got) // 7) and len(got) > 7
    assert [o.order_id for o in got] == [o["orderId"] for o in stored(sb, BIG)
                                         if o["orderType"] in ("RENEWAL", "RETURN") and o["status"] == "1000"]


def test_list_orders_dates_and_fetch_price(sb) -> None:
    with sb.client() as client:
        got = list(client.list_orders(BIG, start_date=date(2024, 1, 1), end_date=datetime(2024, 12, 31, 23, 59, 59)))
        priced = list(client.list_orders(BIG, start_date="2025-06-01", fetch_price=True, status="1000"))
        one = client.get_order(priced[0].customer_id, priced[0].order_id, fetch_price=True)
        plain = client.get_order(priced[0].customer_id, priced[0].order_id)
    assert got and all("2024-01-01" <= o.creation_date <= "2024-12-31T23:59:59Z" for o in got)
    assert all(o.creation_date >= "2025-06-01" for o in priced)
    assert any("pricingSummary" in o.extra for o in priced)
    if "pricingSummary" in priced[0].extra:
        assert one.extra["pricingSummary"] == priced[0].extra["pricingSummary"]
    assert "pricingSummary" not in plain.extra and "pricing" not in plain.line_items[0].extra


def test_list_orders_errors(sb) -> None:
    sb.clear_log()
    with sb.client() as client:
        with pytest.raises(NotFoundError) as e:
            list(client.list_orders("NOPE1"))
        assert e.value.code == "1116"
        with pytest.raises(BadRequestError) as e:
            list(client.list_orders(BIG, status="9999"))
        assert e.value.code == "1132"
        before = len(sb.requests)
        for bad in ({"page_size": 0}, {"page_size": 101}, {"order_type": "NEW&status=1"}, {"start_date": "soon"}):
            with pytest.raises(ValueError):
                list(client.list_orders(BIG, **bad))
        assert len(sb.requests) == before  # nothing sent for refused arguments


def test_list_orders_retries_a_failed_page_with_a_new_correlation_id() -> None:
    with Sandbox(now=NOW, faults={"error_500": 0.35}, fault_seed=3) as box:
        client = box.client(sleep=lambda s: None)
        got = list(client.list_orders(BIG))
        log = [e for e in box.requests if e["path"].endswith("/orders")]
        expected = stored(box, BIG)
    assert [o.order_id for o in got] == [o["orderId"] for o in expected]
    assert any(e["status"] == 500 for e in log)
    assert len({e["correlation_id"] for e in log}) == len(log)


def test_next_link_is_only_followed_within_the_customers_history() -> None:
    assert _next_link(f"/v3/customers/{BIG}/orders?offset=100&limit=100", BIG)[1] == [("offset", "100"),
                                                                                       ("limit", "100")]
    for uri in ("https://evil.example/v3/customers/X/orders", f"//evil.example/v3/customers/{BIG}/orders",
                "/v3/customers/OTHER1/orders?offset=1", "/_sandbox/requests"):
        with pytest.raises(ResponseShapeError):
            _next_link(uri, BIG)


def test_priced_pages_match_the_openapi_document(sb) -> None:
    import json
    from importlib import resources

    import jsonschema

    spec = json.loads(resources.files("adobe_orders.sandbox").joinpath("openapi.json").read_text())
    page = get(sb, BIG, "start-date=2000-01-01&limit=100&offset=100&fetch-price=true").json()
    jsonschema.validate(page, {"$ref": "#/components/schemas/OrderPage", "components": spec["components"]})
    names = {p["name"] for p in spec["paths"]["/v3/customers/{customerId}/orders"]["get"]["parameters"]}
    assert {"order-type", "status", "start-date", "end-date", "fetch-price", "limit", "offset"} <= names


def test_a_history_page_is_not_an_order(sb) -> None:
    from adobe_orders.models import Order

    page = get(sb, SMALL, "start-date=2000-01-01").json()
    with pytest.raises(ResponseShapeError, match="page of order history"):
        Order.from_api(page)
    for wrong in ([page["items"][0]], {"code": "2115", "message": "x"}, "text"):
        with pytest.raises(ResponseShapeError):
            Order.from_api(wrong)  # type: ignore[arg-type]
    assert Order.from_api(page["items"][0]).order_id == page["items"][0]["orderId"]


def test_reseller_filter_and_fetch_price_value_on_get_order(sb) -> None:
    from adobe_orders.sandbox.history import RESELLER_ID

    everything = get(sb, SMALL, "start-date=2000-01-01&limit=100").json()["totalCount"]
    assert get(sb, SMALL, f"start-date=2000-01-01&reseller-id={RESELLER_ID}").json()["totalCount"] == everything
    assert get(sb, SMALL, "start-date=2000-01-01&reseller-id=1000000001").json()["totalCount"] == 0
    order = stored(sb, SMALL)[-1]["orderId"]
    token = requests.post(f"{sb.url}/ims/token/v3", data={"grant_type": "client_credentials",
                                                          "client_id": sb.client_id,
                                                          "client_secret": sb.client_secret}, timeout=5)
    h = {"X-Api-Key": sb.client_id, "Authorization": f"Bearer {token.json()['access_token']}",
         "Accept": "application/json", "X-Request-Id": str(uuid.uuid4()), "X-Correlation-Id": str(uuid.uuid4())}
    r = requests.get(f"{sb.url}/v3/customers/{SMALL}/orders/{order}?fetch-price=yes", headers=h, timeout=5)
    error(r, 400, "1132", "Invalid value for search parameter")


def test_an_order_arriving_while_paging_is_yielded_once() -> None:
    with Sandbox(now=NOW) as box:
        client = box.client()
        walk = client.list_orders(SMALL, page_size=4)
        first = [next(walk) for _ in range(4)]
        newest = dict(stored(box, SMALL)[0], orderId="911999999", creationDate="2026-11-21T00:00:00Z")
        with box.state.lock:  # Adobe creates an order between our first and second page
            box.state.orders[(SMALL, "911999999")] = newest
        rest = list(walk)
    ids = [o.order_id for o in first + rest]
    assert len(ids) == len(set(ids)) == len(stored(box, SMALL)) - 1  # the new one came after our first page
    assert "911999999" not in ids


def test_every_contract_error_uses_adobes_wording() -> None:
    with Sandbox(now=NOW) as box:
        token = requests.post(f"{box.url}/ims/token/v3", data={"grant_type": "client_credentials",
                                                               "client_id": box.client_id,
                                                               "client_secret": box.client_secret}, timeout=5)
        base = {"X-Api-Key": box.client_id, "Authorization": f"Bearer {token.json()['access_token']}",
                "Accept": "application/json", "Content-Type": "application/json"}
        url = f"{box.url}/v3/customers/{SMALL}/orders/0123456000"

        def call(method: str = "GET", body: str | None = None, **headers: str) -> requests.Response:
            h = {**base, "X-Request-Id": str(uuid.uuid4()), "X-Correlation-Id": str(uuid.uuid4()), **headers}
            return requests.request(method, url, data=body, headers={k: v for k, v in h.items() if v}, timeout=5)

        error(call(**{"X-Correlation-Id": ""}), 400, "4119", "Correlation ID is Invalid or Missing")
        rid = str(uuid.uuid4())
        assert call(**{"X-Request-Id": rid}).status_code == 200
        error(call(**{"X-Request-Id": rid}), 400, "4120",
              "Duplicate request id, same requestId has already been processed")
        error(call("PATCH", '{"externalReferenceId": "A", "status": "1"}'), 400, "1121",
              "Request contains additional unexpected fields.")
        error(call("PATCH", "{}"), 400, "1122", "Request is missing required fields")
        error(call("PATCH", '{"externalReferenceId": "' + "x" * 36 + '"}'), 400, "2126",
              "externalReferenceId exceeds maximum character limit")
        error(call("PATCH", '{"externalReferenceId": 5}'), 400, "1117", "Some Fields are Invalid")
        box.faults.set_rates({"error_500": 1.0})
        error(call(), 500, "1124", "Internal Server Error. Please try again later")


def test_history_pages_follow_every_change_to_the_stored_orders(tmp_path) -> None:
    """The emulator keeps each customer's orders indexed for history pages; the index must never
    serve a stale page: an order replaced by ``add_orders`` (same count), a PATCH, and orders
    another process added to a shared state file all show on the next page."""
    from adobe_orders.sandbox.state import EmulatorState

    path = tmp_path / "state.json"
    with Sandbox(now=NOW, state_file=path) as box:
        before = get(box, SMALL, "start-date=2000-01-01&limit=100").json()["items"]
        oldest = dict(box.order(SMALL, before[-1]["orderId"]), creationDate="2026-11-27T00:00:00Z")
        box.state.add_orders([oldest])  # replaces it: same number of orders, a new position
        after = get(box, SMALL, "start-date=2000-01-01&limit=100").json()["items"]
        assert after[0]["orderId"] == oldest["orderId"] and len(after) == len(before)
        box.client().update_order(SMALL, after[1]["orderId"], "PO-INDEX-1")
        assert get(box, SMALL, "start-date=2000-01-01&limit=2").json()["items"][1]["externalReferenceId"] == \
            "PO-INDEX-1"
        other = EmulatorState(state_file=path, now=NOW)  # a second emulator process on the same file
        new = [dict(before[0], customerId="0004400000", orderId=f"44000000{i}", creationDate=day)
               for i, day in enumerate(["2024-03-01T00:00:00Z", "2025-06-01T00:00:00Z", "2026-05-01T00:00:00Z"], 1)]
        for order in new:
            order.pop("links", None)
        other.add_orders(new)
        page = get(box, "0004400000", "start-date=2000-01-01")
        assert page.status_code == 200, page.text
        assert [o["orderId"] for o in page.json()["items"]] == ["440000003", "440000002", "440000001"]
        # Adobe's default start is the customer's current term: its anniversary is known here too.
        assert [o["orderId"] for o in get(box, "0004400000").json()["items"]] == ["440000003"]


def test_latency_is_half_before_handling_and_half_before_the_answer() -> None:
    """A fixed latency is the network's, half each way: the order changes half-way, the answer comes
    at the full latency. (So many calls at once do not queue behind the emulator's own work.)"""
    import threading
    import time

    with Sandbox(now=NOW, latency=1.2) as box:
        order = stored(box, SMALL)[0]["orderId"]
        h = api_headers(box)
        answers: list[tuple[float, requests.Response]] = []

        def patch() -> None:
            answer = requests.patch(f"{box.url}/v3/customers/{SMALL}/orders/{order}",
                                    json={"externalReferenceId": "PO-HALFWAY"}, headers=h, timeout=10)
            answers.append((time.monotonic(), answer))

        start = time.monotonic()
        call = threading.Thread(target=patch)
        call.start()
        looks: list[tuple[float, bool, bool]] = []  # (when the look ended, changed, answered after that)
        while call.is_alive():
            changed = box.order(SMALL, order)["externalReferenceId"] == "PO-HALFWAY"
            looks.append((time.monotonic(), changed, bool(answers)))
            time.sleep(0.01)
        call.join(10)
        # Bounds a busy machine cannot break (it only makes things later): the order is untouched in any
        # look that ended before half the latency; it was seen changed while the answer was still on its way
        # (the change is read first, so it came before the answer); the answer came after the whole latency.
        assert not [look for look in looks if look[0] < start + 0.6 and look[1]]
        assert any(changed and not answered for _, changed, answered in looks), looks
        assert answers[0][0] - start >= 1.2 and answers[0][1].status_code == 200
