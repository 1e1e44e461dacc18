"""Which API a command talks to: the client from the settings, announced on stderr, and the production guard.

Every command that reads or changes orders connects here, so the ``API:`` line always comes first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import AdobeOrdersError
from .output import Console

if TYPE_CHECKING:  # the client loads only for the commands that need it
    from ..client import OrdersClient

def connect(console: Console) -> OrdersClient:
    """The client the settings choose (``adobe_orders.connect``), named on stderr first. The embedded
    emulator keeps its orders in the workspace, so one command sees what the last one (or a notebook) changed."""
    from ..connection import connect as connect_workspace  # the client loads only for commands that need it

    client = connect_workspace(announce=False)  # the "API:" line below says it
    console.warn(f"API: {client.label}")
    return client


def require_yes(client: OrdersClient, yes: bool, what: str) -> None:
    """A change in production needs ``--yes``: a command pasted into the wrong shell must not touch real orders."""
    if client.needs_confirmation and not yes:
        raise AdobeOrdersError(f"This would {what} in PRODUCTION ({client.base_url}); add --yes to confirm.")
