"""``OrdersClient``: one PATCH and one GET, sent exactly as the contract says.

Every request carries a new ``X-Request-Id``. The ``X-Correlation-Id`` names one intent: it is
kept only when an attempt got no answer at all (Adobe may have applied it and will replay its
stored answer), and replaced after any answer, because Adobe stores the first answer to a
correlation ID for 10 days and would replay a cached error forever (api-contract, "Request
headers"). Input is checked before anything is sent.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from .auth import TokenProvider
from .config import Settings
from .errors import (
    ApiError,
    AuthenticationError,
    RateLimitError,
    RetryBudgetExhausted,
    ServerError,
    TransportError,
    error_from_response,
)
from .models import Order
from .retry import Backoff, RetryBudget, Throttle, parse_retry_after
from .transport import DEFAULT_POOL_SIZE, Transport
from .validation import check_customer_id, check_external_reference_id, check_order_id

USER_AGENT = "adobe-orders/0.1"


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class CallInfo:
    """What support needs about one logical call, whatever its outcome."""

    method: str
    status_code: int | None
    request_id: str | None
    correlation_id: str | None
    attempts: int


@dataclass(frozen=True)
class Reply:
    order: Order
    info: CallInfo


# The CLI says which API it uses on its own "API:" line, so it turns this notice off.
ANNOUNCE_EMBEDDED = True


def _embedded_settings(settings: Settings) -> Settings:
    """Start the process-wide embedded emulator once, and point the settings at it."""
    from .sandbox import embedded

    sb, fresh = embedded()
    if fresh and ANNOUNCE_EMBEDDED:
        # Ordinary output, said once: on stderr, Jupyter shows it on a pink error background.
        print(f"Using the embedded local emulator ({sb.url}): nothing reaches Adobe. "
              "ADOBE_VIPM_ENV=sandbox or production in .env talks to Adobe.", flush=True)
    return settings.with_overrides(client_id=sb.client_id, client_secret=sb.client_secret,
                                   ims_url=sb.url, base_url=sb.url)


class OrdersClient:
    """Read and update orders. Safe to share between threads: one pooled session, one token."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        base_url: str | None = None,
        ims_url: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        scopes: str | None = None,
        access_token: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        environment: str | None = None,
        backoff: Backoff | None = None,
        max_rate: float | None = None,
        pool_size: int = DEFAULT_POOL_SIZE,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        overrides = dict(base_url=base_url, ims_url=ims_url, client_id=client_id,
                         client_secret=client_secret, scopes=scopes, access_token=access_token,
                         timeout=timeout, max_retries=max_retries, environment=environment)
        base = settings if settings is not None else Settings.from_env()
        given = {k: v for k, v in overrides.items() if v is not None}
        if given:
            if "base_url" in given and "ims_url" not in given and base.environment == "local":
                given["ims_url"] = given["base_url"]
            base = base.with_overrides(**given)
        self.settings = base
        connect = _embedded_settings(base) if base.uses_embedded_emulator else base
        assert connect.base_url is not None
        self.base_url = connect.base_url
        self.label = f"{base.label} — {self.base_url}" if base.uses_embedded_emulator else base.label
        self.environment = base.environment
        self.timeout = base.timeout
        self.max_retries = base.max_retries
        self.backoff = backoff or Backoff()
        self.throttle = Throttle(max_rate=max_rate, sleep=sleep)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        # The pool grows with the requests in flight; batches reserve their worker count up front.
        self.transport = Transport(self.session, pool_size=pool_size)
        self._client_id = connect.client_id
        self._auth = TokenProvider(self.session, connect.ims_url, connect.client_id, connect.client_secret,
                                   connect.scopes, connect.timeout, access_token=connect.access_token)

    @classmethod
    def from_env(cls, **overrides: Any) -> OrdersClient:
        return cls(Settings.from_env(), **overrides)

    def __repr__(self) -> str:
        return f"<OrdersClient {self.label}>"

    def close(self) -> None:
        self.transport.close()

    def reserve_connections(self, count: int) -> None:
        """Keep ``count`` connections open, for that many threads sharing this client."""
        self.transport.reserve(count)

    def __enter__(self) -> OrdersClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public calls --------------------------------------------------------------------------

    def get_order(self, customer_id: str, order_id: str) -> Order:
        return self.read(customer_id, order_id).order

    def update_order(self, customer_id: str, order_id: str, external_reference_id: str) -> Order:
        return self.update(customer_id, order_id, external_reference_id).order

    def read(self, customer_id: str, order_id: str, *, budget: RetryBudget | None = None) -> Reply:
        path = self._path(customer_id, order_id)
        data, info = self._call("GET", path, None, budget)
        return Reply(Order.from_api(data), info)

    def update(self, customer_id: str, order_id: str, external_reference_id: str, *,
               budget: RetryBudget | None = None) -> Reply:
        path = self._path(customer_id, order_id)
        value = check_external_reference_id(external_reference_id)
        data, info = self._call("PATCH", path, {"externalReferenceId": value}, budget)
        return Reply(Order.from_api(data), info)

    # -- the request loop ----------------------------------------------------------------------

    @staticmethod
    def _path(customer_id: str, order_id: str) -> str:
        c, o = check_customer_id(customer_id), check_order_id(order_id)
        # Validation allows only letters, digits and hyphens; quoting is a second lock on the path.
        return f"/v3/customers/{quote(c, safe='')}/orders/{quote(o, safe='')}"

    def _headers(self, token: str, request_id: str, correlation_id: str) -> dict[str, str]:
        return {
            "X-Request-Id": request_id,
            "X-Correlation-Id": correlation_id,
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            "X-Api-Key": self._client_id or "",
        }

    def _call(self, method: str, path: str, body: dict[str, Any] | None,
              budget: RetryBudget | None) -> tuple[dict[str, Any], CallInfo]:
        url = self.base_url + path
        payload = json.dumps(body) if body is not None else None
        correlation_id = new_id()
        attempts = 0
        retries = 0
        renewed_token = False
        while True:
            attempts += 1
            request_id = new_id()
            self.throttle.wait()
            token = self._auth.token()
            try:
                resp = self.transport.send(method, url, body=payload, timeout=self.timeout,
                                           headers=self._headers(token, request_id, correlation_id))
            except requests.RequestException as exc:
                applied = not isinstance(exc, requests.ConnectTimeout) and not _refused(exc)
                if self._may_retry(retries, budget):
                    retries += 1
                    # No answer: Adobe may have applied it, so the same intent keeps its
                    # correlation ID and gets the stored answer back if it was applied.
                    self._sleep(self.backoff.delay(retries - 1, self._rng))
                    continue
                err = TransportError(_describe(exc), may_have_been_applied=applied,
                                     correlation_id=correlation_id, request_id=request_id)
                err.attempts = attempts
                raise err from None
            info = CallInfo(method, resp.status_code, request_id, correlation_id, attempts)
            if resp.status_code < 400:
                try:
                    return resp.json(), info
                except ValueError:
                    raise ServerError(resp.status_code, None, "the answer was not JSON",
                                      request_id=request_id, correlation_id=correlation_id) from None
            retry_after = parse_retry_after(resp.headers.get("Retry-After"))
            error = error_from_response(resp.status_code, resp.text, request_id=request_id,
                                        correlation_id=correlation_id, retry_after=retry_after)
            error.attempts = attempts
            # Any answer ends this intent: a retry is a new intent with a new correlation ID.
            correlation_id = new_id()
            if isinstance(error, AuthenticationError) and not renewed_token:
                renewed_token = True
                if self._auth.invalidate(token):
                    continue
            if isinstance(error, RateLimitError | ServerError) and self._may_retry(retries, budget):
                retries += 1
                delay = retry_after if retry_after is not None else self.backoff.delay(retries - 1,
                                                                                        self._rng)
                if isinstance(error, RateLimitError):
                    self.throttle.pause(delay)
                    self.throttle.wait()
                else:
                    self._sleep(delay)
                continue
            raise error

    def _may_retry(self, retries: int, budget: RetryBudget | None) -> bool:
        if retries >= self.max_retries:
            return False
        if budget is not None and not budget.take():
            return False
        return True


def _refused(exc: requests.RequestException) -> bool:
    """A connect that failed before sending anything (refused, unreachable, DNS)."""
    text = repr(exc)
    return "NewConnectionError" in text or "NameResolutionError" in text


def _describe(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.ConnectTimeout):
        return "Timed out connecting to the API"
    if isinstance(exc, requests.ReadTimeout):
        return "The API did not answer in time"
    if _refused(exc):
        return "Could not connect to the API"
    return "The connection to the API was dropped before an answer came"


__all__ = ["ApiError", "CallInfo", "OrdersClient", "Reply", "RetryBudgetExhausted"]
