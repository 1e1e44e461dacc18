"""The terminal, as a new user meets it after the README's Quickstart (venv not activated)."""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import adobe_orders as ao
from adobe_orders import cli
from adobe_orders.cli.parser import build_parser
from tests.helpers import EXIT_SECONDS, SERVERS, default_sigint, server_port

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def _env(**extra: str) -> dict[str, str]:
    """No ADOBE_VIPM_* from outside, and a PATH without this venv: as after the README's Quickstart."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_VIPM_")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if p and Path(p).resolve() != VENV_BIN.resolve())
    env.update(extra)
    return env


def _quickstart_folder(tmp_path: Path) -> Path:
    """A folder laid out as the README's Quickstart leaves it: .venv/ and examples/."""
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    return tmp_path


def _run(command: str, cwd: Path, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=_env(), capture_output=True, text=True,
                          timeout=180, **kw)


def test_python_dash_m_runs_the_cli() -> None:
    proc = subprocess.run([sys.executable, "-m", "adobe_orders", "--help"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0 and "usage: adobe-orders" in proc.stdout and "exit codes:" in proc.stdout


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_option_and_argument_has_help_and_exit_codes_are_listed(name: str) -> None:
    command = _commands()[name]
    undocumented = [a.dest for a in command._actions if not a.help and a.dest != "help"]
    assert undocumented == []
    assert "exit codes:" in command.format_help() and "130" in command.format_help()


@pytest.mark.parametrize("name", [None, *sorted(_commands())])
def test_every_help_fits_100_columns(name: str | None) -> None:
    """A description was printed as one 137- or 170-character line: the raw formatter never wraps it."""
    parser = build_parser() if name is None else _commands()[name]
    assert [line for line in parser.format_help().splitlines() if len(line) > 100] == []


def test_orders_help_lists_its_own_exit_codes() -> None:
    """orders said '0 done: every row updated or unchanged' and '4 nothing was sent': it sends nothing."""
    text = _commands()["orders"].format_help()
    assert "some customers could not be read" in text and "every row updated" not in text
    assert "nothing was sent" not in text


def test_the_retry_command_apply_prints_runs_as_printed(tmp_path: Path) -> None:
    """It said 'with the same command and --batch-id …': prose, not something to paste."""
    folder = _quickstart_folder(tmp_path)
    run = _run(".venv/bin/adobe-orders apply examples/updates.csv --no-progress", folder)
    assert run.returncode == 3, run.stderr
    batch = re.search(r"^Batch (\S+) on ", run.stdout, re.M).group(1)
    (printed,) = re.findall(r"Retry the failed rows with: (.+)", run.stdout)
    assert printed == f".venv/bin/adobe-orders apply examples/updates.csv --batch-id {batch} --no-progress"
    again = _run(printed, folder)
    # the same batch: the unknown order is tried again (and fails again), nothing done is sent twice
    assert again.returncode == 3 and f"Batch {batch} on " in again.stdout, again.stderr
    assert "updated: 16" in again.stdout and "[failed] 9876501441 0999999999" in again.stdout


@pytest.mark.slow
def test_the_undo_command_apply_prints_runs_as_printed(tmp_path: Path) -> None:
    folder = _quickstart_folder(tmp_path)
    run = _run(".venv/bin/adobe-orders apply examples/updates.csv --no-progress", folder)
    assert run.returncode == 3, run.stderr
    (printed,) = re.findall(r"Undo with: (.+)", run.stdout)
    assert printed.startswith(".venv/bin/adobe-orders undo ")
    assert _run("command -v adobe-orders", folder).returncode != 0  # the venv is not on PATH
    undo = _run(printed, folder)
    # it runs (exit 3, not 127): one demo order had no reference before, so it is listed, not restored
    assert undo.returncode == 3 and "Undo of" in undo.stdout, undo.stderr
    # and the same when started as python -m: the printed command uses the same spelling
    run = _run(".venv/bin/python -m adobe_orders apply examples/updates.csv --no-progress", folder)
    (printed,) = re.findall(r"Undo with: (.+)", run.stdout)
    assert printed.startswith(".venv/bin/python -m adobe_orders undo ")
    assert _run(printed, folder).returncode == 0


@pytest.mark.slow
def test_reset_demo_gives_every_status_again(tmp_path: Path) -> None:
    folder = _quickstart_folder(tmp_path)
    first = _run(".venv/bin/adobe-orders apply examples/updates.csv --no-progress", folder)
    again = _run(".venv/bin/adobe-orders apply examples/updates.csv --no-progress", folder)
    assert "updated" not in again.stdout.splitlines()[1]  # the demo state carried over: all unchanged
    reset = _run(".venv/bin/adobe-orders reset-demo", folder)
    assert reset.returncode == 0 and "reset" in reset.stdout.lower()
    third = _run(".venv/bin/adobe-orders apply examples/updates.csv --no-progress", folder)
    assert third.stdout.splitlines()[1] == first.stdout.splitlines()[1]  # the same counts as the first run
    assert "Demo orders are already as seeded" in _run(".venv/bin/adobe-orders reset-demo && "
                                                        ".venv/bin/adobe-orders reset-demo", folder).stdout


def test_reset_demo_refuses_when_env_points_elsewhere(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ADOBE_VIPM_ENV=sandbox\nADOBE_VIPM_CLIENT_ID=x\nADOBE_VIPM_CLIENT_SECRET=y\n")
    proc = subprocess.run([sys.executable, "-m", "adobe_orders", "reset-demo"], cwd=tmp_path, env=_env(),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "only resets the embedded local emulator" in proc.stderr


def test_the_cli_says_which_api_once_and_not_as_an_error_notice(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "adobe_orders", "get", "0001000000", "0123456000", "--json"],
                          cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.lstrip().startswith("{")
    assert proc.stderr.count("emulator") == 1 and "API: local emulator" in proc.stderr


def test_lab_without_jupyterlab_suggests_this_environments_pip(monkeypatch, capsys) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "jupyterlab" else real(name, *a))
    assert cli.main(["lab"]) == 1
    err = capsys.readouterr().err
    assert f"{sys.executable} -m pip install -e" in err or ".venv/bin/python -m pip install -e" in err
    assert "[lab]" in err and "run: pip " not in err


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(x) for x in text.split()]


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.split(")")[-1].split()[0] != "Z"


@pytest.mark.slow
@pytest.mark.xdist_group(SERVERS)
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_stopping_lab_stops_its_jupyterlab_child(tmp_path: Path, how: signal.Signals) -> None:
    pytest.importorskip("jupyterlab")
    port = server_port()
    env = _env(JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"), JUPYTER_DATA_DIR=str(tmp_path / "data"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"), IPYTHONDIR=str(tmp_path / "ipy"))
    parent = subprocess.Popen([sys.executable, "-m", "adobe_orders", "lab", "--no-browser", "--port", str(port)],
                              cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              preexec_fn=default_sigint)
    child = None
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        else:
            pytest.fail("JupyterLab did not start")
        (child,) = _children(parent.pid)
        parent.send_signal(how)
        parent.wait(EXIT_SECONDS)
        deadline = time.monotonic() + EXIT_SECONDS
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(child), f"JupyterLab (pid {child}) outlived adobe-orders lab ({how.name})"
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0
    finally:
        if parent.poll() is None:
            parent.kill()
        if child and _alive(child):
            os.kill(child, signal.SIGKILL)


def test_app_without_voila_suggests_this_environments_pip(monkeypatch, capsys) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "voila" else real(name, *a))
    assert cli.main(["app"]) == 1
    err = capsys.readouterr().err
    assert "Voilà is not installed" in err and "-m pip install -e" in err and "[app]" in err


