"""Small helpers several test modules share (fixtures live in conftest.py, which is not imported)."""

from __future__ import annotations

from adobe_orders.sandbox import Sandbox

#: The xdist_group of every test that starts JupyterLab or Voilà: they run one after another (conftest.py).
SERVERS = "jupyter-servers"


def v3(sandbox: Sandbox) -> list[dict]:
    """The emulator's log of API calls, without its own /_sandbox and token routes."""
    return [e for e in sandbox.requests if e["path"].startswith("/v3/")]
