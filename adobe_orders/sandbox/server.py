"""The emulator's HTTP side: Adobe's checks, in Adobe's order, with Adobe-shaped error bodies.

The order of checks follows api-contract.md: API key, token, correlation ID, the replay store
(keyed by correlation ID, method and request target: "the same API"), duplicate request IDs,
then the body, then the order itself. Faults are injected after the
replay store, so a client that wrongly reuses a correlation ID gets the stored error back —
exactly the trap the contract warns about.
"""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, parse_qsl, unquote, urlsplit

from ..config import is_loopback_host
from ..validation import REFERENCE_MAX_LENGTH
from .data import with_pricing
from .faults import Faults
from .history import SearchError, fetch_price, history_page
from .state import EmulatorState

ORDER_PATH = re.compile(r"^/v3/customers/([^/]+)/orders/([^/]+)$")
ORDERS_PATH = re.compile(r"^/v3/customers/([^/]+)/orders$")
MAX_BODY = 64 * 1024


def error_body(code: str, message: str, details: list[str] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "additionalDetails": details or []}


FAULT_REPLIES: dict[str, tuple[int, Any]] = {
    "error_500": (500, error_body("1124", "Internal Server Error. Please try again later")),
    "error_503": (503, "Service Unavailable"),  # plain text, as a load balancer sends it
    "gateway_504": (504, {"error_code": "504001", "message": "Gateway Timeout"}),
    "rate_limit": (429, error_body("4118", "Too many requests")),
}


