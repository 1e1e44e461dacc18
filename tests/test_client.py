"""The client against the emulator over real HTTP: headers, statuses, retries, tokens."""

from __future__ import annotations

import pytest

from adobe_orders.errors import (
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TransportError,
    ValidationError,
)
from adobe_orders.models import Order
from tests.helpers import v3

CUSTOMER, ORDER = "0001000000", "0123456000"


def test_get_and_update_round_trip(client, sandbox) -> None:
    before = client.get_order(CUSTOMER, ORDER)
    assert isinstance(before, Order) and before.order_id == ORDER and before.customer_id == CUSTOMER
    after = client.update_order(CUSTOMER, ORDER, "PO-NEW-1")
    assert after.external_reference_id == "PO-NEW-1"
    assert sandbox.order(CUSTOMER, ORDER)["externalReferenceId"] == "PO-NEW-1"
    assert len(after.line_items) == len(before.line_items) > 0
    assert after.line_items[0].offer_id == before.line_items[0].offer_id


def test_every_request_carries_every_header_and_a_new_request_id(client, sandbox) -> None:
    sandbox.faults.queue("error_500")
    sandbox.faults.queue("drop_before")
    client.update_order(CUSTOMER, ORDER, "PO-H")
    client.get_order(CUSTOMER, ORDER)
    entries = v3(sandbox)
    assert len(entries) == 4
    for e in entries:
        assert e["accept"] == "application/json"
        assert e["content_type"] == "application/json"
        assert e["has_api_key"] and e["has_authorization"]
        assert e["correlation_id"] and e["request_id"]
    assert len({e["request_id"] for e in entries}) == 4


def test_a_500_is_retried_with_a_new_correlation_id(client, sandbox, sleeps) -> None:
    sandbox.faults.queue("error_500")
    assert client.update_order(CUSTOMER, ORDER, "PO-500").external_reference_id == "PO-500"
    first, second = v3(sandbox)
    assert first["status"] == 500 and second["status"] == 200
    assert first["correlation_id"] != second["correlation_id"]
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= client.backoff.base


@pytest.mark.parametrize("fault", ["error_503", "gateway_504"])
def test_other_5xx_shapes_are_retried_too(client, sandbox, fault) -> None:
    sandbox.faults.queue(fault)
    client.update_order(CUSTOMER, ORDER, "PO-5XX")
    first, second = v3(sandbox)
    assert first["fault"] == fault and second["status"] == 200 and not second["replayed"]
    assert first["correlation_id"] != second["correlation_id"]


def test_a_429_honours_retry_after_and_pauses(client, sandbox, sleeps) -> None:
    sandbox.faults.retry_after = 7
    sandbox.faults.queue("rate_limit")
    client.update_order(CUSTOMER, ORDER, "PO-429")
    assert any(6.5 <= s <= 7.0 for s in sleeps), sleeps
    first, second = v3(sandbox)
    assert first["status"] == 429 and second["status"] == 200
    assert first["correlation_id"] != second["correlation_id"]


def test_other_4xx_are_never_retried(client, sandbox) -> None:
    with pytest.raises(NotFoundError) as info:
        client.update_order(CUSTOMER, "0999999999", "PO-1")
    assert info.value.code == "2115" and info.value.status_code == 404 and info.value.attempts == 1
    assert len(v3(sandbox)) == 1
    assert info.value.request_id == v3(sandbox)[0]["request_id"]


def test_no_answer_keeps_the_correlation_id_and_changes_the_request_id(client, sandbox) -> None:
    sandbox.faults.queue("drop_before")
    client.update_order(CUSTOMER, ORDER, "PO-DROP")
    first, second = v3(sandbox)
    assert first["fault"] == "drop_before" and not first["changed"]
    assert first["correlation_id"] == second["correlation_id"]
    assert first["request_id"] != second["request_id"]
    assert second["status"] == 200 and second["changed"]


