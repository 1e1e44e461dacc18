"""Where a command writes and what it hands the user: the ``Console`` (stdout and stderr, escaped),
JSON for scripts, command lines to paste, table files; and which API it talks to, said first on
stderr (``connect``), with the production guard (``require_yes``)."""

from __future__ import annotations

import json
import shlex
from typing import TYPE_CHECKING, TextIO

from ..errors import AdobeOrdersError
from ..export import write_table
from ..terminal import PrintableStream, command_prefix

if TYPE_CHECKING:
    import pandas as pd

    from ..client import OrdersClient


# JSON leaves DEL and the C1 controls raw, and stdout would show them as \x85, which no JSON parser reads:
# written as JSON's own \u0085 they are both shown (not obeyed by the terminal) and valid.
_JSON_ESCAPES = {c: f"\\u{c:04x}" for c in range(0x7F, 0xA0)}


class Console:
    """Where a command writes: the streams ``main`` was given, each showing escaped what a terminal
    would obey (``terminal.printable``). Handed to every command, so the process's ``sys.stdout`` and
    ``sys.stderr`` are never replaced (an embedding program or a notebook keeps its own)."""

    def __init__(self, stdout: TextIO, stderr: TextIO) -> None:
        self.out = PrintableStream(stdout)
        self.err = PrintableStream(stderr)

    def say(self, text: str = "", *, flush: bool = False) -> None:
        """A line of the command's output (stdout)."""
        print(text, file=self.out, flush=flush)

    def warn(self, text: str, *, flush: bool = False) -> None:
        """A line about the run rather than its result (stderr): which API, a refusal, a warning."""
        print(text, file=self.err, flush=flush)


def json_text(value: object) -> str:
    """``value`` as JSON for stdout: readable (non-ASCII as is), and still valid JSON after the CLI's
    stdout escapes what a terminal would obey (``terminal.printable``)."""
    return json.dumps(value, indent=2, ensure_ascii=False).translate(_JSON_ESCAPES)


def command(*words: str) -> str:
    """A command line the user can paste as is, started the way this one was (``terminal.command_prefix``)."""
    return f"{command_prefix()} {shlex.join(words)}"


def save_table(frame: pd.DataFrame, out: str) -> None:
    """CSV or XLSX by the name, formula-like cells neutralised (adobe_orders.export)."""
    write_table(frame, out)


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
