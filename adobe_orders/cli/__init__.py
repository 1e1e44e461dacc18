"""``adobe-orders``: the same operations as the library, from a terminal.

Every command says first which API it talks to. A wrong argument gives usage and exit 2; a
refused input or an API error gives one plain line and exit 1 — never a traceback. The exit codes
are in ``EXIT_CODES`` (and ``--help``, and the README).

The package's face: ``main`` (the console script, ``python -m adobe_orders[.cli]``) and the names other
code and tests have always imported from ``adobe_orders.cli``. ``parser`` holds the grammar,
``dispatch`` runs a command; each command group has its own module.
"""

from __future__ import annotations

from .argtypes import ORDER_TYPE_NAMES
from .dispatch import main
from .exit_codes import (
    EXIT_CODES,
    EXIT_ERROR,
    EXIT_FAILED_ROWS,
    EXIT_INTERRUPTED,
    EXIT_NOTHING,
    EXIT_OK,
    EXIT_ROWS,
    EXIT_USAGE,
    ORDERS_EXIT_CODES,
)
from .jupyter_servers import run_child
from .orders import ORDER_TABLE
from .output import command, json_text
from .parser import build_parser

_parser = build_parser  # its name when cli was one module; tests/test_ux_cli.py reads every --help through it

__all__ = [
    "EXIT_CODES", "EXIT_ERROR", "EXIT_FAILED_ROWS", "EXIT_INTERRUPTED", "EXIT_NOTHING", "EXIT_OK",
    "EXIT_ROWS", "EXIT_USAGE", "ORDERS_EXIT_CODES", "ORDER_TABLE", "ORDER_TYPE_NAMES", "build_parser", "command",
    "json_text", "main", "run_child",
]