def test_drop_after_apply_is_replayed_not_reapplied(client, sandbox) -> None:
    sandbox.faults.queue("drop_after")
    order = client.update_order(CUSTOMER, ORDER, "PO-AFTER")
    assert order.external_reference_id == "PO-AFTER"
    first, second = v3(sandbox)
    assert first["changed"] and not first["answered"]
    assert second["replayed"] and not second["changed"]
    assert first["correlation_id"] == second["correlation_id"]
    assert sandbox.order(CUSTOMER, ORDER)["externalReferenceId"] == "PO-AFTER"


def test_slow_answer_times_out_and_the_retry_gets_the_stored_answer(sandbox) -> None:
    sandbox.faults.slow_seconds = 1.0
    sandbox.faults.queue("slow")
    client = sandbox.client(timeout=0.3, sleep=lambda s: None)
    assert client.update_order(CUSTOMER, ORDER, "PO-SLOW").external_reference_id == "PO-SLOW"
    first, second = v3(sandbox)
    assert first["fault"] == "slow" and second["replayed"]
    assert first["correlation_id"] == second["correlation_id"]


def test_retries_run_out_into_a_typed_error(sandbox) -> None:
    client = sandbox.client(max_retries=2, sleep=lambda s: None)
    sandbox.faults.queue("error_500", 3)
    with pytest.raises(ServerError) as info:
        client.update_order(CUSTOMER, ORDER, "PO-X")
    assert info.value.attempts == 3 and info.value.code == "1124"
    assert "try again later" in str(info.value)
    assert len({e["correlation_id"] for e in v3(sandbox)}) == 3


def test_no_answer_at_all_says_the_change_may_have_been_applied(sandbox) -> None:
    client = sandbox.client(max_retries=1, sleep=lambda s: None)
    sandbox.faults.queue("drop_before", 2)
    with pytest.raises(TransportError) as info:
        client.update_order(CUSTOMER, ORDER, "PO-Y")
    assert info.value.may_have_been_applied
    assert "read the order" in str(info.value)


def test_connection_refused_says_nothing_was_sent(sandbox) -> None:
    client = sandbox.client(max_retries=0)
    client.get_order(CUSTOMER, ORDER)  # token fetched while the server is up
    sandbox.stop()
    with pytest.raises(TransportError) as info:
        client.get_order(CUSTOMER, ORDER)
    assert not info.value.may_have_been_applied


def test_token_is_fetched_once_and_renewed_after_a_401(client, sandbox) -> None:
    for _ in range(5):
        client.get_order(CUSTOMER, ORDER)
    assert client._auth.fetch_count == 1
    sandbox.expire_tokens()
    assert client.update_order(CUSTOMER, ORDER, "PO-RENEW").external_reference_id == "PO-RENEW"
    assert client._auth.fetch_count == 2
    statuses = [e["status"] for e in v3(sandbox)]
    assert statuses[-2:] == [401, 200]


def test_wrong_client_secret_is_an_authentication_error(sandbox) -> None:
    client = sandbox.client(client_secret="wrong-secret-xyz")
    with pytest.raises(AuthenticationError) as info:
        client.get_order(CUSTOMER, ORDER)
    assert info.value.code == "invalid_client"
    assert "wrong-secret-xyz" not in str(info.value) and "wrong-secret-xyz" not in repr(info.value)


def test_unknown_api_key_is_permission_denied(sandbox) -> None:
    token = sandbox.state.issue_token(sandbox.client_id)  # a valid token, sent with another integration's key
    client = sandbox.client(client_id="someone-else", client_secret=None, access_token=token)
    with pytest.raises(PermissionDeniedError) as info:
        client.get_order(CUSTOMER, ORDER)
    assert info.value.code == "4115"


def test_a_ready_access_token_is_used_and_its_refusal_explained(sandbox) -> None:
    from adobe_orders import OrdersClient, Settings

    token = sandbox.state.issue_token(sandbox.client_id)
    settings = Settings(environment="local", base_url=sandbox.url, client_id=sandbox.client_id,
                        access_token=token)
    client = OrdersClient(settings)
    assert client.get_order(CUSTOMER, ORDER).order_id == ORDER
    sandbox.expire_tokens()
    with pytest.raises(AuthenticationError) as info:
        client.get_order(CUSTOMER, ORDER)
    assert token not in str(info.value)


