"""Which API a command talks to: the client from the settings, announced on stderr, and the production guard.

Every command that reads or changes orders connects here, so the ``API:`` line always comes first and
the embedded emulator keeps its orders in the workspace from one command to the next.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import AdobeOrdersError

if TYPE_CHECKING:  # the client loads only for the commands that need it
    from ..client import OrdersClient

EMULATOR_STATE = Path(".adobe-orders") / "emulator-state.json"


def connect() -> OrdersClient:
    """The client the settings choose, named on stderr first; the embedded emulator keeps its orders in the
    workspace (``EMULATOR_STATE``), so one command sees what the last one changed."""
    from .. import client as client_module
    from ..client import OrdersClient

    os.environ.setdefault("ADOBE_VIPM_EMULATOR_STATE", str(EMULATOR_STATE))
    client_module.ANNOUNCE_EMBEDDED = False  # the "API:" line below says it
    client = OrdersClient.from_env()
    print(f"API: {client.label}", file=sys.stderr)
    return client


def require_yes(client: OrdersClient, yes: bool, what: str) -> None:
    """A change in production needs ``--yes``: a command pasted into the wrong shell must not touch real orders."""
    if client.needs_confirmation and not yes:
        raise AdobeOrdersError(f"This would {what} in PRODUCTION ({client.base_url}); add --yes to confirm.")
