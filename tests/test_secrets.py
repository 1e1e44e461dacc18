"""Everything the project writes, scanned for the token, the client secret and the API key."""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import ipywidgets
import pandas as pd
import pytest

from adobe_orders import OrdersClient, Settings, apply_updates, history, undo
from adobe_orders.errors import AdobeOrdersError
from adobe_orders.sandbox import Sandbox
from adobe_orders.widgets import BatchUpdatePanel, UpdateOrderForm


@pytest.fixture
def secret_sandbox():
    with Sandbox(client_id="key-" + secrets.token_hex(8), client_secret="sec-" + secrets.token_hex(12)) as sb:
        yield sb


def leaked(sb: Sandbox, text: str) -> list[str]:
    found = [name for name, value in (("client secret", sb.client_secret), ("API key", sb.client_id))
             if value in text]
    found += ["token" for token in sb.state.tokens if token in text]
    return found


def test_nothing_written_holds_a_secret(secret_sandbox, tmp_path, caplog, capsys) -> None:
    sb = secret_sandbox
    caplog.set_level(logging.DEBUG)
    written: list[str] = []
    client = sb.client()
    written += [repr(client), str(client.settings), repr(client.settings), repr(client._auth), repr(sb)]
    orders = sb.orders[:5]
    frame = pd.DataFrame({"customerId": [o["customerId"] for o in orders] + ["bad/id"],
                          "orderId": [o["orderId"] for o in orders[:4]] + ["0999999999", "1"],
                          "externalReferenceId": [f"SEC-{i}" for i in range(6)]}, dtype=object)
    sb.faults.queue("error_500")
    results = apply_updates(frame, client, progress=False)
    undo(results.attrs["batch_id"], client, progress=False)
    results.to_csv(tmp_path / "r.csv")
    results.to_excel(tmp_path / "r.xlsx")
    written += [(tmp_path / "r.csv").read_text(), results.to_string(), repr(results.to_dict()),
                history().to_string(), results.to_html()]
    journal = Path(".adobe-orders/journal.sqlite")
    written.append(journal.read_bytes().decode("latin-1"))
    for extra in ("-wal", "-shm"):
        wal = journal.with_name(journal.name + extra)
        if wal.exists():
            written.append(wal.read_bytes().decode("latin-1"))
    # errors of every kind: wrong secret, refused token, API error, no answer
    failing = [
        lambda: OrdersClient(Settings(environment="local", base_url=sb.url, client_id=sb.client_id,
                                      client_secret=sb.client_secret + "x")).get_order("0001000000", "0123456000"),
        lambda: client.get_order("0001000000", "0999999999"),
        lambda: OrdersClient(Settings(environment="local", base_url="http://127.0.0.1:9", client_id=sb.client_id,
                                      client_secret=sb.client_secret), max_retries=0).get_order("01", "02"),
    ]
    for call in failing:
        with pytest.raises(AdobeOrdersError) as info:
            call()
        written += [str(info.value), repr(info.value), repr(info.value.__dict__)]
    # widgets
    form = UpdateOrderForm(client)
    form.customer_id.value, form.order_id.value, form.reference.value = orders[0]["customerId"], "0999999999", "W"
    form.update_button.click()
    panel = BatchUpdatePanel(client, frame)
    panel.start(dry_run=True)
    panel.wait(30)
    from ipywidgets.widgets.widget import _instances

    written.append(json.dumps([w.get_state() for w in list(_instances.values())], default=str))
    ipywidgets.Widget.close_all()
    # CLI output
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_VIPM_")}
    env.update(dict(line.split("=", 1) for line in sb.env_lines()))
    for argv in (["get", "0001000000", "0123456000"], ["update", "0001000000", "0999999999", "X"],
                 ["apply", str(tmp_path / "r.csv"), "--no-progress"], ["history"]):
        proc = subprocess.run([sys.executable, "-m", "adobe_orders.cli", *argv], capture_output=True, text=True,
                              env=env, timeout=120)
        written += [proc.stdout, proc.stderr]
    written += [r.getMessage() for r in caplog.records]
    written += list(capsys.readouterr())
    assert sb.state.tokens, "tokens were issued, so the scan had something to find"
    problems = {i: leaked(sb, text) for i, text in enumerate(written) if leaked(sb, text)}
    assert problems == {}
