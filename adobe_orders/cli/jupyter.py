"""``lab`` and ``app``: JupyterLab and Voilà, run as child servers on 127.0.0.1 that stop when we stop.

A child left running would hold its port and its kernels after the terminal is closed, so
``run_child`` ties its life to ours. Both answer only their user: a random token per start (in
the address printed), ``Host`` headers limited to local names, websockets only from their own
origin (see ``adobe_orders.app.server`` for why that matters).
"""

from __future__ import annotations

import argparse
import ctypes
import importlib.util
import os
import secrets
import signal
import socket
import subprocess
import sys
from pathlib import Path

from ..errors import AdobeOrdersError
from ..terminal import pip_install_extra
from .console import Console

LAB_LOCKS = ("--ServerApp.allow_remote_access=False", "--ServerApp.local_hostnames=localhost",
             "--ServerApp.allow_origin=", "--ServerApp.allow_origin_pat=")


def cmd_lab(args: argparse.Namespace, console: Console) -> int:
    notebooks = Path(__file__).resolve().parents[2] / "notebooks"  # the checkout: adobe_orders/cli/ is two down
    folder = notebooks if notebooks.is_dir() else Path.cwd()
    if importlib.util.find_spec("jupyterlab") is None:
        raise AdobeOrdersError(f"JupyterLab is not installed in this environment; run: {pip_install_extra('lab')}")
    console.say(f"Starting JupyterLab on {folder}; the notebooks use the local emulator unless .env says otherwise. "
          "Ctrl+C stops it.", flush=True)
    # Lab's own defaults on 127.0.0.1 already are a random token, a Host check and same-origin
    # websockets; they are spelled out so a jupyter_server_config.py cannot quietly open them up
    command = [sys.executable, "-m", "jupyterlab", "--ip=127.0.0.1", f"--port={args.port}",
               f"--ServerApp.root_dir={folder}", *LAB_LOCKS]
    if args.no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers often run as root; Lab refuses it otherwise
        command.append("--allow-root")
    return run_child(command, console)


def cmd_app(args: argparse.Namespace, console: Console) -> int:
    """Voilà on 127.0.0.1 runs the app notebook; its kernel works in this folder (journal, .env, results)."""
    from ..app import NOTEBOOK, WORKDIR_ENV  # ipywidgets loads with the app: only for this command
    from ..app.server import TOKEN_ENV


    if importlib.util.find_spec("voila") is None:
        raise AdobeOrdersError(f"Voilà is not installed in this environment; run: {pip_install_extra('app')}")
    _require_free_port(args.port)
    token = secrets.token_urlsafe(32)  # a new one every start, as JupyterLab does
    console.say(f"Serving the adobe-orders app for this folder ({Path.cwd()}); it talks to the local emulator unless "
          ".env says otherwise. Ctrl+C stops it. Open it (the address holds this run's token; without it "
          f"the app answers nobody):\n    http://127.0.0.1:{args.port}/?token={token}", flush=True)
    command = [sys.executable, "-m", "adobe_orders.app.server", str(NOTEBOOK), "--Voila.ip=127.0.0.1",
               f"--port={args.port}", "--show_tracebacks=False", "--strip_sources=True",
               "--Voila.port_retries=0"]  # the address printed above is the one served, or it fails clearly
    if args.no_browser:
        command.append("--no-browser")
    # the token goes in the child's environment, never on a command line another user can read; the folder too,
    # so calling main() from Python leaves this process's environment as it was
    return run_child(command, console, env={**os.environ, TOKEN_ENV: token, WORKDIR_ENV: str(Path.cwd())})


def _require_free_port(port: int) -> None:
    """The app is served on exactly the port its printed address names: one in use is said before any
    address is printed (Voilà would say "trying another port", try none, and fail after the address
    was shown, an address another program answers)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise AdobeOrdersError(f"The port {port} on 127.0.0.1 is in use (another app, or Lab?); choose "
                                   "another with --port.") from None


def run_child(command: list[str], console: Console, env: dict[str, str] | None = None) -> int:
    """Run a server child until it ends, and stop it with us: on Ctrl-C, on SIGTERM, on our death.

    The child gets its own session, so a terminal's Ctrl-C reaches only us and we stop the child
    with SIGTERM (JupyterLab shuts its kernels down on SIGTERM; on SIGINT it would ask a question
    nobody sees). On Linux the child also gets SIGTERM if we are killed outright.
    """
    def _on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _on_term)
    child = subprocess.Popen(command, env=env, start_new_session=True, preexec_fn=_die_with_parent)
    try:
        return child.wait()
    except KeyboardInterrupt:
        child.terminate()
        try:
            child.wait(30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        console.say("Stopped.", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to send SIGTERM if the parent dies (kill -9 included)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except OSError:
            pass
