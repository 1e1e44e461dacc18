"""The HTTP transport under ``OrdersClient``: one lean send path and a pool that grows with its threads.

Why not ``Session.request`` for every call: it re-merges the session's settings, cookies, hooks,
``.netrc`` and the environment's proxy variables on each request. With requests 2.3x that is
about 40 % of the client's CPU per request (the proxy scan alone walks ``os.environ`` twice), and
at 64 workers the CPU — not the network — becomes the ceiling. Everything that merge decides is
decided here once per host instead, by requests' own functions, so proxies, ``NO_PROXY`` and CA
bundles from the environment still work as with any requests program.

What is left out on purpose: cookies (the API sets none), redirects (the API sends none, and
following one would carry the bearer token elsewhere; a 3xx comes back as an answer) and ``.netrc``
(it would replace our ``Authorization`` header with Basic credentials).

Why a growing pool: urllib3 keeps at most ``pool_maxsize`` idle connections per host and *discards*
the rest after each request, so 64 threads on a pool of 32 open a new TCP connection for half of
their calls. The pool here follows the number of requests in flight: when more are in flight
than it holds, it is replaced by one at least twice as large; requests already on the old pool
finish there and their connections are closed, so no idle connection is left behind.

The adapter is requests' own ``HTTPAdapter``, used through its public methods only. (A leaner
subclass, which skipped its cookie handling and cached its pool lookups, and an up-front ``reserve``
of the batch's worker count, measured no gain in the benchmarks: see benchmarks/README.md.)
"""

from __future__ import annotations

import os
import threading
from urllib.parse import urlencode, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_environ_proxies

from .errors import ConfigurationError

DEFAULT_POOL_SIZE = 32


class Transport:
    """Sends prepared requests through one session's adapter; safe to share between threads."""

    def __init__(self, session: requests.Session, *, pool_size: int = DEFAULT_POOL_SIZE) -> None:
        self.session = session
        self._lock = threading.Lock()
        self._in_flight = 0
        self._adapters: list[HTTPAdapter] = []
        self._proxies: dict[str, dict[str, str]] = {}
        self._pool_size = 0
        self._adapter = self._mount(max(1, pool_size))

    @property
    def pool_size(self) -> int:
        """Connections kept open per host: never fewer than the requests that were in flight at once."""
        return self._pool_size

    def _mount(self, size: int) -> HTTPAdapter:
        # Called with the lock held (or from __init__). Closing the old adapter closes its idle
        # connections now; a request still running on it closes its connection when it returns.
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=size)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        for old in self._adapters:
            old.close()
        self._adapters = [adapter]
        self._pool_size = size
        return adapter

    def _proxies_for(self, url: str) -> dict[str, str]:
        """The environment's proxies for this URL's host, as requests would pick them; once per host."""
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        found = self._proxies.get(key)
        if found is None:
            found = dict(self.session.proxies)
            if self.session.trust_env:
                for scheme, proxy in get_environ_proxies(url, no_proxy=found.get("no_proxy")).items():
                    found.setdefault(scheme, proxy)
            self._proxies[key] = found
        return found

    def _verify(self, url: str) -> bool | str:
        verify = self.session.verify
        source = "the session's verify"
        if self.session.trust_env and verify is True:
            source = "REQUESTS_CA_BUNDLE" if os.environ.get("REQUESTS_CA_BUNDLE") else "CURL_CA_BUNDLE"
            verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        if isinstance(verify, str) and url.startswith("https:") and not os.path.exists(verify):
            # requests raises a bare OSError for it (no requests exception), out of every call.

            raise ConfigurationError(f"{source} names the CA bundle {verify}, which does not exist: point it "
                                     "at your CA bundle file (or folder), or unset it.")
        return True if verify is None else verify

    def send(self, method: str, url: str, *, headers: dict[str, str], body: str | None, timeout: float,
             params: list[tuple[str, str]] | None = None) -> requests.Response:
        """One HTTP request; raises what requests raises (``requests.RequestException`` subclasses).

        ``params`` become the query string, in order (a repeated name is sent repeated)."""
        request = requests.PreparedRequest()
        request.method = method
        request.url = f"{url}{'&' if '?' in url else '?'}{urlencode(params)}" if params else url
        merged: dict[str, str] = {k: v if isinstance(v, str) else v.decode("latin-1")
                                  for k, v in self.session.headers.items()}
        request.headers = CaseInsensitiveDict({**merged, **headers})
        request.body = body.encode("utf-8") if body is not None else None
        if body is not None:
            request.headers["Content-Length"] = str(len(request.body))  # type: ignore[arg-type]
        request.hooks = {"response": []}
        proxies = self._proxies_for(url)
        with self._lock:
            self._in_flight += 1
            if self._in_flight > self._pool_size:
                self._adapter = self._mount(max(self._in_flight, 2 * self._pool_size))
            adapter = self._adapter
        try:
            return adapter.send(request, timeout=timeout, proxies=proxies, verify=self._verify(url),
                                cert=self.session.cert)
        finally:
            with self._lock:
                self._in_flight -= 1

    def close(self) -> None:
        with self._lock:
            adapters, self._adapters = self._adapters, []
        for adapter in adapters:
            adapter.close()
        self.session.close()
