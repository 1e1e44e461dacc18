"""``OrdersClient``: one PATCH and one GET, sent exactly as the contract says.

Every request carries a new ``X-Request-Id``. The ``X-Correlation-Id`` names one intent: it is
kept only when an attempt got no answer at all (Adobe may have applied it and will replay its
stored answer), and replaced after any answer, because Adobe stores the first answer to a
correlation ID for 10 days and would replay a cached error forever (api-contract, "Request
headers"). Input is checked before anything is sent.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import requests

from .answers import CallInfo, HistoryPage, Reply, after_overlap, check_page, history_order_id
from .auth import TokenProvider
from .config import Settings
from .errors import (
    AuthenticationError,
    ConfigurationError,
    HistoryChangedError,
    RateLimitError,
    ResponseShapeError,
    ServerError,
    TransportError,
    error_from_response,
)
from .models import Order
from .paging import read_history
from .retry import Backoff, RetryBudget, Throttle, parse_retry_after
from .transport import DEFAULT_POOL_SIZE, Transport
from .validation import check_customer_id, check_external_reference_id, check_order_id

USER_AGENT = "adobe-orders/0.1"
#: Sent as ``start-date`` when none is given: before VIP Marketplace existed, so every order counts.
HISTORY_START = date(2010, 1, 1)
MAX_PAGE_SIZE = 100  # Adobe caps ``limit`` at 100


def new_id() -> str:
    return str(uuid.uuid4())


class OrdersClient:
    """Read and update orders. Safe to share between threads: one pooled session, one token.

    It knows only where to send requests and with which credentials: its ``settings`` (frozen, the one
    home of every setting). Which API a workspace uses when nothing is configured — the embedded
    emulator — is chosen above it, by ``adobe_orders.connect()``.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        backoff: Backoff | None = None,
        max_rate: float | None = None,
        pool_size: int = DEFAULT_POOL_SIZE,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        if settings.base_url is None or settings.ims_url is None:
            raise ConfigurationError(
                "These settings name no API (no ADOBE_VIPM_BASE_URL: the embedded emulator). Use "
                "adobe_orders.connect(), which starts the workspace's emulator, or set ADOBE_VIPM_BASE_URL.")
        self.settings = settings
        self.backoff = backoff or Backoff()
        self.throttle = Throttle(max_rate=max_rate, sleep=sleep)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        # The pool grows with the requests in flight (transport.py).
        self.transport = Transport(self.session, pool_size=pool_size)
        self._auth = TokenProvider(self.session, settings.ims_url, settings.client_id, settings.client_secret,
                                   settings.scopes, settings.timeout, access_token=settings.access_token)

    @classmethod
    def using(cls, settings: Settings, **overrides: Any) -> OrdersClient:
        """A client for ``settings`` with some of its fields replaced (``timeout=5``), given with the
        client's own options (``sleep``, ``backoff``, ``max_rate``, ``pool_size``, ``rng``) in one call."""
        fields = {k: overrides.pop(k) for k in list(overrides) if k in Settings.__dataclass_fields__}
        return cls(settings.with_overrides(**fields), **overrides)

    @property
    def base_url(self) -> str:
        assert self.settings.base_url is not None  # checked in __init__
        return self.settings.base_url

    @property
    def label(self) -> str:
        """Which API this is, as forms, banners and summaries name it (``Settings.label``)."""
        return self.settings.label

    @property
    def destination(self) -> str:
        """Where this client's requests go: "local", "sandbox" or "production" (config.destination)."""
        return self.settings.destination

    @property
    def needs_confirmation(self) -> bool:
        """Changing orders needs the production confirmation (see Settings.needs_confirmation)."""
        return self.settings.needs_confirmation

    def __repr__(self) -> str:
        return f"<OrdersClient {self.label}>"

    @property
    def client_id_sha256(self) -> str:
        """SHA-256 of the client ID: lets the journal tell two integrations apart without storing either."""
        return hashlib.sha256((self.settings.client_id or "").encode("utf-8")).hexdigest()

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> OrdersClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public calls --------------------------------------------------------------------------

    def get_order(self, customer_id: str, order_id: str, *, fetch_price: bool = False) -> Order:
        """One order. ``fetch_price=True`` asks Adobe for its pricing (``lineItems[].pricing``,
        ``proratedDays``, ``pricingSummary``), which Adobe sends only for single-currency orders
        with status 1000."""
        return self.read(customer_id, order_id, fetch_price=fetch_price).order

    def list_orders(
        self,
        customer_id: str,
        *,
        order_type: str | Iterable[str] | None = None,
        status: str | Iterable[str] | None = None,
        start_date: date | datetime | str | None = None,
        end_date: date | datetime | str | None = None,
        fetch_price: bool = False,
        page_size: int = 100,
    ) -> Iterator[Order]:
        """Every order of one customer from Adobe's order history, newest first, each exactly once.

        With no dates this returns **every** order the customer has: Adobe's own default start
        date is the start of the customer's *current term*, which silently hides older orders,
        so this sends an early ``start-date`` (``HISTORY_START``) unless you give one. Narrow it
        with ``start_date``/``end_date`` (a ``date`` is midnight UTC; a ``datetime`` or an
        ISO-8601 string is sent as an instant in UTC), ``order_type`` (``"RENEWAL"``, or several:
        ``["NEW", "RENEWAL"]``) and ``status`` (``"1000"`` or several) — several values of one
        filter mean OR, different filters AND, as at Adobe.

        Pages are followed through ``links.next`` (``page_size`` orders asked for each, 1..100; a
        server may send fewer), with the same retry, correlation-ID and error rules as every call:
        an unknown customer raises ``NotFoundError`` (Adobe's 1116), a bad filter
        ``BadRequestError`` (1132). The whole history is read and checked before the first order
        is yielded: if it changed while it was read (a renewal created meanwhile shifts every
        offset) it is read again, and after ``paging.WALKS`` reads that each saw it change,
        ``HistoryChangedError`` says so — never a history with an order missing or twice.
        """
        walk = read_history(self, customer_id, page_size=page_size, order_type=order_type, status=status,
                            start_date=start_date, end_date=end_date, fetch_price=fetch_price)
        yield from (Order.from_api(item) for item in walk.items)

    def history_pages(
        self,
        customer_id: str,
        *,
        order_type: str | Iterable[str] | None = None,
        status: str | Iterable[str] | None = None,
        start_date: date | datetime | str | None = None,
        end_date: date | datetime | str | None = None,
        fetch_price: bool = False,
        page_size: int = 100,
        offset: int = 0,
        budget: RetryBudget | None = None,
        pace: Throttle | None = None,
    ) -> Iterator[HistoryPage]:
        """The pages of one walk through ``links.next``, each with its ``CallInfo`` and Adobe's
        ``totalCount`` (``None`` when the answer has none), checked as they come.

        ``offset`` starts further in (``paging.read_histories`` reads a customer's pages in
        parallel). The walk raises ``HistoryChangedError`` as soon as a page shows that the history
        moved under it — a different ``totalCount``, an order already seen, an ``offset`` that is
        not where the last page ended — or at its end when it read fewer or more orders than
        ``totalCount``. The next page is asked for where the last one *ended* (its offset plus
        the orders it held), not where a link computed from ``limit`` points: a server that sends
        50 where 100 were asked leaves no gap. Without a ``totalCount``, the next page is asked for
        one order back and must start with the order this one ended with (else the walk raises
        ``HistoryChangedError``): an order that left the history meanwhile is seen. What to do about
        a change is the caller's choice (``paging.read_history`` reads again)."""
        customer = check_customer_id(customer_id)
        if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be a whole number from 1 to {MAX_PAGE_SIZE}, not {page_size!r}")
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise ValueError(f"offset must be a whole number of at least 0, not {offset!r}")
        params: list[tuple[str, str]] = []
        params += [("order-type", v) for v in _values(order_type, "order_type")]
        params += [("status", v) for v in _values(status, "status")]
        params.append(("start-date", _instant(start_date if start_date is not None else HISTORY_START,
                                              "start_date")))
        if end_date is not None:
            params.append(("end-date", _instant(end_date, "end_date")))
        if fetch_price:
            params.append(("fetch-price", "true"))
        params += [("offset", str(offset)), ("limit", str(page_size))]
        path = f"/v3/customers/{quote(customer, safe='')}/orders"
        seen: set[str] = set()
        total: int | None = None
        at = offset
        last: str | None = None  # the order this page must start with (the one the page before ended with)
        while True:
            data, info = self._call("GET", path, None, budget, params=params, pace=pace)
            page = HistoryPage.from_api(data, info, offset=at if last is None else at - 1)
            sent = page.count
            if last is not None:
                page = after_overlap(page, last, customer)
            if at == offset:
                total = page.total
            check_page(page, at, total, seen, customer)
            yield page
            at += page.count
            nxt = ((data.get("links") or {}).get("next") or {}).get("uri")
            if not nxt or sent == 0:
                if offset == 0 and total is not None and len(seen) != total:
                    raise HistoryChangedError(
                        f"customer {customer}: read {len(seen)} orders where Adobe's totalCount said {total} "
                        "(the history changed while it was read, or a page was missing)")
                return
            path, params = _next_link(nxt, customer)
            # Where the last page ended, whatever offset the link says: a link computed from the
            # asked-for ``limit`` skips orders when the server sent fewer.
            # Without a totalCount nothing shows an order that left the history (a pending order
            # completing, under a status filter) before this point: every later order moved up one
            # place, and the one at the boundary would fall between two pages. So each next page
            # starts one order back, and must start with the order this one ended with.
            last = history_order_id(page.items[-1]) if total is None and sent >= 2 and page.items else None
            params = [(k, v) for k, v in params if k != "offset"] + [("offset", str(at if last is None else at - 1))]
            if total is not None and at >= total:
                raise HistoryChangedError(f"customer {customer}: Adobe links to a page after all {total} orders "
                                          "(the history changed while it was read)")

    def update_order(self, customer_id: str, order_id: str, external_reference_id: str) -> Order:
        return self.update(customer_id, order_id, external_reference_id).order

    def read(self, customer_id: str, order_id: str, *, budget: RetryBudget | None = None,
             fetch_price: bool = False, pace: Throttle | None = None) -> Reply:
        """GET one order. ``budget`` and ``pace`` belong to the caller's batch (its retries and its
        max_rate), so one batch's limits never stay on a client that others share."""
        path = self._path(customer_id, order_id)
        params = [("fetch-price", "true")] if fetch_price else None
        data, info = self._call("GET", path, None, budget, params=params, pace=pace)
        return Reply(Order.from_api(data), info)

    def update(self, customer_id: str, order_id: str, external_reference_id: str, *,
               budget: RetryBudget | None = None, restoring: bool = False, pace: Throttle | None = None) -> Reply:
        """PATCH the value. ``restoring=True`` (undo) lets a value Adobe held before be put back even
        if it looks like a spreadsheet formula; a new value never may (validation.py)."""
        path = self._path(customer_id, order_id)
        value = check_external_reference_id(external_reference_id, allow_formula=restoring)
        data, info = self._call("PATCH", path, {"externalReferenceId": value}, budget, pace=pace)
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
            "X-Api-Key": self.settings.client_id or "",
        }

    def _call(self, method: str, path: str, body: dict[str, Any] | None,
              budget: RetryBudget | None, *,
              params: list[tuple[str, str]] | None = None,
              pace: Throttle | None = None) -> tuple[dict[str, Any], CallInfo]:
        """One intent, retried as the contract says."""
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
            if pace is not None:
                pace.wait()
            token = self._auth.token()
            try:
                resp = self.transport.send(method, url, body=payload, timeout=self.settings.timeout, params=params,
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
                    answer = resp.json()
                except (ValueError, RecursionError):  # nested past the recursion limit: no answer either
                    answer = None
                if not isinstance(answer, dict):
                    raise ServerError(resp.status_code, None, "the answer was not a JSON object",
                                      request_id=request_id, correlation_id=correlation_id)
                return answer, info
            retry_after = parse_retry_after(resp.headers.get("Retry-After"))
            error = error_from_response(resp.status_code, resp.text, request_id=request_id,
                                        correlation_id=correlation_id, retry_after=retry_after,
                                        secrets=(token, self.settings.client_id))
            error.attempts = attempts
            # Any answer ends this intent: a retry is a new intent with a new correlation ID.
            correlation_id = new_id()
            if isinstance(error, AuthenticationError):
                if not renewed_token and self._auth.invalidate(token):
                    renewed_token = True
                    continue
                # A refused credential stops here, and every later call fails at once (auth.py).
                refused = self._auth.refused(error)
                refused.attempts = attempts
                raise refused from None
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
        if retries >= self.settings.max_retries:
            return False
        if budget is not None and not budget.take():
            return False
        return True


def _values(value: str | Iterable[str] | None, name: str) -> list[str]:
    """A filter value, or several (OR). Upper-cased for order types; checked so nothing odd is sent."""
    if value is None:
        return []
    values = [value] if isinstance(value, str) else list(value)
    out = []
    for v in values:
        text = str(v).strip()
        text = text.upper() if name == "order_type" else text
        if not text or not all(ch.isalnum() or ch in "_-" for ch in text):
            raise ValueError(f"{name} {v!r} is not a valid filter value")
        out.append(text)
    return out


def _instant(value: date | datetime | str, name: str) -> str:
    """A date as Adobe reads it: ``YYYY-MM-DD`` (midnight UTC) or ISO-8601 in UTC with ``Z``."""
    if isinstance(value, datetime):
        when = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{name} {value!r} is not a date (YYYY-MM-DD) or an ISO-8601 time") from None
    return text if len(text) == 10 else _instant(parsed, name)


def _next_link(uri: str, customer: str) -> tuple[str, list[tuple[str, str]]]:
    """The path and query of ``links.next``. Only a path of this customer's history is followed:
    a link to another host or route would send our token somewhere else."""
    parts = urlsplit(uri)
    expected = f"/v3/customers/{quote(customer, safe='')}/orders"
    if parts.scheme or parts.netloc or unquote(parts.path) != unquote(expected):
        raise ResponseShapeError(f"Order history's next link {uri[:120]!r} does not point at this customer's history")
    return expected, parse_qsl(parts.query, keep_blank_values=True)


def _refused(exc: requests.RequestException) -> bool:
    """A connect that failed before sending anything (refused, unreachable, DNS, a TLS handshake)."""
    text = repr(exc)
    return "NewConnectionError" in text or "NameResolutionError" in text or _handshake_failed(exc)


#: OpenSSL's words for a TLS handshake that failed: the server never reads a request over it. (Not
#: alerts that also end an established connection mid-answer, such as BAD_RECORD_MAC.)
_HANDSHAKE_FAILURES = ("CERTIFICATE_VERIFY_FAILED", "WRONG_VERSION_NUMBER", "HANDSHAKE_FAILURE",
                       "UNSUPPORTED_PROTOCOL", "PROTOCOL_VERSION", "UNKNOWN_CA", "BAD_CERTIFICATE",
                       "CERTIFICATE_REQUIRED", "UNRECOGNIZED_NAME")


def _handshake_failed(exc: requests.RequestException) -> bool:
    return isinstance(exc, requests.exceptions.SSLError) and any(w in repr(exc) for w in _HANDSHAKE_FAILURES)


def _describe(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.ConnectTimeout):
        return "Timed out connecting to the API"
    if isinstance(exc, requests.ReadTimeout):
        return "The API did not answer in time"
    if _handshake_failed(exc):
        if "CERTIFICATE_VERIFY_FAILED" in repr(exc):
            return ("The API's TLS certificate is not trusted on this machine (behind a company proxy that "
                    "inspects HTTPS, set REQUESTS_CA_BUNDLE to its CA bundle)")
        return "The TLS handshake with the API failed (is the URL's https:// right for that host and port?)"
    if _refused(exc):
        return "Could not connect to the API"
    return "The connection to the API was dropped before an answer came"


__all__ = ["HISTORY_START", "OrdersClient"]
