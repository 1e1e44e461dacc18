"""Everything the project writes, scanned for the token, the client secret and the API key."""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import ipywidgets
import pandas as pd
import pytest

from adobe_orders import OrdersClient, Settings, apply_updates, history, undo
from adobe_orders.errors import AdobeOrdersError
from adobe_orders.sandbox import Sandbox
from adobe_orders.widgets import BatchUpdatePanel, UpdateOrderForm


@pytest.fixture
def secret_sandbox():
    with Sandbox(client_id="key-" + secrets.token_hex(8), client_secret="sec-" + secrets.token_hex(12)) as sb:
        yield sb


def leaked(sb: Sandbox, text: str) -> list[str]:
    found = [name for name, value in (("client secret", sb.client_secret), ("API key", sb.client_id))
             if value in text]
    found += ["token" for token in sb.state.tokens if token in text]
    return found


@pytest.mark.slow
def test_nothing_written_holds_a_secret(secret_sandbox, tmp_path, caplog, capsys) -> None:
    sb = secret_sandbox
    caplog.set_level(logging.DEBUG)
    written: list[str] = []
    client = sb.client()
    written += [repr(client), str(client.settings), repr(client.settings), repr(client._auth), repr(sb)]
    orders = sb.orders[:5]
    frame = pd.DataFrame({"customerId": [o["customerId"] for o in orders] + ["bad/id"],
                          "orderId": [o["orderId"] for o in orders[:4]] + ["0999999999", "1"],
                          "externalReferenceId": [f"SEC-{i}" for i in range(6)]}, dtype=object)
    sb.faults.queue("error_500")
    results = apply_updates(frame, client, progress=False)
    undo(results.attrs["batch_id"], client, progress=False)
    results.to_csv(tmp_path / "r.csv")
    results.to_excel(tmp_path / "r.xlsx")
    written += [(tmp_path / "r.csv").read_text(), results.to_string(), repr(results.to_dict()),
                history().to_string(), results.to_html()]
    journal = Path(".adobe-orders/journal.sqlite")
    written.append(journal.read_bytes().decode("latin-1"))
    for extra in ("-wal", "-shm"):
        wal = journal.with_name(journal.name + extra)
        if wal.exists():
            written.append(wal.read_bytes().decode("latin-1"))
    # errors of every kind: wrong secret, refused token, API error, no answer
    failing = [
        lambda: OrdersClient(Settings(environment="local", base_url=sb.url, client_id=sb.client_id,
                                      client_secret=sb.client_secret + "x")).get_order("0001000000", "0123456000"),
        lambda: client.get_order("0001000000", "0999999999"),
        lambda: OrdersClient(Settings(environment="local", base_url="http://127.0.0.1:9", client_id=sb.client_id,
                                      client_secret=sb.client_secret, max_retries=0)).get_order("01", "02"),
    ]
    for call in failing:
        with pytest.raises(AdobeOrdersError) as info:
            call()
        written += [str(info.value), repr(info.value), repr(info.value.__dict__)]
    # widgets
    form = UpdateOrderForm(client)
    form.customer_id.value, form.order_id.value, form.reference.value = orders[0]["customerId"], "0999999999", "W"
    form.update_button.click()
    panel = BatchUpdatePanel(client, frame)
    panel.start(dry_run=True)
    panel.wait(30)
    from ipywidgets.widgets.widget import _instances

    written.append(json.dumps([w.get_state() for w in list(_instances.values())], default=str))
    ipywidgets.Widget.close_all()
    # CLI output
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_VIPM_")}
    env.update(dict(line.split("=", 1) for line in sb.env_lines()))
    for argv in (["get", "0001000000", "0123456000"], ["update", "0001000000", "0999999999", "X"],
                 ["apply", str(tmp_path / "r.csv"), "--no-progress"], ["history"]):
        proc = subprocess.run([sys.executable, "-m", "adobe_orders.cli", *argv], capture_output=True, text=True,
                              env=env, timeout=120)
        written += [proc.stdout, proc.stderr]
    written += [r.getMessage() for r in caplog.records]
    written += list(capsys.readouterr())
    assert sb.state.tokens, "tokens were issued, so the scan had something to find"
    problems = {i: leaked(sb, text) for i, text in enumerate(written) if leaked(sb, text)}
    assert problems == {}


