"""Benchmark 6 — order history into a DataFrame: ``fetch_orders`` of 20 customers with 250 orders each
(3 pages of at most 100) at 8 workers, against the emulator with a fixed latency.

The ideal is ``workers / latency`` pages per second: every worker always waiting on a page. The
baseline, in the same run, is the least a client can do: 8 threads with a ``requests.Session``
each, GETting the same pages from a list made in advance (no first page to learn how many there
are) and decoding the JSON, nothing more. Pages are counted in the emulator's log; every order
must come back exactly once.
"""

from __future__ import annotations

import threading
from collections import deque

import requests

from .common import client_for, emulator_process, headers, timer, token, v3_requests

WORKERS = 8


def bare_pages(env: dict[str, str], urls: list[str]) -> int:
    """Every URL GET on ``WORKERS`` threads of a ``requests.Session`` each; the orders read."""
    tok = token(env)
    todo, lock, read = deque(urls), threading.Lock(), [0]

    def work() -> None:
        with requests.Session() as session:
            while True:
                with lock:
                    if not todo:
                        return
                    url = todo.popleft()
                items = session.get(url, headers=headers(env, tok), timeout=30).json()["items"]
                with lock:
                    read[0] += len(items)

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return read[0]


def run(quick: bool = False) -> list[dict[str, object]]:
    from adobe_orders import fetch_orders

    latency = 0.01 if quick else 0.05
    customers, each = (6, 150) if quick else (20, 250)
    repeats = 1 if quick else 5
    ids = [f"63{i:08d}" for i in range(customers)]
    ideal = WORKERS / latency
    rows: list[dict[str, object]] = []
    with emulator_process(latency, (f"{customers}x{each}:63",)) as env:
        base = env["ADOBE_VIPM_BASE_URL"]
        urls = [f"{base}/v3/customers/{c}/orders?start-date=2010-01-01&offset={at}&limit=100"
                for c in ids for at in range(0, each, 100)]
        best, read = float("inf"), 0
        for _ in range(repeats):
            with timer() as t:
                read = bare_pages(env, urls)
            best = min(best, t[0])
        rows.append({"run": f"baseline: requests.Session GETs of the same pages, {WORKERS} threads",
                     "orders": customers * each, "pages": len(urls), "seconds": best,
                     "pages_per_s": len(urls) / best, "of_ideal": len(urls) / best / ideal,
                     "verified": read == customers * each})
        client = client_for(env)
        best, pages, verified = float("inf"), 0, True
        for _ in range(repeats):
            since = len(v3_requests(env))
            with timer() as t:
                frame = fetch_orders(ids, client, workers=WORKERS, progress=False)
            best = min(best, t[0])
            pages = len(v3_requests(env)) - since
            verified = verified and len(frame) == customers * each and frame["orderId"].is_unique \
                and not frame.attrs.get("failed_customers")
    rows.append({"run": f"fetch_orders({customers} customers x {each} orders, workers={WORKERS})",
                 "orders": customers * each, "pages": pages, "seconds": best, "pages_per_s": pages / best,
                 "of_ideal": pages / best / ideal, "verified": verified})
    return rows
