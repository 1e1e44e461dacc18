"""OAuth server-to-server tokens from Adobe IMS, cached and renewed before they expire.

IMS issues no refresh token (api-contract, "Authentication"): we ask for a new one when the
current one is within a margin of expiry, and once more after a 401. One lock keeps sixteen
batch workers from fetching sixteen tokens at once.

A refusal is remembered: once IMS refuses the client ID and secret, once the API refuses a token
IMS has just issued, once the API refuses ADOBE_VIPM_ACCESS_TOKEN, or once the token service answers
with something that is not a token, every later call raises ``CredentialsRefused`` at once —
so a wrong secret costs at most two token requests, not one per row of a 360-row batch.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import requests
from urllib3.util import parse_url

from .errors import ApiError, ConfigurationError, CredentialsRefused, TransportError, error_from_response

RENEW_MARGIN = 300.0  # seconds before expiry at which a token is replaced (at most a tenth of its life)


class TokenProvider:
    def __init__(
        self,
        session: requests.Session,
        ims_url: str | None,
        client_id: str | None,
        client_secret: str | None,
        scopes: str,
        timeout: float,
        *,
        access_token: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session = session
        self._url = f"{ims_url}/ims/token/v3" if ims_url else None
        self._client_id = client_id
        self._client_secret = client_secret
        self._scopes = scopes
        self._timeout = timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._token = access_token
        self._renew_at = float("inf") if access_token else 0.0
        self._refused: tuple[int, str | None, str, str] | None = None
        self.fetch_count = 0

    def __repr__(self) -> str:
        return f"TokenProvider(url={self._url!r}, client_id=<hidden>, token=<hidden>)"

    @property
    def can_renew(self) -> bool:
        return bool(self._client_secret and self._url)

    def token(self) -> str:
        with self._lock:
            if self._refused is not None:
                raise self._refusal()
            if self._token is None or self._clock() >= self._renew_at:
                if not self.can_renew:
                    self._refuse(401, None, "the access token in ADOBE_VIPM_ACCESS_TOKEN has expired or was refused",
                                 TOKEN_ADVICE)
                    raise self._refusal()
                self._fetch()
            assert self._token is not None
            return self._token

    def invalidate(self, token: str) -> bool:
        """Forget ``token`` after a 401; True when a new one can be fetched."""
        with self._lock:
            if self._token == token:
                self._token = None
                self._renew_at = 0.0
        return self.can_renew and self._refused is None

    def refused(self, error: ApiError) -> CredentialsRefused:
        """The API refused a token (``error``, a 401) that cannot be replaced, or that was just
        replaced after an earlier 401: remember why, and return the error to raise."""
        with self._lock:
            if self._refused is None:
                if not self._client_secret:
                    self._refuse(error.status_code, error.code,
                                 f"the API refused the access token in ADOBE_VIPM_ACCESS_TOKEN ({error.message})",
                                 TOKEN_ADVICE)
                else:
                    self._refuse(error.status_code, error.code,
                                 f"the API refused a token the token service had just issued ({error.message})",
                                 "The client ID and secret are accepted by the token service, but this API does "
                                 "not accept their tokens: check that ADOBE_VIPM_CLIENT_ID belongs to this "
                                 "environment (sandbox credentials do not work in production) and is enabled "
                                 "for the partner API.")
            return self._refusal()

    def _refuse(self, status: int, code: str | None, message: str, advice: str) -> None:
        self._refused = (status, code, message, advice)

    def _refusal(self) -> CredentialsRefused:
        assert self._refused is not None
        status, code, message, advice = self._refused
        return CredentialsRefused(status, code, message, advice=advice)

    def _fetch(self) -> None:
        assert self._url is not None
        data = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "scope": self._scopes,
        }
        try:
            resp = self._session.post(self._url, data=data, timeout=self._timeout,
                                      headers={"Accept": "application/json"}, allow_redirects=False)
        except requests.RequestException as exc:
            raise TransportError(f"Could not reach the token service at {_host_and_port(self._url)} "
                                 f"({type(exc).__name__})", may_have_been_applied=False) from None
        except OSError as exc:  # requests' own, no requests exception: a CA bundle path that does not exist
            raise ConfigurationError(f"Could not reach the token service: {exc} (check REQUESTS_CA_BUNDLE / "
                                     "CURL_CA_BUNDLE).") from None
        self.fetch_count += 1
        if resp.status_code in REFUSED:
            err = error_from_response(resp.status_code, resp.text, request_id=None, correlation_id=None,
                                      secrets=(self._client_id, self._client_secret))
            self._refuse(resp.status_code, err.code,
                         f"the token service refused the client ID and secret ({err.message or 'no reason given'})",
                         SECRET_ADVICE)
            raise self._refusal()
        if resp.status_code != 200:
            err = error_from_response(resp.status_code, resp.text, request_id=None, correlation_id=None,
                                      secrets=(self._client_id, self._client_secret))
            if resp.status_code >= 500:  # IMS is having a bad moment; the next call may ask again
                raise type(err)(resp.status_code, err.code, f"the token service failed: {err.message}")
            self._refuse(resp.status_code, err.code,
                         f"the token service at {self._url} answered HTTP {resp.status_code}, not a token",
                         IMS_URL_ADVICE)
            raise self._refusal()
        token, lifetime, problem = read_token(resp)
        if problem is not None:
            self._refuse(200, None, f"the token service at {self._url} answered {problem}, not a token",
                         IMS_URL_ADVICE)
            raise self._refusal()
        assert token is not None
        self._token = token
        self._renew_at = self._clock() + lifetime - min(RENEW_MARGIN, lifetime / 10)


REFUSED = (400, 401, 403)  # IMS: invalid_client, unauthorized_client, invalid_scope ...
SECRET_ADVICE = ("Check ADOBE_VIPM_CLIENT_ID and ADOBE_VIPM_CLIENT_SECRET (and ADOBE_VIPM_SCOPES) in .env; "
                 "nothing was sent to the API.")
TOKEN_ADVICE = ("Get a new access token and put it in ADOBE_VIPM_ACCESS_TOKEN, or set ADOBE_VIPM_CLIENT_SECRET "
                "instead so tokens are fetched and renewed automatically.")
IMS_URL_ADVICE = ("Check ADOBE_VIPM_IMS_URL (or ADOBE_VIPM_ENV): it should be Adobe's IMS, e.g. "
                  "https://ims-na1.adobelogin.com; nothing was sent to the API.")


def _host_and_port(url: str) -> str:
    """``host:port`` of ``url`` (the scheme's port when none is written), as a network error names it."""
    parts = parse_url(url)
    return f"{parts.host}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


def read_token(resp: requests.Response) -> tuple[str | None, float, str | None]:
    """(token, lifetime, None), or (None, 0, what came back instead) for an answer that is no token."""
    text = resp.text or ""
    ctype = (resp.headers.get("Content-Type") or "").split(";")[0].strip() or "no content type"
    try:
        body = resp.json()
    except (ValueError, RecursionError):  # RecursionError: nested deeper than json can follow
        if not text.strip():
            return None, 0.0, "an empty body"
        kind = "an HTML page" if text.lstrip()[:1] == "<" or "html" in ctype else "text that is not JSON"
        return None, 0.0, f"{kind} ({ctype}, {len(resp.content)} bytes)"
    if not isinstance(body, dict):
        return None, 0.0, f"a JSON {type(body).__name__.replace('list', 'array')} instead of an object"
    token = body.get("access_token")
    if not isinstance(token, str) or not token.strip() or any(ch.isspace() for ch in token.strip()):
        keys = ", ".join(sorted(map(str, body))[:6]) or "no fields"
        return None, 0.0, f"a JSON object without a usable access_token (fields: {keys})"
    lifetime = body.get("expires_in", 86399)
    try:
        seconds = float(lifetime)
    except (TypeError, ValueError):
        return None, 0.0, "a token whose expires_in is not a number"
    if not (seconds == seconds and 0 < seconds < float("inf")):
        return None, 0.0, "a token whose expires_in is not a positive number"
    return token.strip(), seconds, None
