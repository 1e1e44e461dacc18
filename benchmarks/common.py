"""Shared benchmark plumbing: an emulator in its own process, timing, and order checks."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def emulator_process(latency: float, load: tuple[str, ...] = ()) -> Iterator[dict[str, str]]:
    """The emulator in a separate process (so it does not share our GIL), with load-test customers
    (``"6x100:61"``: 6 customers of exactly 100 orders, IDs starting 61)."""
    command = [sys.executable, "-m", "benchmarks.emulator", "--latency", str(latency)]
    for shape in load:
        command += ["--load", shape]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    env: dict[str, str] = {}
    try:
        assert proc.stdout is not None
        while "ADOBE_VIPM_CLIENT_SECRET" not in env:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError("the emulator did not start")
            if line.startswith("ADOBE_VIPM_"):
                key, value = line.strip().split("=", 1)
                env[key] = value
        yield env
    finally:
        proc.terminate()
        proc.wait(10)


def v3_requests(env: dict[str, str]) -> list[dict[str, object]]:
    """The emulator's log of API calls (method, path, status, ...), oldest first."""
    log = requests.get(f"{env['ADOBE_VIPM_BASE_URL']}/_sandbox/requests", timeout=30).json()
    return [e for e in log if str(e["path"]).startswith("/v3/")]


def stored_orders(env: dict[str, str]) -> dict[tuple[str, str], str | None]:
    orders = requests.get(f"{env['ADOBE_VIPM_BASE_URL']}/_sandbox/orders", timeout=30).json()
    return {(o["customerId"], o["orderId"]): o.get("externalReferenceId") for o in orders}


def token(env: dict[str, str]) -> str:
    r = requests.post(f"{env['ADOBE_VIPM_IMS_URL']}/ims/token/v3", timeout=30, data={
        "grant_type": "client_credentials", "client_id": env["ADOBE_VIPM_CLIENT_ID"],
        "client_secret": env["ADOBE_VIPM_CLIENT_SECRET"], "scope": "x"})
    return r.json()["access_token"]


def headers(env: dict[str, str], tok: str) -> dict[str, str]:
    import uuid

    return {"X-Request-Id": str(uuid.uuid4()), "X-Correlation-Id": str(uuid.uuid4()), "Accept": "application/json",
            "Content-Type": "application/json", "Authorization": f"Bearer {tok}",
            "X-Api-Key": env["ADOBE_VIPM_CLIENT_ID"]}


@contextmanager
def timer() -> Iterator[list[float]]:
    out: list[float] = []
    start = time.perf_counter()
    yield out
    out.append(time.perf_counter() - start)


def client_for(env: dict[str, str]):  # type: ignore[no-untyped-def]
    from adobe_orders import OrdersClient, Settings

    return OrdersClient(Settings.from_env(env))


def journal_in(folder: str) -> str:
    return os.path.join(folder, "journal.sqlite")
