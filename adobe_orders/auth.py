"""OAuth server-to-server tokens from Adobe IMS, cached and renewed before they expire.

IMS issues no refresh token (api-contract, "Authentication"): we ask for a new one when the
current one is within a margin of expiry, and once more after a 401. One lock keeps sixteen
batch workers from fetching sixteen tokens at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import requests

from .errors import AuthenticationError, TransportError, error_from_response

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
        self.fetch_count = 0

    def __repr__(self) -> str:
        return f"TokenProvider(url={self._url!r}, client_id=<hidden>, token=<hidden>)"

    @property
    def can_renew(self) -> bool:
        return bool(self._client_secret and self._url)

    def token(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._renew_at:
                if not self.can_renew:
                    raise AuthenticationError(
                        401, None, "the access token given in ADOBE_VIPM_ACCESS_TOKEN has expired "
                        "or was refused, and there is no client secret to get a new one"
                    )
                self._fetch()
            assert self._token is not None
            return self._token

    def invalidate(self, token: str) -> bool:
        """Forget ``token`` after a 401; True when a new one can be fetched."""
        with self._lock:
            if self._token == token:
                self._token = None
                self._renew_at = 0.0
        return self.can_renew

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
                                      headers={"Accept": "application/json"})
        except requests.RequestException as exc:
            raise TransportError(f"Could not reach the token service ({type(exc).__name__})",
                                 may_have_been_applied=False) from None
        self.fetch_count += 1
        if resp.status_code != 200:
            err = error_from_response(resp.status_code, resp.text, request_id=None, correlation_id=None)
            raise AuthenticationError(
                resp.status_code, err.code, f"the token service refused the credentials: {err.message}",
                err.details,
            )
        body = resp.json()
        self._token = str(body["access_token"])
        lifetime = float(body.get("expires_in", 86399))
        self._renew_at = self._clock() + lifetime - min(RENEW_MARGIN, lifetime / 10)
