"""The emulator's own rules, exercised with raw requests calls (no adobe_orders client)."""

from __future__ import annotations

import json
import uuid

import pytest
import requests

CUSTOMER, ORDER = "0001000000", "0123456000"


def token(sb) -> str:
    r = requests.post(f"{sb.url}/ims/token/v3", data={"grant_type": "client_credentials", "client_id": sb.client_id,
                                                      "client_secret": sb.client_secret, "scope": "x"}, timeout=5)
    assert r.status_code == 200 and r.json()["token_type"] == "bearer" and r.json()["expires_in"] > 0
    return r.json()["access_token"]


def headers(sb, tok: str | None = None, **extra: str | None) -> dict[str, str]:
    h = {"X-Api-Key": sb.client_id, "Authorization": f"Bearer {tok or token(sb)}", "Accept": "application/json",
         "Content-Type": "application/json", "X-Request-Id": str(uuid.uuid4()),
         "X-Correlation-Id": str(uuid.uuid4())}
    h.update(extra)
    return {k: v for k, v in h.items() if v is not None}


def url(sb, customer: str = CUSTOMER, order: str = ORDER) -> str:
    return f"{sb.url}/v3/customers/{customer}/orders/{order}"


def assert_error(resp: requests.Response, status: int, code: str) -> None:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["code"] == code and isinstance(body["message"], str) and isinstance(body["additionalDetails"], list)


def test_token_route_refuses_bad_credentials(sandbox) -> None:
    r = requests.post(f"{sandbox.url}/ims/token/v3", data={"grant_type": "client_credentials",
                                                           "client_id": sandbox.client_id, "client_secret": "no"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    r = requests.post(f"{sandbox.url}/ims/token/v3", data={"grant_type": "password"})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [({"X-Api-Key": None}, 403, "4115"), ({"X-Api-Key": "unknown"}, 403, "4115"),
     ({"Authorization": None}, 403, "4117"), ({"Authorization": "Bearer forged"}, 401, "4116"),
     ({"X-Correlation-Id": None}, 400, "4119")],
)
def test_header_checks(sandbox, change, status, code) -> None:
    assert_error(requests.get(url(sandbox), headers=headers(sandbox, **change), timeout=5), status, code)


def test_expired_token_is_401(sandbox) -> None:
    tok = token(sandbox)
    sandbox.expire_tokens()
    assert_error(requests.get(url(sandbox), headers=headers(sandbox, tok), timeout=5), 401, "4116")


def test_api_key_is_checked_before_the_token(sandbox) -> None:
    h = headers(sandbox, **{"X-Api-Key": None, "Authorization": None})
    assert_error(requests.get(url(sandbox), headers=h, timeout=5), 403, "4115")


def test_get_returns_the_order_with_a_self_link(sandbox) -> None:
    r = requests.get(url(sandbox), headers=headers(sandbox), timeout=5)
    assert r.status_code == 200
    body = r.json()
    assert body["orderId"] == ORDER and body["customerId"] == CUSTOMER and body["links"]["self"]["uri"]
    assert_error(requests.get(url(sandbox, order="0999"), headers=headers(sandbox), timeout=5), 404, "2115")
    assert_error(requests.get(url(sandbox, customer="C-404"), headers=headers(sandbox), timeout=5), 404, "2115")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [("not json", 400, "1122"), ("{}", 400, "1122"), ("[]", 400, "1122"),
     (json.dumps({"externalReferenceId": "A", "status": "1000"}), 400, "1121"),
     (json.dumps({"externalReferenceId": "x" * 36}), 400, "2126"),
     (json.dumps({"externalReferenceId": 5}), 400, "1117"),
     (json.dumps({"externalReferenceId": "A"}), 200, None)],
)
def test_patch_body_rules(sandbox, body, status, code) -> None:
    before = sandbox.order(CUSTOMER, ORDER)["externalReferenceId"]
    assert before not in ("", "A")
    r = requests.patch(url(sandbox), data=body, headers=headers(sandbox), timeout=5)
    if code:
        assert_error(r, status, code)
        assert sandbox.order(CUSTOMER, ORDER)["externalReferenceId"] == before
    else:
        assert r.status_code == 200 and r.json()["externalReferenceId"] == "A"


def test_unknown_order_patch_is_404_2115(sandbox) -> None:
    r = requests.patch(url(sandbox, order="0999"), json={"externalReferenceId": "A"}, headers=headers(sandbox))
    assert_error(r, 404, "2115")


def test_first_answer_to_a_correlation_id_is_replayed_and_nothing_reapplied(sandbox) -> None:
    tok = token(sandbox)
    corr = str(uuid.uuid4())
    first = requests.patch(url(sandbox), json={"externalReferenceId": "FIRST"},
                           headers=headers(sandbox, tok, **{"X-Correlation-Id": corr}))
    second = requests.patch(url(sandbox), json={"externalReferenceId": "SECOND"},
                            headers=headers(sandbox, tok, **{"X-Correlation-Id": corr}))
    assert first.json() == second.json() and second.json()["externalReferenceId"] == "FIRST"
    assert sandbox.order(CUSTOMER, ORDER)["externalReferenceId"] == "FIRST"
    log = sandbox.requests
    assert [e["replayed"] for e in log] == [False, True] and [e["changed"] for e in log] == [True, False]


