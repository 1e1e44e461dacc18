"""Only the app's user can drive it: ``adobe-orders app`` and ``adobe-orders lab`` against a hostile browser.

The app's kernel holds the folder's ``.env`` (production credentials included). A web page the analyst
visits can reach 127.0.0.1 by DNS rebinding (its own name, re-pointed at 127.0.0.1: the browser then
sends ``Host: evil.example:PORT`` and ``Origin: http://evil.example:PORT``), and another user of the
machine can reach it directly. So: the printed address (with this start's token) opens the app and its
widgets drive; the same address without the token, under a foreign ``Host``, or a kernel websocket from
another origin, reaches nothing. Chromium resolves ``evil.example`` to 127.0.0.1 here
(``--host-resolver-rules`` in the launch arguments), as a rebinding attack makes it.
"""

from __future__ import annotations

import base64
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from tests.e2e.helpers import ROOT, App, free_port, jupyter_env, stop, wait_http

pytestmark = pytest.mark.browser
EVIL = "evil.example"  # mapped to 127.0.0.1 in Chromium's launch arguments (helpers.LAUNCH_ARGS)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[App, str]]:
    pytest.importorskip("voila")
    server = App(tmp_path_factory.mktemp("app-access"))
    try:
        yield server, server.printed_url()
    finally:
        server.stop()


def websocket_status(port: int, path: str, *, origin: str, host: str | None = None,
                     cookie: str | None = None) -> int:
    """The HTTP status a websocket handshake gets (101 = accepted), sent as a browser would."""
    lines = [f"GET {path} HTTP/1.1", f"Host: {host or f'127.0.0.1:{port}'}", "Upgrade: websocket",
             "Connection: Upgrade", "Sec-WebSocket-Version: 13",
             f"Sec-WebSocket-Key: {base64.b64encode(secrets.token_bytes(16)).decode()}", f"Origin: {origin}"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = s.recv(4096).decode("latin-1")
    return int(head.split()[1])


def cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def test_the_printed_address_holds_a_fresh_token_and_opens_the_app(app: tuple[App, str], page: Any) -> None:
    from playwright.sync_api import expect

    server, url = app
    token = re.search(r"[?&]token=([^&\s]+)", url)
    assert url.startswith(f"http://127.0.0.1:{server.port}/") and token and len(token.group(1)) >= 32
    assert token.group(1) not in Path(f"/proc/{server.proc.pid}/cmdline").read_text(), "on a command line"
    page.goto(url, timeout=90_000)
    panel = page.locator(".ao-batch-panel").first
    expect(panel).to_be_visible(timeout=90_000)
    with page.expect_file_chooser() as chooser:  # a widget drives: the kernel reads the file and answers
        panel.locator(".widget-upload").click()
    chooser.value.set_files(str(ROOT / "examples" / "updates.csv"))
    expect(panel).to_contain_text("18 ready", timeout=30_000)
    # the Voilà server and the kernel driving the page: the token is on no command line (any user reads those;
    # an environment only its own user and root can read, and Voilà hands the kernel the page's query string)
    processes = descendants(server.proc.pid)
    assert len(processes) >= 2
    for pid in processes:
        assert token.group(1) not in Path(f"/proc/{pid}/cmdline").read_text(errors="replace"), pid


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``, parents before children (Linux /proc)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in map(int, task.joinpath("children").read_text().split()):
            found += [child, *descendants(child)]
    return found


def test_without_the_token_the_app_answers_nobody(app: tuple[App, str], page: Any) -> None:
    server, _ = app
    for bare in (server.base + "/", server.base + "/?token=" + "0" * 43):
        reply = requests.get(bare, allow_redirects=False, timeout=30)
        assert reply.status_code in (302, 403) and "/login" in reply.headers.get("Location", "/login"), bare
        page.goto(bare, timeout=60_000)
        page.wait_for_load_state("networkidle", timeout=60_000)
        assert page.locator(".ao-batch-panel").count() == 0 and page.locator(".jupyter-widgets").count() == 0
        assert "/login" in page.url
    kernel = "/api/kernels/00000000-0000-4000-8000-000000000000"
    assert requests.get(server.base + kernel, allow_redirects=False, timeout=30).status_code == 403


def test_a_rebound_name_reaches_nothing(app: tuple[App, str], page: Any) -> None:
    """The browser's address bar says evil.example:PORT and it resolves to 127.0.0.1: refused, token or not."""
    server, url = app
    evil_url = url.replace("127.0.0.1", EVIL)
    reply = page.goto(evil_url, timeout=60_000)
    assert reply is not None and reply.status == 403
    assert page.locator(".ao-batch-panel").count() == 0 and page.locator(".jupyter-widgets").count() == 0
    # (Voilà's own static JavaScript, the same in every install, is served to anyone, as Jupyter's is)
    for path in ("/", urlsplit(url).path + "?" + urlsplit(url).query, "/api/kernels", "/login"):
        reply = requests.get(server.base + path, headers={"Host": f"{EVIL}:{server.port}"}, timeout=30,
                             allow_redirects=False)
        assert reply.status_code == 403, (path, reply.status_code)
    for host in ("localhost", "127.0.0.1", "[::1]"):  # the local names still work
        reply = requests.get(url, headers={"Host": f"{host}:{server.port}"}, timeout=60)
        assert reply.status_code == 200, host


def test_the_token_never_shows_in_the_server_log(app: tuple[App, str]) -> None:
    """Refused and failed requests are logged with their address; the token in it is the key to the
    app (a log kept in a file, or pasted into a ticket, must not hand it over)."""
    server, url = app
    token = re.search(r"[?&]token=([^&\s]+)", url)
    assert token
    refused = requests.get(url, headers={"Host": f"{EVIL}:{server.port}"}, timeout=30, allow_redirects=False)
    missing = requests.get(f"{server.base}/voila/files/nothing-here.png?token={token.group(1)}", timeout=30,
                           allow_redirects=False)
    assert refused.status_code == 403 and missing.status_code >= 400
    deadline = time.monotonic() + 30
    while "nothing-here.png" not in server.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)  # the log line is written after the answer is sent
    log = server.log.read_text()
    assert "nothing-here.png" in log and "403 GET" in log
    assert token.group(1) not in log