def test_app_on_a_port_in_use_says_so_and_prints_no_address(tmp_path: Path, monkeypatch, capsys) -> None:
    """The address (with its token) was printed first, then Voilà said "trying another port" (it tries
    none) and "no available port": a newcomer opened an address that another program answers."""
    pytest.importorskip("voila")
    monkeypatch.chdir(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["app", "--no-browser", "--port", str(port)]) == 1
    out, err = capsys.readouterr()
    assert "token=" not in out + err
    assert f"The port {port} on 127.0.0.1 is in use" in err and "--port" in err and len(err.strip().splitlines()) == 1


def test_the_app_page_holds_the_panel_and_the_form_under_one_banner(client) -> None:
    from adobe_orders.app import NOTEBOOK, build_app
    from adobe_orders.widgets import BatchUpdatePanel, UpdateOrderForm

    page = build_app(client)
    tabs = page.children[-1]
    kinds = {type(child) for child in tabs.children}
    assert {BatchUpdatePanel, UpdateOrderForm} <= kinds
    assert "LOCAL EMULATOR" in page.children[2].value and "ao-app" in page._dom_classes
    assert NOTEBOOK.is_file() and "build_app()" in NOTEBOOK.read_text()


def test_a_header_only_file_sends_nothing_says_so_and_leaves_no_batch(tmp_path: Path) -> None:
    folder = _quickstart_folder(tmp_path)
    (folder / "empty.csv").write_text("customerId,orderId,externalReferenceId\n")
    run = _run(".venv/bin/adobe-orders apply empty.csv --no-progress", folder)
    assert run.returncode not in (0, 3), run.stdout + run.stderr
    assert "Undo with" not in run.stdout and "Traceback" not in run.stderr
    assert re.search(r"\w", run.stdout.splitlines()[1] if len(run.stdout.splitlines()) > 1 else "x")
    hist = _run(".venv/bin/adobe-orders history", folder)
    assert "empty" in hist.stdout.lower()  # no 0-row batch was journaled


def test_a_run_that_changes_nothing_offers_no_undo(tmp_path: Path) -> None:
    folder = _quickstart_folder(tmp_path)
    _run(".venv/bin/adobe-orders apply examples/updates.csv --no-progress", folder)
    again = _run(".venv/bin/adobe-orders apply examples/updates.csv --no-progress", folder)
    assert "unchanged" in again.stdout and "Undo with" not in again.stdout