@pytest.mark.parametrize(
    ("customer", "order", "value"),
    [("../x", ORDER, "PO"), (CUSTOMER, "a%2Fb", "PO"), (CUSTOMER, ORDER, "x" * 36), (CUSTOMER, ORDER, ""),
     (CUSTOMER, "12?x=1", "PO"), (CUSTOMER, "12#f", "PO"), (CUSTOMER, ORDER, "PO\r\nX-Injected: 1"),
     ("", ORDER, "PO"), (CUSTOMER, ORDER, "PO\u202e1")],
)
def test_refused_input_sends_nothing(client, sandbox, customer, order, value) -> None:
    with pytest.raises(ValidationError):
        client.update_order(customer, order, value)
    assert sandbox.requests == []


def test_the_emulator_rejects_too_long_values_too(client, sandbox) -> None:
    """If local validation were bypassed, the server's own rule answers 2126 (a typed 400)."""
    with pytest.raises(BadRequestError) as info:
        client._call("PATCH", f"/v3/customers/{CUSTOMER}/orders/{ORDER}", {"externalReferenceId": "x" * 36},
                     None)
    assert info.value.code == "2126" and info.value.status_code == 400 and info.value.attempts == 1


def test_429_error_carries_retry_after(sandbox) -> None:
    client = sandbox.client(max_retries=0)
    sandbox.faults.retry_after = 3
    sandbox.faults.queue("rate_limit")
    with pytest.raises(RateLimitError) as info:
        client.get_order(CUSTOMER, ORDER)
    assert info.value.retry_after == 3.0 and info.value.code == "4118"


def test_idle_connections_dropped_by_the_server_are_retried_transparently(client, sandbox) -> None:
    client.get_order(CUSTOMER, ORDER)
    assert sandbox.drop_connections() >= 1
    assert client.update_order(CUSTOMER, ORDER, "PO-IDLE").external_reference_id == "PO-IDLE"
    assert sandbox.order(CUSTOMER, ORDER)["externalReferenceId"] == "PO-IDLE"


def test_the_emulator_listens_on_loopback_only(sandbox) -> None:
    assert sandbox._server.server_address[0] == "127.0.0.1"


def test_every_request_has_a_timeout(sandbox, monkeypatch) -> None:
    import requests

    seen = []
    original = requests.Session.request

    def spy(self, method, url, **kwargs):
        seen.append(kwargs.get("timeout"))
        return original(self, method, url, **kwargs)

    monkeypatch.setattr(requests.Session, "request", spy)
    client = sandbox.client(timeout=4)
    client.update_order(CUSTOMER, ORDER, "PO-T")
    client.get_order(CUSTOMER, ORDER)
    assert seen and all(t == 4 for t in seen)


def test_token_is_renewed_shortly_before_it_expires(sandbox) -> None:
    sandbox.state.token_ttl = 1000.0
    client = sandbox.client()
    now = [0.0]
    client._auth._clock = lambda: now[0]
    client.get_order(CUSTOMER, ORDER)
    now[0] = 850.0  # within its life, before the last tenth
    client.get_order(CUSTOMER, ORDER)
    assert client._auth.fetch_count == 1
    now[0] = 905.0  # inside the last tenth of its 1000 s: replaced before Adobe would refuse it
    client.get_order(CUSTOMER, ORDER)
    assert client._auth.fetch_count == 2
    assert [e["status"] for e in v3(sandbox)] == [200, 200, 200]


def test_threads_share_one_token_fetch(sandbox) -> None:
    from concurrent.futures import ThreadPoolExecutor

    client = sandbox.client()
    with ThreadPoolExecutor(8) as pool:
        orders = list(pool.map(lambda _: client.get_order(CUSTOMER, ORDER), range(32)))
    assert {o.order_id for o in orders} == {ORDER}
    assert client._auth.fetch_count == 1
    assert len({e["request_id"] for e in v3(sandbox)}) == 32
