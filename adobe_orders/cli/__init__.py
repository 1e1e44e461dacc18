"""``main``: parse the command line, run the command, and turn every refusal into one line and an exit code.

Every command writes through the ``Console`` it is handed, so nothing a terminal would obey is printed
(``terminal.PrintableStream``) and the process's own ``sys.stdout``/``sys.stderr`` are left alone; Ctrl-C
outside a batch is exit 130, never a traceback.
"""

from __future__ import annotations

import signal
import sys
import threading
import warnings
from collections.abc import Sequence
from typing import TextIO

from ..config import SettingsWarning, warn_unknown_variables
from ..errors import AdobeOrdersError, ConfigurationError
from .batches import cmd_apply, cmd_undo
from .console import Console, connect, require_yes
from .demo import cmd_demo, cmd_reset_demo, cmd_sandbox
from .exit_codes import EXIT_ERROR, EXIT_INTERRUPTED
from .journal import cmd_history, cmd_journal
from .jupyter import cmd_app, cmd_lab
from .one_order import print_order, update_order
from .orders import cmd_orders
from .parser import build_parser


def settings_warnings_as_lines(console: Console) -> None:
    """A misspelled ``ADOBE_VIPM_*`` name is said once, as ``adobe-orders: warning: …`` (not Python's
    ``file:line: SettingsWarning``), whichever command runs: ``history`` or ``sandbox`` never read the
    settings, and a misspelled journal variable matters to them too."""
    shown: set[str] = set()
    python_way = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: TextIO | None = None, line: str | None = None) -> None:
        if not issubclass(category, SettingsWarning):
            python_way(message, category, filename, lineno, file, line)
        elif str(message) not in shown:
            shown.add(str(message))
            console.warn(f"adobe-orders: warning: {message}")

    warnings.showwarning = show
    warnings.simplefilter("always", SettingsWarning)  # said by this call and again by the settings: shown once
    try:
        warn_unknown_variables()
    except ConfigurationError:  # an unreadable .env: the command that reads it says so
        pass


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run one command; its output goes to ``stdout``/``stderr`` (default: the process's streams)."""
    args = build_parser().parse_args(argv)
    console = Console(stdout or sys.stdout, stderr or sys.stderr)
    handlers = {
        "apply": cmd_apply, "undo": cmd_undo, "history": cmd_history, "journal": cmd_journal,
        "sandbox": cmd_sandbox,
        "orders": cmd_orders,
        "lab": cmd_lab, "app": cmd_app, "reset-demo": cmd_reset_demo, "demo": cmd_demo,
    }

    interrupts = signal.getsignal(signal.SIGINT)
    python_warnings = warnings.catch_warnings()  # the filter and printer below last this run only
    python_warnings.__enter__()
    try:
        settings_warnings_as_lines(console)
        if args.command in handlers:
            return handlers[args.command](args, console)
        client = connect(console)
        if args.command == "get":
            print_order(client.get_order(args.customer_id, args.order_id), args.json, console)
            return 0
        require_yes(client, args.yes, f"change order {args.order_id}")
        return update_order(client, args, console)
    except (AdobeOrdersError, KeyError, ValueError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        console.warn(f"adobe-orders: error: {message}")
        return EXIT_ERROR
    except KeyboardInterrupt:  # outside a batch (a batch stops itself and reports, exit 130)
        console.warn("adobe-orders: interrupted.")
        return EXIT_INTERRUPTED
    finally:
        python_warnings.__exit__(None, None, None)
        if threading.current_thread() is threading.main_thread():
            # in-process (main([...])): leave no trace; as a program: the process is ending, and a late
            # Ctrl-C must not turn exit 130 into death by signal while the interpreter shuts down
            signal.signal(signal.SIGINT, interrupts if argv is not None and interrupts is not None
                          else signal.SIG_IGN)
