"""A faithful local emulator of Adobe's order API, on 127.0.0.1.

It is the embedded default a newcomer runs against, and the real HTTP server every test talks
to. ``with Sandbox() as sb:`` gives its URL, demo credentials, a ready client, the stored orders
and the request log; ``adobe-orders sandbox`` serves one out of process.
"""

from __future__ import annotations

import os
import secrets
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from ..client import OrdersClient
from ..config import Settings
from .faults import FAULTS, Faults
from .quirks import HistoryQuirks
from .server import EmulatorServer
from .state import EmulatorState

DEMO_CLIENT_ID = "adobe-orders-demo"


class Sandbox:
    def __init__(
        self,
        *,
        port: int = 0,
        seed: int = 2026,
        latency: float = 0.0,
        faults: dict[str, float] | None = None,
        fault_seed: int = 0,
        slow_seconds: float = 2.0,
        retry_after: float = 1.0,
        token_ttl: float = 86399.0,
        state_file: str | os.PathLike[str] | None = None,
        client_id: str = DEMO_CLIENT_ID,
        client_secret: str | None = None,
        order_count: int | None = None,
        now: datetime | None = None,
        page_cap: int | None = None,
        omit_total_count: bool = False,
    ) -> None:
        # ``now`` fixes the emulator's clock (order history's "current term" default depends on it).
        # ``page_cap`` / ``omit_total_count``: order history as a hostile but legal server sends it
        # (quirks.py); ``sb.quirks.renew_after(customer, pages=N)`` shifts a history mid-read.
        self.state = EmulatorState(seed=seed, state_file=state_file, token_ttl=token_ttl, order_count=order_count,
                                   now=now)
        self.state.quirks = HistoryQuirks(page_cap=page_cap, omit_total_count=omit_total_count)
        self.client_id = client_id
        self.client_secret = client_secret or "emu-secret-" + secrets.token_urlsafe(16)
        self.state.add_client(self.client_id, self.client_secret)
        self.faults = Faults(rates=dict(faults or {}), seed=fault_seed, slow_seconds=slow_seconds,
                             retry_after=retry_after)
        self._port = port
        self._latency = latency
        self._server: EmulatorServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        where = self.url if self._server else "not started"
        return f"<Sandbox {where} orders={len(self.state.orders)} client_secret=<hidden>>"

    # -- life cycle ----------------------------------------------------------------------------
    def start(self) -> Sandbox:
        if self._server is None:
            self._server = EmulatorServer(self._port, self.state, self.faults, self._latency)
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                            name="adobe-orders-emulator", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.drop_connections()
            self._server = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (the CLI)."""
        self.start()
        assert self._thread is not None
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.stop()

    # -- what a test or a notebook wants -------------------------------------------------------
    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the sandbox is not started; use `with Sandbox() as sb:` or sb.start()")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def latency(self) -> float:
        """Seconds every ``/v3`` answer takes, as a network's round trip: the call is handled half
        of it after it arrived and answered at the whole of it, however long handling took."""
        return self._server.latency if self._server else self._latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self._latency = seconds
        if self._server:
            self._server.latency = seconds

    def client(self, **overrides: Any) -> OrdersClient:
        """A client for this emulator; ``overrides`` as ``OrdersClient.using`` takes them."""
        settings = Settings(environment="local", base_url=self.url, ims_url=self.url,
                            client_id=self.client_id, client_secret=self.client_secret)
        return OrdersClient.using(settings, **overrides)

    def env_lines(self) -> list[str]:
        return [
            "ADOBE_VIPM_ENV=local",
            f"ADOBE_VIPM_BASE_URL={self.url}",
            f"ADOBE_VIPM_IMS_URL={self.url}",
            f"ADOBE_VIPM_CLIENT_ID={self.client_id}",
            f"ADOBE_VIPM_CLIENT_SECRET={self.client_secret}",
        ]

    @property
    def quirks(self) -> HistoryQuirks:
        """Order history's hostile variants (all off unless turned on): ``page_cap``,
        ``omit_total_count``, ``renew_after(customer, pages=N)``."""
        return self.state.quirks

    @property
    def orders(self) -> list[dict[str, Any]]:
        return self.state.snapshot()

    def order(self, customer_id: str, order_id: str) -> dict[str, Any] | None:
        return self.state.get(customer_id, order_id)

    @property
    def requests(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [dict(e) for e in self.state.log]

    def clear_log(self) -> None:
        with self.state.lock:
            self.state.log.clear()

    def drop_connections(self) -> int:
        """Close all open keep-alive connections (what an idle timeout on a real server does)."""
        return self._server.drop_connections() if self._server else 0

    def expire_tokens(self) -> None:
        self.state.expire_tokens()


_embedded: dict[Path, Sandbox] = {}
_embedded_lock = threading.Lock()


def embedded(state_file: str | os.PathLike[str]) -> tuple[Sandbox, bool]:
    """The emulator this process serves for the workspace whose demo orders are in ``state_file``:
    (sandbox, new?). One per workspace and process; every process using that workspace shares its
    orders through the file (``EmulatorState``).

    Locked, so clients created at once from several threads share one emulator."""
    key = Path(state_file).resolve()
    with _embedded_lock:
        if key in _embedded:
            return _embedded[key], False
        _embedded[key] = Sandbox(state_file=key).start()
        return _embedded[key], True


__all__ = ["FAULTS", "Faults", "Sandbox", "embedded"]
