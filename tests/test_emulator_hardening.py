"""The emulator as a server facing hostile requests, and its state file shared by two processes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from adobe_orders.sandbox import Sandbox
from adobe_orders.sandbox.data import seed_orders
from tests.helpers import EXIT_SECONDS, default_sigint


def raw_request(port: int, head: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(head.encode("utf-8"))
        chunks = []
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def test_a_content_length_that_is_not_a_number_gets_400_and_no_traceback(capfd) -> None:
    with Sandbox() as sb:
        for value in ("abc", "-5", "1e3", "0x10", "١٢"):
            answer = raw_request(sb.port, f"PATCH /v3/customers/1/orders/2 HTTP/1.1\r\nHost: x\r\n"
                                          f"Content-Length: {value}\r\nConnection: close\r\n\r\n{{}}")
            status_line = answer.split(b"\r\n", 1)[0]
            assert status_line.startswith(b"HTTP/1.1 400"), (value, answer[:200])
            assert b"Content-Length is not a number" in answer
        assert sb.client().get_order("0001000000", "0123456000").order_id == "0123456000"  # still serving
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err + captured.out


WRITER = """
import sys
from adobe_orders.sandbox.state import EmulatorState
state = EmulatorState(state_file=sys.argv[1])
keys = [tuple(k.split("/")) for k in sys.argv[3].split(",")]
for customer, order in keys:
    state.set_reference(customer, order, sys.argv[2] + "-" + order)
"""


def test_two_processes_sharing_a_state_file_lose_no_change(tmp_path: Path) -> None:
    path = tmp_path / "emulator-state.json"
    orders = seed_orders(2026)[:240]
    halves = [orders[0::2], orders[1::2]]
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), tag,
                               ",".join(f"{o['customerId']}/{o['orderId']}" for o in half)],
                              stderr=subprocess.PIPE, text=True)
             for tag, half in zip(("A", "B"), halves, strict=True)]
    for proc in procs:
        assert proc.wait(timeout=120) == 0, proc.stderr.read() if proc.stderr else ""
    stored = {(o["customerId"], o["orderId"]): o.get("externalReferenceId")
              for o in json.loads(path.read_text())["orders"]}
    for tag, half in zip(("A", "B"), halves, strict=True):
        for o in half:
            assert stored[(o["customerId"], o["orderId"])] == f"{tag}-{o['orderId']}"


@pytest.mark.slow
def test_two_cli_applies_in_one_folder_keep_every_change(tmp_path: Path) -> None:
    """The issue's case: two `adobe-orders apply` with the embedded emulator at once, one folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_VIPM_")}
    orders = seed_orders(2026)[:160]
    files = []
    for tag, half in (("A", orders[0::2]), ("B", orders[1::2])):
        path = tmp_path / f"{tag}.csv"
        path.write_text("customerId,orderId,externalReferenceId\n" + "".join(
            f"{o['customerId']},{o['orderId']},{tag}-{o['orderId']}\n" for o in half))
        files.append(path)
    first = tmp_path / "warm.csv"  # the journal exists before the two start (its creation is another issue's)
    first.write_text(f"customerId,orderId,externalReferenceId\n{orders[0]['customerId']},{orders[0]['orderId']},W\n")

    def apply(path: Path, *extra: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "adobe_orders.cli", "apply", path.name, "--no-progress",
                                 *extra], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)

    warm = apply(first, "--dry-run")
    assert warm.wait(timeout=120) == 0, warm.communicate()
    procs = [apply(path) for path in files]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, (out, err)
    state = json.loads((tmp_path / ".adobe-orders" / "emulator-state.json").read_text())
    stored = {(o["customerId"], o["orderId"]): o.get("externalReferenceId") for o in state["orders"]}
    for tag, half in (("A", orders[0::2]), ("B", orders[1::2])):
        assert all(stored[(o["customerId"], o["orderId"])] == f"{tag}-{o['orderId']}" for o in half), tag


def test_the_cli_emulator_answers_400_to_a_bad_content_length_without_a_traceback(tmp_path: Path) -> None:
    import re
    import signal

    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_VIPM_")}
    proc = subprocess.Popen([sys.executable, "-m", "adobe_orders.cli", "sandbox", "--port", "0"], cwd=tmp_path,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=default_sigint)
    try:
        assert proc.stdout is not None
        port = None
        for _ in range(50):  # bounded: the banner is a handful of lines
            line = proc.stdout.readline()
            found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
            if found:
                port = int(found.group(1))
                break
        assert port, "the emulator printed no URL"
        answer = raw_request(port, "POST /ims/token/v3 HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n"
                                   "Connection: close\r\n\r\nx")
        assert answer.startswith(b"HTTP/1.1 400")
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=EXIT_SECONDS)
    assert "Traceback" not in err


def test_the_emulator_refuses_a_foreign_host_header_and_changes_nothing() -> None:
    """DNS rebinding: a web page whose own name now resolves to 127.0.0.1 reaches nothing."""
    with Sandbox() as sb:
        before = sb.state.snapshot()
        for head in (f"GET /_sandbox/orders HTTP/1.1\r\nHost: evil.example:{sb.port}\r\nConnection: close\r\n\r\n",
                     "PATCH /v3/customers/0001000000/orders/0123456000 HTTP/1.1\r\nHost: evil.example\r\n"
                     "Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
                     "POST /ims/token/v3 HTTP/1.1\r\nHost: 127.0.0.1.evil.example\r\nContent-Length: 0\r\n"
                     "Connection: close\r\n\r\n"):
            answer = raw_request(sb.port, head)
            assert answer.startswith(b"HTTP/1.1 403"), answer[:200]
            assert b"answers only to localhost" in answer
        for host in (f"127.0.0.1:{sb.port}", f"localhost:{sb.port}", f"[::1]:{sb.port}", "localhost"):
            answer = raw_request(sb.port, f"GET /_sandbox/orders HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
            assert answer.startswith(b"HTTP/1.1 200"), (host, answer[:200])
        assert sb.state.snapshot() == before and sb.state.token_requests == 0
        assert sb.client().get_order("0001000000", "0123456000").order_id == "0123456000"  # the client still works