def test_a_kernel_websocket_from_another_origin_is_refused(app: tuple[App, str]) -> None:
    server, url = app
    session = requests.Session()
    html = session.get(url, timeout=90).text  # as the browser does: the token sets the login cookie
    kernel = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', html)
    assert kernel, "no kernel id in the page"
    path, own = f"/api/kernels/{kernel.group(1)}/channels", f"http://127.0.0.1:{server.port}"
    cookie = cookie_header(session)
    assert websocket_status(server.port, path, origin=own, cookie=cookie) == 101  # the page's own: accepted
    for origin in (f"http://{EVIL}", f"http://{EVIL}:{server.port}", f"http://localhost:{server.port}",
                   "null"):
        assert websocket_status(server.port, path, origin=origin, cookie=cookie) == 403, origin
    # DNS rebinding: Host and Origin both the attacker's, with the victim's cookie or without
    assert websocket_status(server.port, path, origin=f"http://{EVIL}:{server.port}",
                            host=f"{EVIL}:{server.port}", cookie=cookie) == 403
    assert websocket_status(server.port, path, origin=own) == 403  # no token, no cookie


@pytest.fixture(scope="module")
def lab_command(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, str]]:
    """``adobe-orders lab`` itself (not the test suite's own Lab), with a token the test knows."""
    pytest.importorskip("jupyterlab")
    tmp = tmp_path_factory.mktemp("lab-access")
    port, token = free_port(), secrets.token_hex(24)
    env = {**jupyter_env(tmp), "JUPYTER_TOKEN": token}
    proc = subprocess.Popen([sys.executable, "-m", "adobe_orders", "lab", "--no-browser", "--port", str(port)],
                            cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(f"http://127.0.0.1:{port}/api/status?token={token}", proc, "adobe-orders lab")
        yield port, token
    finally:
        stop(proc)


def test_lab_refuses_no_token_a_foreign_host_and_a_foreign_origin(lab_command: tuple[int, str]) -> None:
    port, token = lab_command
    base = f"http://127.0.0.1:{port}"
    assert requests.get(f"{base}/api/status", timeout=30).status_code == 403
    assert requests.get(f"{base}/api/status?token={token}", headers={"Host": f"{EVIL}:{port}"},
                        timeout=30).status_code == 403
    session = requests.Session()
    assert session.get(f"{base}/lab?token={token}", timeout=60).status_code == 200
    cookie = cookie_header(session)
    path = "/api/events/subscribe"  # a websocket that needs no kernel; the same checks guard kernels'
    assert websocket_status(port, path, origin=base, cookie=cookie) == 101
    assert websocket_status(port, path, origin=f"http://{EVIL}:{port}", cookie=cookie) == 403
    assert websocket_status(port, path, origin=f"http://{EVIL}:{port}", host=f"{EVIL}:{port}",
                            cookie=cookie) == 403
