from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from adobe_orders.cli import main
from adobe_orders.sandbox.data import seed_orders
from tests.helpers import EXIT_SECONDS, default_sigint

# The demo's first order (0001000000 / 0123456000) holds this reference before any test changes it.
FIRST_REF = seed_orders()[0]["externalReferenceId"]

CUSTOMER, ORDER = "0001000000", "0123456000"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def env_for(sandbox, monkeypatch):
    for line in sandbox.env_lines():
        k, v = line.split("=", 1)
        monkeypatch.setenv(k, v)
    return sandbox


def test_get_prints_the_order_and_line_items(env_for, capsys) -> None:
    assert main(["get", CUSTOMER, ORDER]) == 0
    out, err = capsys.readouterr()
    assert "orderId              0123456000" in out and "offerId" in out
    assert "local emulator" in err


def test_update_shows_previous_and_new(env_for, capsys) -> None:
    assert main(["update", CUSTOMER, ORDER, "PO-CLI"]) == 0
    out, _ = capsys.readouterr()
    assert f"{FIRST_REF!r} -> 'PO-CLI'" in out
    assert env_for.order(CUSTOMER, ORDER)["externalReferenceId"] == "PO-CLI"


def test_json_flag_prints_raw_json(env_for, capsys) -> None:
    assert main(["get", CUSTOMER, ORDER, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["orderId"] == ORDER


def test_update_json_names_the_batch_so_it_can_be_undone(env_for, capsys) -> None:
    """--json used to print only the order: the batch ID, needed to undo the change, was nowhere."""
    assert main(["update", CUSTOMER, ORDER, "PO-JSON", "--json"]) == 0
    outcome = json.loads(capsys.readouterr().out)  # stdout is one JSON document, nothing else
    assert outcome["status"] == "updated" and outcome["previous_value"] == FIRST_REF
    assert outcome["current_value"] == "PO-JSON" and outcome["order"]["externalReferenceId"] == "PO-JSON"
    assert outcome["undo_command"].endswith(f"undo {outcome['batch_id']}")
    assert main(["get", CUSTOMER, ORDER, "--json"]) == 0
    got = json.loads(capsys.readouterr().out)  # the same order shape as get --json (whose GET adds links)
    assert {k: v for k, v in got.items() if k != "links"} == outcome["order"]
    assert main(["undo", outcome["batch_id"], "--no-progress"]) == 0
    assert env_for.order(CUSTOMER, ORDER)["externalReferenceId"] == FIRST_REF


def test_update_json_unchanged_has_no_undo(env_for, capsys) -> None:
    assert main(["update", CUSTOMER, ORDER, FIRST_REF, "--json"]) == 0
    outcome = json.loads(capsys.readouterr().out)
    assert outcome["status"] == "unchanged" and outcome["undo_command"] is None and outcome["batch_id"]


def test_json_stays_valid_when_a_reference_holds_control_characters(env_for, capsys) -> None:
    """stdout shows control characters escaped; JSON leaves DEL and C1 raw, which came out as '\\x85':
    not JSON. They are written as JSON's own escapes, so the output parses back to the exact value."""
    odd = "PO\x85\x7f\x1b[2J\u202eX"  # another tool set this at Adobe
    env_for.state.set_reference(CUSTOMER, ORDER, odd)
    assert main(["get", CUSTOMER, ORDER, "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["externalReferenceId"] == odd and "\x1b" not in out and "\x85" not in out
    assert main(["update", CUSTOMER, ORDER, "PO-CLEAN", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["previous_value"] == odd


def test_refused_input_is_one_line_and_exit_1(env_for, capsys) -> None:
    assert main(["update", CUSTOMER, "../etc", "PO"]) == 1
    err = capsys.readouterr().err
    assert "Order ID '../etc' contains '.'" in err and "Traceback" not in err
    assert env_for.requests == []


def test_api_error_is_one_line(env_for, capsys) -> None:
    assert main(["get", CUSTOMER, "0999999999"]) == 1
    err = capsys.readouterr().err
    assert "HTTP 404 (code 2115)" in err


@pytest.mark.parametrize("argv", [[], ["get"], ["frobnicate"], ["apply"], ["apply", "x.csv", "--workers", "0"],
                                  ["sandbox", "--port", "abc"]])
def test_wrong_arguments_give_usage_and_exit_2(argv) -> None:
    proc = subprocess.run([sys.executable, "-m", "adobe_orders.cli", *argv], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2
    assert "usage:" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_fault_name_is_a_clear_error() -> None:
    proc = subprocess.run([sys.executable, "-m", "adobe_orders.cli", "sandbox", "--fault", "boom=0.1"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "unknown fault 'boom'" in proc.stderr and "Traceback" not in proc.stderr


def test_sandbox_command_prints_env_lines_then_serves(tmp_path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "adobe_orders.cli", "sandbox", "--latency", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=default_sigint)
    try:
        lines = [proc.stdout.readline().strip() for _ in range(6)]
        values = dict(line.split("=", 1) for line in lines if line.startswith("ADOBE_VIPM_"))
        assert {"ADOBE_VIPM_BASE_URL", "ADOBE_VIPM_IMS_URL", "ADOBE_VIPM_CLIENT_ID",
                "ADOBE_VIPM_CLIENT_SECRET"} <= set(values)
        from adobe_orders import OrdersClient, Settings

        client = OrdersClient(Settings.from_env(values))
        assert client.get_order(CUSTOMER, ORDER).order_id == ORDER
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=EXIT_SECONDS)
    assert proc.returncode == 0


def test_production_update_needs_yes(monkeypatch, capsys) -> None:
    monkeypatch.setenv("ADOBE_VIPM_ENV", "production")
    monkeypatch.setenv("ADOBE_VIPM_CLIENT_ID", "id")
    monkeypatch.setenv("ADOBE_VIPM_CLIENT_SECRET", "secret-prod-xyz")
    assert main(["update", CUSTOMER, ORDER, "PO"]) == 1
    err = capsys.readouterr().err
    assert "PRODUCTION" in err and "--yes" in err and "secret-prod-xyz" not in err


def test_zero_config_demo_apply_then_undo(tmp_path, capsys) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_VIPM_")}
    run = subprocess.run([sys.executable, "-m", "adobe_orders.cli", "apply", str(ROOT / "examples" / "updates.csv"),
                          "--no-progress"], capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)
    assert run.returncode == 3, run.stderr  # the demo file holds one unknown order on purpose
    assert "updated: 16" in run.stdout and "invalid: 5" in run.stdout and "Traceback" not in run.stderr
    assert "skipped: 1" in run.stdout  # the row left blank: no new value given
    batch = run.stdout.split("Undo with: ")[1].split(" undo ")[1].split()[0]
    assert (tmp_path / ".adobe-orders" / f"results-{batch}.csv").exists()
    undo = subprocess.run([sys.executable, "-m", "adobe_orders.cli", "undo", batch], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path, env=env)
    assert undo.returncode == 3, undo.stderr  # exit 3: a row needs attention
    # one of the 16 orders had no reference before the batch (a blank demo order): reported, not restored
    assert "updated: 15" in undo.stdout and "skipped: 1" in undo.stdout
    assert undo.stdout.count("[skipped]") == 1 and "no externalReferenceId before" in undo.stdout
    hist = subprocess.run([sys.executable, "-m", "adobe_orders.cli", "history"], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path, env=env)
    assert hist.returncode == 0 and batch in hist.stdout and "undo" in hist.stdout


def test_readme_names_every_exit_code_the_cli_documents() -> None:
    """Hostile tester: ``--help`` listed exit 4 (nothing was sent) and the CLI returned it for a file with
    no valid row, but the README's exit codes stopped at 3 and 130."""
    import re
    from pathlib import Path

    from adobe_orders.cli.exit_codes import EXIT_CODES

    readme = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text(encoding="utf-8")
    line = readme[readme.index("Exit codes:"):readme.index("interrupted", readme.index("Exit codes:"))]
    documented = {int(code) for code in re.findall(r"^\s+(\d+)\s", EXIT_CODES, flags=re.M)}
    assert documented == {0, 1, 2, 3, 4, 130}
    assert documented <= {int(n) for n in re.findall(r"\b(\d+) ", line + " ")} | {130}
