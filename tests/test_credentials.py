"""A refused credential stops: at most two token requests, then CredentialsRefused at once, with
advice that fits the credential; answers from the token service that are not a token are one line."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest

from adobe_orders import OrdersClient, Settings, apply_updates
from adobe_orders.errors import AuthenticationError, CredentialsRefused
from adobe_orders.sandbox import Sandbox
from tests.helpers import v3

CUST, ORD = "0001000000", "0123456000"


def client_for(sb: Sandbox, **overrides: str) -> OrdersClient:
    values = dict(environment="local", base_url=sb.url, ims_url=sb.url, client_id=sb.client_id,
                  client_secret=sb.client_secret)
    values.update(overrides)
    return OrdersClient(Settings(**values))  # type: ignore[arg-type]


def frame_of(sb: Sandbox, n: int) -> pd.DataFrame:
    orders = sb.orders[:n]
    return pd.DataFrame({"customerId": [o["customerId"] for o in orders], "orderId": [o["orderId"] for o in orders],
                         "externalReferenceId": [f"R-{i}" for i in range(n)]}, dtype=object)


def test_a_wrong_secret_costs_at_most_two_token_requests(sandbox) -> None:
    client = client_for(sandbox, client_secret="wrong-secret")
    for _ in range(5):
        with pytest.raises(CredentialsRefused) as info:
            client.get_order(CUST, ORD)
    assert sandbox.state.token_requests <= 2
    assert v3(sandbox) == []  # nothing reached the API
    message = str(info.value)
    assert "ADOBE_VIPM_CLIENT_SECRET" in message and "refused the client ID and secret" in message
    assert "wrong-secret" not in message and "\n" not in message
    assert isinstance(info.value, AuthenticationError)  # what a batch stops on


def test_a_batch_with_a_wrong_secret_sends_nothing_and_says_why_on_every_row(sandbox) -> None:
    results = apply_updates(frame_of(sandbox, 60), client_for(sandbox, client_secret="wrong"), workers=8,
                            progress=False)
    assert sandbox.state.token_requests <= 2
    assert v3(sandbox) == []
    assert not results["status"].isin(["updated", "unchanged"]).any()
    reason = "reason" if "reason" in results else "error"
    said = results[reason].fillna("").astype(str).str.contains("refused the client ID and secret")
    # a row says why; rows the stopped batch did not send are not_run (or say the same)
    assert said.any() and (said | (results["status"] == "not_run")).all()


def test_a_refused_access_token_gets_advice_about_the_token(sandbox) -> None:
    client = client_for(sandbox, client_secret="", access_token="not-a-valid-token")
    with pytest.raises(CredentialsRefused) as info:
        client.get_order(CUST, ORD)
    message = str(info.value)
    assert "ADOBE_VIPM_ACCESS_TOKEN" in message and "Get a new access token" in message
    assert "check ADOBE_VIPM_CLIENT_ID / CLIENT_SECRET" not in message
    assert "not-a-valid-token" not in message
    with pytest.raises(CredentialsRefused):
        client.update_order(CUST, ORD, "X")
    assert len(v3(sandbox)) == 1  # the second call failed at once, without a request
    assert sandbox.state.token_requests == 0


def test_a_freshly_issued_token_that_the_api_refuses_stops_after_one_renewal(sandbox) -> None:
    client = client_for(sandbox)
    client.get_order(CUST, ORD)
    sandbox.state.token_valid = lambda token: False  # type: ignore[method-assign]  # the API refuses every token
    with pytest.raises(CredentialsRefused, match="belongs to this environment"):
        client.get_order(CUST, ORD)
    with pytest.raises(CredentialsRefused):
        client.get_order(CUST, ORD)
    assert sandbox.state.token_requests == 2


class FakeIms(BaseHTTPRequestHandler):
    """A token service that answers 200 with whatever the test asks for."""

    protocol_version = "HTTP/1.1"
    reply: tuple[str, bytes] = ("text/html", b"")
    calls = 0

    def do_POST(self) -> None:
        type(self).calls += 1
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        ctype, body = self.reply
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_ims() -> Iterator[tuple[str, type[FakeIms]]]:
    handler = type("Handler", (FakeIms,), {"calls": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("reply", "said"),
    [
        (("text/html", b"<html><body>Sign in</body></html>"), "an HTML page (text/html"),
        (("application/json", b"{}"), "without a usable access_token (fields: no fields)"),
        (("application/json", b"[1,2]"), "a JSON array instead of an object"),
        (("application/json", b'{"access_token": 5}'), "without a usable access_token"),
        (("application/json", b'{"access_token": "t", "expires_in": "soon"}'), "expires_in is not a number"),
        (("text/plain", b""), "an empty body"),
    ],
)
def test_a_token_answer_that_is_not_a_token_is_one_line(sandbox, fake_ims, reply, said) -> None:
    url, handler = fake_ims
    handler.reply = reply
    client = client_for(sandbox, ims_url=url)
    for _ in range(3):
        with pytest.raises(CredentialsRefused) as info:
            client.get_order(CUST, ORD)
    message = str(info.value)
    assert said in message and "ADOBE_VIPM_IMS_URL" in message and "\n" not in message
    for noise in ("Expecting value", "TypeError", "KeyError", "'access_token'"):
        assert noise not in message
    assert handler.calls == 1
    assert v3(sandbox) == []


def test_a_token_service_error_is_not_remembered(sandbox) -> None:
    """A 5xx from IMS is a bad moment, not a refusal: the next call asks again and can succeed."""
    client = client_for(sandbox)
    original = sandbox.state.issue_token
    calls = {"n": 0}

    def flaky(client_id: str) -> str:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("boom")  # the emulator answers 500 for a handler crash
        return original(client_id)

    sandbox.state.issue_token = flaky  # type: ignore[method-assign]
    with pytest.raises(Exception) as info:
        client.get_order(CUST, ORD)
    assert not isinstance(info.value, CredentialsRefused)
    assert client.get_order(CUST, ORD).order_id == ORD


def test_cli_batch_with_a_wrong_secret_asks_for_at_most_two_tokens(tmp_path, sandbox) -> None:
    import os
    import subprocess
    import sys

    frame_of(sandbox, 40).to_csv(tmp_path / "u.csv", index=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_VIPM_")}
    env.update(dict(line.split("=", 1) for line in sandbox.env_lines()))
    env["ADOBE_VIPM_CLIENT_SECRET"] = "wrong-secret"
    proc = subprocess.run([sys.executable, "-m", "adobe_orders.cli", "apply", "u.csv", "--no-progress",
                           "--workers", "8"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert proc.returncode != 0 and "Traceback" not in proc.stdout + proc.stderr
    assert "refused the client ID and secret" in proc.stdout + proc.stderr
    assert "wrong-secret" not in proc.stdout + proc.stderr
    assert sandbox.state.token_requests <= 2 and v3(sandbox) == []
