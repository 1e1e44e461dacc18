"""The transport under the client: the pool follows the threads, the environment is honoured once,
and nothing from outside (.netrc, cookies, redirects) changes what is sent."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from adobe_orders.errors import TransportError
from adobe_orders.sandbox import Sandbox


def _open_connections(sb: Sandbox) -> int:
    assert sb._server is not None
    with sb._server.connections_lock:
        return len(sb._server.connections)


def _burst(client, orders: list[dict], threads: int) -> None:  # type: ignore[no-untyped-def]
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda o: client.read(o["customerId"], o["orderId"]), orders[:threads]))


def _settled(sb: Sandbox) -> int:
    """Open connections once the server has seen the client's closes (they arrive asynchronously)."""
    last = -1
    for _ in range(50):
        now = _open_connections(sb)
        if now == last:
            break
        last = now
        time.sleep(0.05)
    return last


def test_the_pool_grows_by_itself_when_more_threads_share_the_client() -> None:
    with Sandbox(latency=0.3) as sb:
        client = sb.client(pool_size=8)
        _burst(client, sb.orders, 40)
        assert client.transport.pool_size >= 32
        _burst(client, sb.orders, 40)
        steady = _settled(sb)
        assert 32 <= steady <= client.transport.pool_size  # old, smaller pools leave no idle connection behind
        _burst(client, sb.orders, 40)
        assert steady <= _settled(sb) <= client.transport.pool_size
        client.close()


def test_proxy_variables_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy from the environment is used (here: one that refuses), and NO_PROXY exempts a host."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]  # closed again: nothing listens there
    with Sandbox() as sb:
        order = sb.orders[0]
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{dead}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        proxied = sb.client(max_retries=0, timeout=3)
        with pytest.raises(TransportError):
            proxied.get_order(order["customerId"], order["orderId"])
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        direct = sb.client(max_retries=0, timeout=3)
        assert direct.get_order(order["customerId"], order["orderId"]).order_id == order["orderId"]


def test_a_netrc_entry_does_not_replace_the_bearer_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login someone password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    with Sandbox() as sb:
        order = sb.orders[0]
        client = sb.client(max_retries=0)
        assert client.update_order(order["customerId"], order["orderId"], "NETRC-1").external_reference_id == "NETRC-1"
        assert all(e["status"] == 200 for e in sb.requests if e["path"].startswith("/v3/"))


class _Redirecting(BaseHTTPRequestHandler):
    seen: list[str] = []  # noqa: RUF012

    def do_GET(self) -> None:
        _Redirecting.seen.append(self.path)
        if self.path.startswith("/v3/"):
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


def test_a_redirect_is_not_followed_with_the_token() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirecting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        from adobe_orders import OrdersClient, Settings

        url = f"http://127.0.0.1:{server.server_address[1]}"
        client = OrdersClient(Settings(base_url=url, client_id="someone", access_token="t0ken", max_retries=0,
                              environment="local"))
        with pytest.raises(Exception) as caught:
            client.get_order("1234567890", "0123456789")
        assert "/elsewhere" not in _Redirecting.seen
        assert "t0ken" not in str(caught.value)
    finally:
        server.shutdown()
        server.server_close()


def test_query_parameters_keep_their_order_and_repeats() -> None:
    with Sandbox() as sb:
        client = sb.client()
        reply = client.transport.send("GET", f"{sb.url}/_sandbox/requests", headers={}, body=None, timeout=5,
                                      params=[("status", "1000"), ("status", "1002"), ("start-date", "2010-01-01")])
        assert reply.request.url.endswith("?status=1000&status=1002&start-date=2010-01-01")
        assert isinstance(reply, requests.Response)


def test_one_transport_keeps_working_across_more_hosts_than_its_pool_manager_keeps() -> None:
    """The adapter remembers each host's connection pool; requests' pool manager keeps two hosts and
    closes the third's pool. A remembered pool that was closed is looked up again, never used."""
    boxes = [Sandbox().start() for _ in range(3)]
    try:
        client = boxes[0].client()
        for _ in range(2):
            for box in boxes:
                reply = client.transport.send("GET", f"{box.url}/_sandbox/requests", headers={}, body=None,
                                              timeout=5)
                assert reply.status_code == 200 and isinstance(reply.json(), list)
                assert reply.url == f"{box.url}/_sandbox/requests" and reply.request is not None
    finally:
        for box in boxes:
            box.stop()


def test_answers_carry_no_cookies_into_the_next_request() -> None:
    """The API sets no cookie; if something on the way did, it would not be kept or sent back."""
    seen: list[str | None] = []

    class Cookie(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers.get("Cookie"))
            self.send_response(200)
            self.send_header("Set-Cookie", "session=abc; Path=/")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Cookie)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        from adobe_orders.transport import Transport

        transport = Transport(requests.Session())
        url = f"http://127.0.0.1:{server.server_address[1]}/x"
        first = transport.send("GET", url, headers={}, body=None, timeout=5)
        transport.send("GET", url, headers={}, body=None, timeout=5)
        assert first.headers["Set-Cookie"].startswith("session=") and seen == [None, None]
        assert not transport.session.cookies
    finally:
        server.shutdown()
        server.server_close()


