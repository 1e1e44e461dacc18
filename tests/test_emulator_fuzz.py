"""The emulator fuzzed against its own OpenAPI document: no 5xx but injected ones, no crash,
every answer in a documented shape."""

from __future__ import annotations

import http.client
import json
import uuid
from importlib import resources
from urllib.parse import quote

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adobe_orders.sandbox import Sandbox

SPEC = json.loads(resources.files("adobe_orders.sandbox").joinpath("openapi.json").read_text())


def schema(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}", "components": SPEC["components"]}


@pytest.fixture(scope="module")
def sb():
    with Sandbox() as box:
        yield box


def test_document_is_valid_openapi_shape() -> None:
    assert SPEC["openapi"].startswith("3.")
    assert "/v3/customers/{customerId}/orders/{orderId}" in SPEC["paths"]
    for name in SPEC["components"]["schemas"]:
        jsonschema.Draft7Validator.check_schema(schema(name))


def test_seeded_orders_match_the_order_schema(sb) -> None:
    for order in sb.orders:
        jsonschema.validate(order, schema("Order"))


segment = st.one_of(
    st.sampled_from(["0001000000", "0123456000", "9876500131", "911000029", "D9200008007", "..", "%2F", "x"]),
    st.text(min_size=0, max_size=45),
)
header_value = st.one_of(st.none(), st.text(max_size=60), st.just("application/json"))
body = st.one_of(
    st.none(),
    st.binary(max_size=200),
    st.builds(lambda v: json.dumps({"externalReferenceId": v}).encode(), st.text(max_size=50)),
    st.builds(lambda d: json.dumps(d).encode(),
              st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(["GET", "PATCH", "POST", "PUT", "DELETE"]),
       route=st.sampled_from(["order", "orders", "token", "other"]), customer=segment, order=segment,
       query=st.text(max_size=20), body=body, api_key=st.booleans(), token=st.sampled_from(["good", "bad", "none"]),
       correlation=st.sampled_from(["new", "none", "fixed"]), accept=header_value)
def test_fuzzed_requests_get_documented_answers(sb, method, route, customer, order, query, body, api_key, token,
                                                correlation, accept) -> None:
    c, o = quote(customer, safe=""), quote(order, safe="")
    path = {"order": f"/v3/customers/{c}/orders/{o}", "orders": f"/v3/customers/{c}/orders?{quote(query, safe='=&')}",
            "token": "/ims/token/v3", "other": f"/{c}"}[route]
    headers = {"X-Request-Id": str(uuid.uuid4())}
    if api_key:
        headers["X-Api-Key"] = sb.client_id
    if token != "none":
        headers["Authorization"] = "Bearer " + (sb.state.issue_token(sb.client_id) if token == "good" else "forged")
    if correlation != "none":
        headers["X-Correlation-Id"] = "fixed-fuzz" if correlation == "fixed" else str(uuid.uuid4())
    if accept is not None:
        headers["Accept"] = accept
    conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers)
    except (ValueError, http.client.InvalidURL, UnicodeEncodeError):
        conn.close()
        return  # http.client itself refuses this request; nothing reached the server
    resp = conn.getresponse()
    raw = resp.read()
    conn.close()
    assert resp.status < 500, (resp.status, raw[:200])
    payload = json.loads(raw)
    if route == "token":
        if method != "POST":
            jsonschema.validate(payload, schema("Error"))
        else:
            jsonschema.validate(payload, schema("Token" if resp.status == 200 else "OAuthError"))
    elif resp.status == 200 and correlation == "fixed":
        # a reused correlation ID replays the first answer it got, whichever route that was
        jsonschema.validate(payload, {"oneOf": [schema("OrderPage"), schema("Order")],
                                      "components": SPEC["components"]})
    elif resp.status == 200:
        jsonschema.validate(payload, schema("OrderPage" if route == "orders" else "Order"))
    else:
        jsonschema.validate(payload, schema("Error"))


def test_still_serving_after_the_fuzzing(sb) -> None:
    assert sb.client().get_order("0001000000", "0123456000").order_id == "0123456000"
    assert not [e for e in sb.requests if e.get("status") and e["status"] >= 500]