def test_error_answers_are_replayed_too(sandbox) -> None:
    tok = token(sandbox)
    corr = str(uuid.uuid4())
    sandbox.faults.queue("error_500")
    a = requests.get(url(sandbox), headers=headers(sandbox, tok, **{"X-Correlation-Id": corr}))
    b = requests.get(url(sandbox), headers=headers(sandbox, tok, **{"X-Correlation-Id": corr}))
    assert a.status_code == b.status_code == 500 and b.json()["code"] == "1124"


def test_duplicate_request_id_with_a_new_correlation_id_is_4120(sandbox) -> None:
    tok = token(sandbox)
    rid = str(uuid.uuid4())
    ok = requests.get(url(sandbox), headers=headers(sandbox, tok, **{"X-Request-Id": rid}))
    assert ok.status_code == 200
    dup = requests.get(url(sandbox), headers=headers(sandbox, tok, **{"X-Request-Id": rid}))
    assert_error(dup, 400, "4120")


def test_inspection_routes_list_requests_and_orders(sandbox) -> None:
    requests.get(url(sandbox), headers=headers(sandbox), timeout=5)
    log = requests.get(f"{sandbox.url}/_sandbox/requests", timeout=5).json()
    orders = requests.get(f"{sandbox.url}/_sandbox/orders", timeout=5).json()
    assert isinstance(log, list) and log[0]["path"] == f"/v3/customers/{CUSTOMER}/orders/{ORDER}"
    assert isinstance(orders, list) and len(orders) >= 300


def test_seeded_data_is_varied_and_deterministic(sandbox) -> None:
    from adobe_orders.sandbox.data import seed_orders

    orders = sandbox.orders
    assert orders == seed_orders(2026)
    assert len(orders) >= 300 and len({o["customerId"] for o in orders}) >= 24
    assert any(o["orderId"].startswith("0") for o in orders) and any(o["orderId"][0].isalpha() for o in orders)
    assert {o["source"] for o in orders} == {"API", "System"}
    assert len({o["orderType"] for o in orders}) >= 5 and len({o["status"] for o in orders}) >= 5
    assert any(o["externalReferenceId"] == "" for o in orders)
    assert len({len(o["lineItems"]) for o in orders}) >= 4


def test_faults_leave_token_and_inspection_routes_clean(sandbox) -> None:
    sandbox.faults.set_rates({"error_500": 1.0})
    token(sandbox)  # asserts 200 inside
    assert requests.get(f"{sandbox.url}/_sandbox/orders", timeout=5).status_code == 200
    assert requests.get(url(sandbox), headers=headers(sandbox), timeout=5).status_code == 500


def test_faults_follow_their_seed(sandbox) -> None:
    from adobe_orders.sandbox.faults import Faults

    a = Faults({"error_500": 0.3, "drop_before": 0.2}, seed=7)
    b = Faults({"error_500": 0.3, "drop_before": 0.2}, seed=7)
    rolls = [a.roll() for _ in range(200)]
    assert rolls == [b.roll() for _ in range(200)]
    assert 40 < rolls.count("error_500") < 80 and 20 < rolls.count("drop_before") < 60
    with pytest.raises(ValueError):
        Faults({"explode": 0.1})


def test_state_file_persists_changes(tmp_path) -> None:
    from adobe_orders.sandbox import Sandbox

    path = tmp_path / "state.json"
    with Sandbox(state_file=path) as sb:
        sb.client().update_order(CUSTOMER, ORDER, "KEPT")
    with Sandbox(state_file=path) as sb:
        assert sb.order(CUSTOMER, ORDER)["externalReferenceId"] == "KEPT"


def test_latency_is_added(sandbox) -> None:
    import time

    sandbox.latency = 0.2
    h = headers(sandbox)
    start = time.perf_counter()
    requests.get(url(sandbox), headers=h, timeout=5)
    assert time.perf_counter() - start >= 0.2


def test_the_readme_counts_the_seeded_orders_and_customers_right() -> None:
    """The README said 914 seeded orders; the emulator serves 961 (and says so when it starts)."""
    import re
    from collections import Counter
    from pathlib import Path

    from adobe_orders.sandbox.data import seed_orders

    readme = (Path(__file__).resolve().parent.parent / "docs" / "emulator.md").read_text(encoding="utf-8")
    said = re.search(r"(\d+) seeded orders of\s+(\d+) customers", readme)
    orders = seed_orders()
    assert said is not None
    assert (int(said[1]), int(said[2])) == (len(orders), len(Counter(o["customerId"] for o in orders)))
    assert sum(n > 100 for n in Counter(o["customerId"] for o in orders).values()) == 3  # "three with more than 100"