def _sleep_until(moment: float) -> None:
    left = moment - time.monotonic()
    if left > 0:
        time.sleep(left)


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # a burst of connections from 64+ batch workers is never refused
    allow_reuse_address = True

    def __init__(self, port: int, state: EmulatorState, faults: Faults, latency: float) -> None:
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        self.state = state
        self.faults = faults
        self.latency = latency
        # Loopback only: the emulator's demo credentials are printed in the clear.
        super().__init__(("127.0.0.1", port), Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that vanished mid-answer (killed, timed out) is normal here, not a traceback."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]

    def drop_connections(self) -> int:
        """Close every open client connection, as a server dropping idle keep-alives does."""
        with self.connections_lock:
            conns = list(self.connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        return len(conns)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: EmulatorServer
    server_version = "adobe-orders-emulator/0.1"
    # Headers and body in one segment: unbuffered writes hit Nagle + delayed ACK (40 ms a call).
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:  # the request log replaces stderr noise
        pass

    # -- plumbing ------------------------------------------------------------------------------
    def _body(self) -> bytes | None:
        """The request body; None when Content-Length is not a number (the caller answers 400)."""
        declared = (self.headers.get("Content-Length") or "0").strip()
        if not declared.isascii() or not declared.isdigit():
            self.close_connection = True  # the body's end is unknown: this connection cannot go on
            return None
        length = int(declared)
        if length > MAX_BODY:
            self.close_connection = True
            return b""
        return self.rfile.read(length) if length > 0 else b""

    def _encode(self, status: int, payload: Any,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        if isinstance(payload, str):
            body, ctype = payload.encode(), "text/plain; charset=utf-8"
        else:
            body, ctype = json.dumps(payload).encode(), "application/json"
        return status, {"Content-Type": ctype, **(headers or {})}, body

    def _write(self, reply: tuple[int, dict[str, str], bytes]) -> None:
        status, headers, body = reply
        try:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:  # the client gave up (timeout) before we answered
            self.close_connection = True

    def _drop(self) -> None:
        self.close_connection = True

    # -- routes --------------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._route("GET")

    def do_PATCH(self) -> None:
        self._route("PATCH")

    def do_POST(self) -> None:
        self._route("POST")

    def do_PUT(self) -> None:
        self._route("PUT")

    def do_DELETE(self) -> None:
        self._route("DELETE")

    def _route(self, method: str) -> None:
        raw = self._body()
        if raw is None:
            return self._write(self._encode(400, error_body("400", "Content-Length is not a number")))
        if not self._local_host():
            return self._write(self._encode(403, error_body("403", "This emulator answers only to localhost, "
                                                                   "127.0.0.1 or [::1]")))
        url = urlsplit(self.path)
        if method == "POST" and url.path == "/ims/token/v3":
            return self._write(self._token(raw))
        if method == "GET" and url.path.startswith("/_sandbox/"):
            return self._write(self._inspect(url.path))
        if url.path.startswith("/v3/"):
            return self._v3(method, url.path, url.query, raw)
        self._write(self._encode(404, error_body("404", "No such route")))

    def _local_host(self) -> bool:
        """The Host header names this machine (or is absent, as from an HTTP/1.0 script).

        It holds nothing real, but its inspection routes need no credentials and ``--state`` keeps
        what is changed: a web page re-pointing its own name at 127.0.0.1 (DNS rebinding) must not
        read or change it through the analyst's browser.
        """
        host = self.headers.get("Host")
        if host is None:
            return True
        name = re.sub(r":\d*$", "", host.strip())
        return is_loopback_host(name)

    def _token(self, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        self.server.state.count_token_request()
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "client_credentials":
            return self._encode(400, {"error": "unsupported_grant_type",
                                      "error_description": "grant_type must be client_credentials"})
        state = self.server.state
        client_id = form.get("client_id", "")
        if not client_id or state.clients.get(client_id) != form.get("client_secret"):
            return self._encode(401, {"error": "invalid_client",
                                      "error_description": "invalid client_id or client_secret"})
        token = state.issue_token(client_id)
        return self._encode(200, {"access_token": token, "token_type": "bearer",
                                  "expires_in": int(state.token_ttl)})

    def _inspect(self, path: str) -> tuple[int, dict[str, str], bytes]:
        state = self.server.state
        if path == "/_sandbox/requests":
            with state.lock:
                return self._encode(200, list(state.log))
        if path == "/_sandbox/orders":
            return self._encode(200, state.snapshot())
        return self._encode(404, error_body("404", "No such route"))

    def _v3(self, method: str, path: str, query: str, raw: bytes) -> None:
        state, h = self.server.state, self.headers
        correlation_id, request_id = h.get("X-Correlation-Id"), h.get("X-Request-Id")
        # Header values that are credentials are logged only as present or not.
        entry: dict[str, Any] = dict(method=method, path=path, query=query, correlation_id=correlation_id,
                                     request_id=request_id, changed=False, fault=None, replayed=False,
                                     answered=True, received=time.time(), accept=h.get("Accept"),
                                     content_type=h.get("Content-Type"),
                                     has_api_key=bool(h.get("X-Api-Key")),
                                     has_authorization=bool(h.get("Authorization")))
        # The latency is the network's, half each way: the request is handled half of it after it
        # was sent, and the answer arrives the whole of it after, however long the handling took
        # meanwhile. So a fixed latency stays fixed when many calls arrive at once (the emulator's
        # own work on a 2-core machine would otherwise queue and add to it), and an interrupt in
        # the first half leaves the order as it was, in the second changed without an answer.
        answer_at = time.monotonic() + self.server.latency
        if self.server.latency:
            time.sleep(self.server.latency / 2)
        fault: str | None = None
        # Adobe replays a stored answer only to a call "to the same API": the same method and
        # request target (path and query) with that correlation ID (api-contract.md).
        replay_key = (correlation_id or "", method, f"{path}?{query}" if query else path)
        reply = self._checks(correlation_id, request_id, replay_key, entry)
        if reply is None:
            fault = self.server.faults.roll()
            if fault == "drop_before":
                entry.update(fault=fault, status=None, answered=False)
                state.record(**entry)
                _sleep_until(answer_at)
                return self._drop()
            if fault in FAULT_REPLIES:
                status, payload = FAULT_REPLIES[fault]
                extra = {"Retry-After": f"{self.server.faults.retry_after:g}"} if fault == "rate_limit" else {}
                reply = self._encode(status, payload, extra)
            else:
                reply = self._handle(method, path, query, raw, entry)
            entry["fault"] = fault
            if correlation_id:
                with state.lock:
                    state.replies.setdefault(replay_key, reply)
                    if request_id:
                        state.request_ids.setdefault(request_id, correlation_id)
        entry["status"] = reply[0]
        if fault in ("drop_after", "slow"):
            entry["answered"] = False
        state.record(**entry)
        _sleep_until(answer_at)
        if fault == "drop_after":
            return self._drop()
        if fault == "slow":
            time.sleep(self.server.faults.slow_seconds)
        self._write(reply)

    def _checks(self, correlation_id: str | None, request_id: str | None, replay_key: tuple[str, str, str],
                entry: dict[str, Any]) -> tuple[int, dict[str, str], bytes] | None:
        """Auth and header checks; a reply here is final and never injected with a fault.

        A request ID seen before is a 4120 only with a *different* correlation ID (the contract's
        rule): a client that sends one correlation ID and one request ID for every page of a
        history read (SoftwareOne's) pages correctly at Adobe, so it does here."""
        state, h = self.server.state, self.headers
        api_key = h.get("X-Api-Key")
        if not api_key or api_key not in state.clients:
            return self._encode(403, error_body("4115", "API key is invalid or missing"))
        auth = h.get("Authorization") or ""
        if not auth:
            return self._encode(403, error_body("4117", "Authorization token is missing"))
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not state.token_valid(token.strip()):
            return self._encode(401, error_body("4116", "Authorization token is invalid"))
        if not correlation_id:
            return self._encode(400, error_body("4119", "Correlation ID is Invalid or Missing"))
        with state.lock:
            stored = state.replies.get(replay_key)
            if stored is not None:
                entry["replayed"] = True
                return stored
            earlier = state.request_ids.get(request_id) if request_id else None
            if earlier is not None and earlier != correlation_id:
                reply = self._encode(400, error_body(
                    "4120", "Duplicate request id, same requestId has already been processed"))
                state.replies[replay_key] = reply
                return reply
        return None

    def _handle(self, method: str, path: str, query: str, raw: bytes,
                entry: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        state = self.server.state
        match = ORDER_PATH.match(path)
        if match and method in ("GET", "PATCH"):
            customer_id, order_id = unquote(match.group(1)), unquote(match.group(2))
            if method == "GET":
                try:
                    priced = fetch_price(parse_qsl(query, keep_blank_values=True))
                except SearchError as err:
                    return self._encode(err.status, error_body(err.code, err.message, [err.detail]))
                order = state.get(customer_id, order_id)
                if order is None:
                    return self._encode(404, error_body("2115", "Invalid Customer or Order ID"))
                order["links"] = {"self": {"uri": path, "method": "GET", "headers": []}}
                if priced:
                    with_pricing(order, state.anniversaries.get(customer_id))
                return self._encode(200, order)
            problem = self._patch_problem(raw)
            if problem is not None:
                return problem
            value = json.loads(raw)["externalReferenceId"]
            if not state.has(customer_id, order_id):
                return self._encode(404, error_body("2115", "Invalid Customer or Order ID"))
            order, changed = state.set_reference(customer_id, order_id, value)
            entry["changed"] = changed
            return self._encode(200, order)
        match = ORDERS_PATH.match(path)
        if match and method == "GET":
            return self._history(unquote(match.group(1)), query, path)
        return self._encode(405 if match else 404, error_body("1117", f"{method} {path} is not supported"))

    def _patch_problem(self, raw: bytes) -> tuple[int, dict[str, str], bytes] | None:
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict) or "externalReferenceId" not in body:
            return self._encode(400, error_body("1122", "Request is missing required fields",
                                                ["externalReferenceId"]))
        others = sorted(set(body) - {"externalReferenceId"})
        if others:
            return self._encode(400, error_body("1121", "Request contains additional unexpected fields.", others))
        value = body["externalReferenceId"]
        if not isinstance(value, str) or not value.strip():
            return self._encode(400, error_body("1117", "Some Fields are Invalid", ["externalReferenceId"]))
        if len(value) > REFERENCE_MAX_LENGTH:
            return self._encode(400, error_body(
                "2126", "externalReferenceId exceeds maximum character limit",
                [f"externalReferenceId must be at most {REFERENCE_MAX_LENGTH} characters"]))
        return None

    def _history(self, customer_id: str, query: str, path: str) -> tuple[int, dict[str, str], bytes]:
        return self._encode(*history_page(self.server.state, customer_id, query, path))