def test_refusals_config_errors_and_exports_hold_no_secret(secret_sandbox, tmp_path, monkeypatch) -> None:
    """The secrets hidden in hostile configuration and refused credentials never come back out."""
    from adobe_orders.config import read_dotenv
    from adobe_orders.errors import ConfigurationError
    from adobe_orders.export import write_table

    sb = secret_sandbox
    secret, key = sb.client_secret, sb.client_id
    written: list[str] = []
    # a password in the URL, a secret on a broken .env line, a secret in a query string
    for url in (f"http://{key}:{secret}@127.0.0.1:9", f"https://partners.adobe.io/?k={secret}",
                f"http://127.0.0.1:9\\@{secret}.example"):
        with pytest.raises(ConfigurationError) as info:
            Settings(environment="local", base_url=url, client_id=key, client_secret=secret)
        written += [str(info.value), repr(info.value)]
    env_file = tmp_path / ".env"
    env_file.write_text(f"ADOBE_VIPM_CLIENT_ID={key}\nADOBE_VIPM_CLIENT_SECRET='{secret}\n")
    with pytest.raises(ConfigurationError) as info:
        read_dotenv(env_file)
    written.append(str(info.value))
    env_file.unlink()  # the workspace's .env is read for the journal too; the batches below need a sound one
    # refused credentials: a wrong secret, a refused access token (scanned as a token below)
    wrong = OrdersClient(Settings(environment="local", base_url=sb.url, client_id=key, client_secret=secret[::-1]))
    bogus_token = "tok-" + secrets.token_hex(12)
    refused = OrdersClient(Settings(environment="local", base_url=sb.url, client_id=key, access_token=bogus_token))
    for client in (wrong, refused):
        with pytest.raises(AdobeOrdersError) as err:
            client.get_order("0001000000", "0123456000")
        written += [str(err.value), repr(err.value), repr(err.value.__dict__), repr(client), repr(client._auth)]
    # a batch refused for its credentials, exported both ways
    frame = pd.DataFrame({"customerId": ["0001000000"], "orderId": ["0123456000"], "externalReferenceId": ["S"]})
    results = apply_updates(frame, wrong, progress=False)
    for name in ("r.csv", "r.xlsx"):
        path = write_table(results, tmp_path / name)
        written.append(path.read_bytes().decode("latin-1"))
    # the CLI with a wrong secret and with a user-info URL
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_VIPM_")}
    env.update(dict(line.split("=", 1) for line in sb.env_lines()))
    for override in ({"ADOBE_VIPM_CLIENT_SECRET": secret[::-1]},
                     {"ADOBE_VIPM_BASE_URL": f"http://{key}:{secret}@127.0.0.1:9"}):
        proc = subprocess.run([sys.executable, "-m", "adobe_orders.cli", "get", "0001000000", "0123456000"],
                              capture_output=True, text=True, env={**env, **override}, timeout=120, cwd=tmp_path)
        assert proc.returncode == 1
        written += [proc.stdout, proc.stderr]
    scanned = [*leaked_values(sb), secret[::-1], bogus_token]
    problems = {i: [v for v in scanned if v in text] for i, text in enumerate(written)}
    assert {i: found for i, found in problems.items() if found} == {}


def leaked_values(sb: Sandbox) -> list[str]:
    return [sb.client_secret, sb.client_id, *sb.state.tokens]


class _EchoServer:
    """A gateway on 127.0.0.1 that echoes what it was sent into its error answers, as debugging proxies
    and some IMS errors do: the token, the API key, or the token request's form body."""

    def __init__(self, echo_form: bool) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, code: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                form = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if echo_form:
                    self._send(400, {"error": "invalid_client", "error_description": f"bad body: {form}"})
                else:
                    self._send(200, {"access_token": TOKEN, "expires_in": 3600, "token_type": "bearer"})

            def do_GET(self) -> None:
                self._send(400, {"code": "1117", "message": f"got {self.headers.get('Authorization')}",
                                 "additionalDetails": [f"key {self.headers.get('X-Api-Key')}"]})

            do_PATCH = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


TOKEN = "tok-" + secrets.token_hex(16)


@pytest.mark.parametrize("echo_form", [False, True], ids=["api-echoes-headers", "ims-echoes-form"])
def test_a_server_echoing_credentials_into_an_error_leaks_none(echo_form: bool) -> None:
    """Hostile tester: an error answer quoting the request (Authorization, X-Api-Key, the token
    request's client_secret) came back word for word in the exception, the results frame and the journal."""
    server = _EchoServer(echo_form)
    key, secret = "key-" + secrets.token_hex(8), "sec/" + secrets.token_hex(12) + "+="
    try:
        client = OrdersClient(Settings(base_url=server.url, ims_url=server.url, client_id=key, client_secret=secret))
        with pytest.raises(AdobeOrdersError) as caught:
            client.get_order("0001000000", "0123456000")
        frame = pd.DataFrame({"customerId": ["0001000000"], "orderId": ["0123456000"], "externalReferenceId": ["X"]})
        results = apply_updates(frame, client, progress=False)
        shown = "\n".join([str(caught.value), repr(caught.value), repr(getattr(caught.value, "body", None)),
                           results.to_csv(), history().to_csv()])
        assert "got" in shown or "bad body" in shown  # the server's words are kept, its secrets are not
        for name, value in (("token", TOKEN), ("API key", key), ("client secret", secret),
                            ("form-encoded client secret", secret.replace("/", "%2F").replace("+", "%2B")
                             .replace("=", "%3D"))):
            assert value not in shown, name
    finally:
        server.close()