def test_apply_names_no_batch_before_the_file_is_read(tmp_path: Path) -> None:
    folder = _quickstart_folder(tmp_path)
    run = _run(".venv/bin/adobe-orders apply missing.csv", folder)
    assert run.returncode == 1 and "--batch-id" not in run.stdout + run.stderr and "Traceback" not in run.stderr


@pytest.mark.slow
def test_history_says_how_many_it_shows_offers_all_and_fits_100_columns(tmp_path: Path) -> None:
    folder = _quickstart_folder(tmp_path)
    _run(".venv/bin/adobe-orders apply examples/updates.csv --no-progress", folder)
    _run(".venv/bin/adobe-orders apply examples/updates.csv --no-progress", folder)
    hist = _run(".venv/bin/adobe-orders history", folder)
    assert hist.returncode == 0
    total = int(re.search(r"The last 30 of (\d+) journaled rows", hist.stdout).group(1))
    assert total > 30 and "--all" in hist.stdout
    lines = hist.stdout.splitlines()
    assert max(map(len, lines)) <= 100, max(lines, key=len)
    assert not [w for w in re.findall(r"\b\w+\b", hist.stdout) if w in ("None", "nan", "NaN", "NaT")]
    everything = _run(".venv/bin/adobe-orders history --all", folder)
    assert f"All {total} journaled rows" in everything.stdout
    assert max(map(len, everything.stdout.splitlines())) <= 100


def test_results_land_where_the_cli_says(tmp_path: Path) -> None:
    folder = _quickstart_folder(tmp_path)
    run = _run(".venv/bin/adobe-orders apply examples/updates.csv --no-progress", folder)
    (where,) = re.findall(r"Results: (.+)", run.stdout)
    assert (folder / where.strip()).is_file() or Path(where.strip()).is_file()


def test_the_app_asks_for_the_production_box_and_says_production() -> None:
    import pandas as pd

    from adobe_orders import OrdersClient, Settings
    from adobe_orders.app import build_app
    from adobe_orders.widgets import BatchUpdatePanel, UpdateOrderForm

    client = OrdersClient(Settings(environment="production", client_id="id", client_secret="pw-never-shown"))
    page = build_app(client)
    assert "PRODUCTION" in page.children[2].value and "pw-never-shown" not in page.children[2].value
    tabs = {type(child): child for child in page.children[-1].children}
    panel, form = tabs[BatchUpdatePanel], tabs[UpdateOrderForm]
    panel.load(pd.DataFrame({"customerId": ["0001000000"], "orderId": ["0123456000"], "externalReferenceId": ["X"]}))
    assert panel.confirm.layout.display == "" and panel.apply_button.disabled and not panel.dry_run_button.disabled
    panel.confirm.value = True
    assert not panel.apply_button.disabled
    assert form.confirm.layout.display == ""


@pytest.mark.parametrize("name", ["get", "history", "sandbox", "lab", "app", "demo", "reset-demo"])
def test_a_command_that_changes_no_rows_lists_its_own_exit_codes(name: str) -> None:
    """``sandbox --help`` told a newcomer that exit 3 means "some rows need attention" and exit 4
    "nothing was sent": words of apply, for a command with no rows."""
    text = _commands()[name].format_help()
    table = text[text.index("exit codes:"):]
    assert "row" not in table and "batch" not in table and "\n  4 " not in table
    assert all(f"\n  {code} " in table for code in (0, 1, 2, 130))


def test_history_of_one_order_shows_batch_ids_and_values_whole(capsys) -> None:  # type: ignore[no-untyped-def]
    """The table cut the batch ID (the one to paste into undo) and the new value to 'PO-2026-…'; and
    one change was '1 changes'."""
    first, second = "P" * 35, "Q-" + "7" * 33
    assert cli.main(["update", "0001000000", "0123456000", first]) == 0
    capsys.readouterr()
    assert cli.main(["history", "--order", "0123456000"]) == 0
    out = capsys.readouterr().out
    assert "1 change to order 0123456000" in out and "…" not in out and first in out
    assert cli.main(["update", "0001000000", "0123456000", second]) == 0
    capsys.readouterr()
    assert cli.main(["history", "--order", "0123456000"]) == 0
    out = capsys.readouterr().out
    batches = list(ao.history()["batch_id"])
    assert "2 changes to order 0123456000" in out and "…" not in out
    assert f"{first} → {second}" in out and all(b in out for b in batches)
    assert out.index(second + "\n") < out.index(first + "\n")  # newest first
    assert max(len(line) for line in out.splitlines()) <= 100


def test_the_readmes_command_list_names_every_command() -> None:
    """`history --order` and `journal copy` were missing from the README's list of commands (now docs/cli.md)."""
    readme = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    block = readme.split("# Command line", 1)[1].split("```", 2)[1]
    listed = {line.split()[1] for line in block.splitlines() if line.startswith("adobe-orders ")}
    commands = cli.build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert listed == set(commands)
    assert "adobe-orders journal copy --to URL" in block and "history --order ORDER" in block
