"""One emulator per workspace: the CLI, Python (``ao.connect()``), notebooks and the app in one folder see
one set of demo orders, in one process or several, so an undo in one restores what the others see."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import adobe_orders as ao
from adobe_orders.sandbox.data import seed_orders

ORDERS = seed_orders()[:3]


def cli(folder: Path, *words: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_VIPM_")}
    return subprocess.run([sys.executable, "-m", "adobe_orders", *words], cwd=folder, env=env, text=True,
                          capture_output=True, timeout=120)


def updates_file(folder: Path, tag: str) -> Path:
    path = folder / f"{tag}.csv"
    path.write_text("customerId,orderId,externalReferenceId\n" + "".join(
        f"{o['customerId']},{o['orderId']},{tag}-{o['orderId']}\n" for o in ORDERS))
    return path


def references(client: ao.OrdersClient) -> list[str | None]:
    return [client.get_order(o["customerId"], o["orderId"]).external_reference_id for o in ORDERS]


def test_a_cli_apply_is_seen_by_python_and_a_python_undo_by_the_cli(isolated: Path) -> None:
    client = ao.connect()  # this process's emulator runs before the CLI changes anything
    assert references(client) == [o["externalReferenceId"] for o in ORDERS]
    applied = cli(isolated, "apply", updates_file(isolated, "CLI").name, "--no-progress")
    assert applied.returncode == 0, applied.stderr
    assert references(client) == [f"CLI-{o['orderId']}" for o in ORDERS]  # the running emulator sees it
    (batch,) = [b for b in ao.history()["batch_id"].unique()]
    undone = ao.undo(batch, client, progress=False)
    assert set(undone["status"]) == {"updated"}
    for o in ORDERS:  # the CLI (another process, another emulator) sees the orders restored
        shown = cli(isolated, "get", o["customerId"], o["orderId"], "--json")
        assert shown.returncode == 0, shown.stderr
        assert f'"externalReferenceId": "{o["externalReferenceId"]}"' in shown.stdout


def test_a_python_apply_is_seen_by_a_cli_started_in_a_subfolder(isolated: Path) -> None:
    """A notebook runs from notebooks/ below the workspace, the CLI from its root, or the other way round."""
    (isolated / ".env").write_text("# the workspace marker\n")
    (isolated / "notebooks").mkdir()
    client = ao.connect()
    results = ao.apply_updates(ao.read_updates(updates_file(isolated, "PY")), client, progress=False)
    assert set(results["status"]) == {"updated"}
    o = ORDERS[0]
    shown = cli(isolated / "notebooks", "get", o["customerId"], o["orderId"], "--json")
    assert f'"externalReferenceId": "PY-{o["orderId"]}"' in shown.stdout, shown.stderr
    undo = cli(isolated / "notebooks", "undo", results.attrs["batch_id"], "--no-progress")
    assert undo.returncode == 0, undo.stderr
    assert references(client) == [o["externalReferenceId"] for o in ORDERS]


def test_reset_demo_in_the_cli_resets_the_orders_a_running_kernel_sees(isolated: Path) -> None:
    client = ao.connect()
    ao.apply_updates(ao.read_updates(updates_file(isolated, "PY")), client, progress=False)
    assert cli(isolated, "reset-demo").returncode == 0
    assert references(client) == [o["externalReferenceId"] for o in ORDERS]


def test_two_workspaces_keep_two_sets_of_orders(isolated: Path, monkeypatch) -> None:
    first = ao.connect()
    ao.apply_updates(ao.read_updates(updates_file(isolated, "ONE")), first, progress=False)
    other = isolated / "other"
    (other / ".adobe-orders").mkdir(parents=True)
    monkeypatch.chdir(other)
    second = ao.connect()
    assert second.base_url != first.base_url
    assert references(second) == [o["externalReferenceId"] for o in ORDERS]
    assert references(first) == [f"ONE-{o['orderId']}" for o in ORDERS]
