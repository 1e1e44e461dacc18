"""The Voilà server behind ``adobe-orders app``, locked down as JupyterLab is by default.

The app's kernel runs with the folder's ``.env`` (production credentials included), so whoever can
drive its widgets can change real orders. Standalone Voilà serves without a token and answers any
``Host`` header, which lets any web page the analyst visits reach it by DNS rebinding (a name that
resolves to 127.0.0.1) and lets another user of the machine drive it. Here, with Jupyter server's
own settings:

- a token (random per start, given by ``adobe-orders app`` in :data:`TOKEN_ENV` and printed in the
  address it shows): a request without it, or without the cookie it sets, is refused;
- ``allow_remote_access=False`` with ``local_hostnames=["localhost"]``: a ``Host`` header other than
  ``localhost`` or a loopback address (``127.0.0.1``, ``[::1]``) is refused with 403, so a rebound
  name reaches nothing;
- ``allow_origin`` empty: a kernel websocket whose ``Origin`` is not the page's own host is refused;
- Jupyter server's request logger, which hides ``token=`` in the addresses it logs: Voilà keeps
  tornado's, which writes every refused or failed request's address, token included, to the log.

Run as ``python -m adobe_orders.app.server NOTEBOOK [voila options]``; the token never appears on a
command line (other users can read those). It is taken out of the server's environment at once
(a kernel still sees the page's query string, which Voilà passes it as ``QUERY_STRING``; only this
user can read a process's environment).
"""

from __future__ import annotations

import os
import sys
import tempfile
import webbrowser
from collections.abc import Sequence
from functools import partial
from html import escape
from pathlib import Path
from typing import Any

#: The environment variable ``adobe-orders app`` passes the token in (never on the command line).
TOKEN_ENV = "ADOBE_ORDERS_APP_TOKEN"

#: Jupyter server's Host and Origin checks; these win over any Voilà config file.
LOCKED_SETTINGS: dict[str, Any] = {
    "allow_remote_access": False,  # Voilà sets True; False turns on the Host check
    "local_hostnames": ["localhost"],  # loopback IP literals (127.0.0.1, ::1) pass by address
    "allow_origin": "",  # a websocket's Origin must be the page's own host
    "allow_origin_pat": "",
    "allow_unauthenticated_access": False,
}


def main(argv: Sequence[str] | None = None) -> None:
    from voila.app import Voila  # Voilà loads only in the app's own process: the CLI imports TOKEN_ENV from here

    token = os.environ.pop(TOKEN_ENV, "")
    if not token:
        sys.exit(f"{TOKEN_ENV} is not set: the app is started by `adobe-orders app`, which makes a token.")

    class LockedVoila(Voila):
        def start(self) -> None:
            from jupyter_server.log import log_request  # with Voilà, above

            scrubbed_log = {"log_function": partial(log_request, record_prometheus_metrics=False)}
            self.tornado_settings = {**self.tornado_settings, **LOCKED_SETTINGS,  # type: ignore[has-type]
                                     **scrubbed_log}
            super().start()

        def launch_browser(self) -> None:
            """Open the address with its token, through a private file (as JupyterLab does), so the
            token is not on the browser's command line."""
            url = f"http://{self.ip}:{self.port}/?token={token}"
            fd, name = tempfile.mkstemp(suffix=".html")  # readable by this user only
            with open(fd, "w", encoding="utf-8") as page:
                page.write(f'<!doctype html><meta http-equiv="refresh" content="0;url={escape(url)}">')
            webbrowser.open(Path(name).as_uri())

    LockedVoila.launch_instance(list(sys.argv[1:] if argv is None else argv), token=token)


if __name__ == "__main__":
    main()
