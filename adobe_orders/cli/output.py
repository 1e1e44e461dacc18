"""What the CLI hands the user to read, paste or open: JSON on stdout, command lines, table files.

Every command makes these the same way, so a script parses every JSON document alike and every
printed command can be pasted as it stands.
"""

from __future__ import annotations

import json
import shlex
from typing import TYPE_CHECKING, TextIO

from ..export import write_table
from ..terminal import PrintableStream, command_prefix

if TYPE_CHECKING:  # pandas loads only for the commands that need it
    import pandas as pd


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
