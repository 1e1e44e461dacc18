"""Small helpers several test modules share (fixtures live in conftest.py, which is not imported)."""

from __future__ import annotations

import random
import signal
import socket
from pathlib import Path

from adobe_orders.sandbox import Sandbox

#: The xdist_group of the tests that start a Jupyter server of their own (Voilà, ``adobe-orders lab``): they run
#: one after another, beside the queues of browser tests that share a JupyterLab (``LAB_QUEUES``, conftest.py).
SERVERS = "jupyter-servers"

#: How long a test lets a program it stopped take to exit. Only a hang reaches it: on a loaded 2-core machine
#: (a CPU hog beside four test processes) a stopped emulator took over 10 s, and JupyterLab over 40 s.
EXIT_SECONDS = 120


def default_sigint() -> None:
    """``preexec_fn`` for a program a test stops with SIGINT, as Ctrl-C would. A suite started in the background
    (``cmd &`` in a script, ``nohup``, some CI runners) has SIGINT ignored, its programs inherit that, and
    Python then never turns SIGINT into KeyboardInterrupt: the program would not stop, and the test would
    wait for nothing."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def v3(sandbox: Sandbox) -> list[dict]:
    """The emulator's log of API calls, without its own /_sandbox and token routes."""
    return [e for e in sandbox.requests if e["path"].startswith("/v3/")]


def server_port() -> int:
    """A free port on 127.0.0.1 for a server a test starts as a separate program (JupyterLab, Voilà, Postgres).

    Not one the system handed out for port 0: that is its ephemeral range, from which every outgoing
    connection and every emulator of a test running beside this one takes ports too, so in the seconds
    the program needs to start, its port could be taken. Below that range only explicit binds compete."""
    low = 32768
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        pass
    for _ in range(100):
        port = random.randrange(max(1024, low - 12000), low)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")