def test_a_deeply_nested_answer_is_a_typed_error_not_a_recursion_error() -> None:
    """A body nested deeper than Python's recursion limit (a broken gateway, a hostile proxy) makes
    json raise RecursionError, which is no ValueError: it escaped the client as a bare
    RecursionError (and ended fetch_orders for every customer). A history page, an order and an
    error body each become the client's ServerError."""
    deep = b"[" * 200_000 + b"]" * 200_000
    bodies = {"/v3/customers/1234567890/orders": (200, b'{"totalCount": 1, "items": [' + deep + b"]}"),
              "/v3/customers/1234567890/orders/0123456789": (200, b'{"orderId": ' + deep + b"}"),
              "/v3/customers/1234567891/orders/0123456789": (500, b'{"code": ' + deep + b"}")}

    class Deep(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = bodies[self.path.split("?")[0]]
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # the token route
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Length", str(len(deep)))
            self.end_headers()
            self.wfile.write(deep)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Deep)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        from adobe_orders import OrdersClient, Settings
        from adobe_orders.errors import AdobeOrdersError, ServerError

        client = OrdersClient(Settings(base_url=f"http://127.0.0.1:{server.server_address[1]}", client_id="someone",
                              access_token="t0ken", max_retries=0, environment="local"))
        with pytest.raises(ServerError):
            next(iter(client.history_pages("1234567890")))
        with pytest.raises(ServerError):
            client.get_order("1234567890", "0123456789")
        with pytest.raises(ServerError) as failed:
            client.get_order("1234567891", "0123456789")
        assert failed.value.status_code == 500
        url = f"http://127.0.0.1:{server.server_address[1]}"
        with pytest.raises(AdobeOrdersError) as refused:  # a token answer nested that deep: no token
            OrdersClient(Settings(base_url=url, ims_url=url, client_id="someone", client_secret="s3cret", max_retries=0,
                         environment="local")).get_order("1234567890", "0123456789")
        assert "JSON" in str(refused.value) and "s3cret" not in str(refused.value)
    finally:
        server.shutdown()
        server.server_close()


def _self_signed(folder: Path) -> tuple[Path, Path]:
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: no certificate to serve")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60)
    return key, cert


def test_a_tls_handshake_that_fails_says_nothing_was_sent(tmp_path: Path) -> None:
    """A certificate the machine does not trust (a company proxy inspecting HTTPS) or an https URL to
    a plain-HTTP port fails in the TLS handshake, before a byte of the request is sent. The error
    said the connection was dropped and the change may have been applied, sending the analyst to
    check orders that were never touched."""
    import ssl

    seen: list[str] = []

    class Tls(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    key, cert = _self_signed(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Tls)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    from adobe_orders import OrdersClient, Settings

    try:
        with Sandbox() as sb:
            for url in (f"https://127.0.0.1:{server.server_address[1]}", sb.url.replace("http://", "https://")):
                client = OrdersClient(Settings(base_url=url, client_id="someone", access_token="t0ken", max_retries=0,
                                      environment="local", timeout=5))
                with pytest.raises(TransportError) as failed:
                    client.update_order("1234567890", "0123456789", "PO-TLS")
                assert failed.value.may_have_been_applied is False, url
                assert "TLS" in str(failed.value) and "may have been applied" not in str(failed.value)
            assert seen == [] and not [e for e in sb.requests if e["path"].startswith("/v3/")]
    finally:
        server.shutdown()
        server.server_close()


def test_a_ca_bundle_that_does_not_exist_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """REQUESTS_CA_BUNDLE naming a missing file made requests raise a bare OSError (no requests
    exception) out of every https call: the client's caller got no typed error. It is a
    ConfigurationError naming the variable and the file; plain http (the emulator) is unaffected."""
    from adobe_orders import OrdersClient, Settings
    from adobe_orders.errors import ConfigurationError

    missing = tmp_path / "corporate-ca.pem"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(missing))
    client = OrdersClient(Settings(base_url="https://127.0.0.1:9", client_id="someone", access_token="t0ken",
                          max_retries=0, environment="local", timeout=5))
    with pytest.raises(ConfigurationError) as refused:
        client.get_order("1234567890", "0123456789")
    assert str(missing) in str(refused.value) and "REQUESTS_CA_BUNDLE" in str(refused.value)
    fetching = OrdersClient(Settings(base_url="https://127.0.0.1:9", ims_url="https://127.0.0.1:9", client_id="someone",
                            client_secret="s3cret", max_retries=0, environment="local", timeout=5))
    with pytest.raises(ConfigurationError) as refused:  # the token fetch, before any API call
        fetching.get_order("1234567890", "0123456789")
    assert str(missing) in str(refused.value) and "s3cret" not in str(refused.value)
    with Sandbox() as sb:
        order = sb.orders[0]
        assert sb.client(max_retries=0).get_order(order["customerId"], order["orderId"]).order_id == order["orderId"]
