"""``adobe-orders demo``: an installed user gets the checkout's example files and notebooks, and the demo customers.

The files ship inside the package (a wheel has no ``examples/`` or ``notebooks/``), so these tests also
check that the packaging rules carry every one of them, and the LICENSE, into the wheel.
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

from adobe_orders.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "adobe_orders" / "demo"
CHECKOUT_FILES = sorted(str(p.relative_to(ROOT)) for folder in ("examples", "notebooks")
                        for p in (ROOT / folder).iterdir() if p.is_file())


def test_demo_writes_the_checkouts_files_names_the_customers_and_the_next_command(tmp_path, capsys, sandbox) -> None:
    assert CHECKOUT_FILES, "the checkout's examples/ and notebooks/ hold the files the demo writes"
    assert main(["demo", str(tmp_path / "new")]) == 0
    out = capsys.readouterr().out
    for relative in CHECKOUT_FILES:
        assert (tmp_path / "new" / relative).read_bytes() == (ROOT / relative).read_bytes(), relative
        assert f"wrote {tmp_path / 'new' / relative}" in out
    # the customers printed are the ones the emulator serves, each with its number of orders
    served: dict[str, int] = {}
    for order in sandbox.orders:
        served[order["customerId"]] = served.get(order["customerId"], 0) + 1
    assert all(f"{customer} ({count})" in out for customer, count in served.items())
    assert f"apply {tmp_path / 'new' / 'examples' / 'updates.csv'} --dry-run" in out


def test_demo_in_this_folder_keeps_the_users_files_unless_forced(isolated, capsys) -> None:
    (isolated / "examples").mkdir()
    (isolated / "examples" / "updates.csv").write_text("mine\n")
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert (isolated / "examples" / "updates.csv").read_text() == "mine\n"
    assert "kept 1 file already in this folder (--force overwrites them): examples/updates.csv" in out
    assert "wrote examples/erp_export.csv" in out and "apply examples/updates.csv --dry-run" in out
    assert main(["demo", "--force"]) == 0
    assert (isolated / "examples" / "updates.csv").read_bytes() == (ROOT / "examples" / "updates.csv").read_bytes()
    assert "wrote examples/updates.csv" in capsys.readouterr().out


def test_demo_into_a_file_is_one_line_and_exit_1(isolated, capsys) -> None:
    (isolated / "taken").write_text("x")
    assert main(["demo", "taken"]) == 1
    err = capsys.readouterr().err
    assert "taken is a file, not a folder" in err and "Traceback" not in err


def test_the_wheel_carries_every_demo_file_and_the_license() -> None:
    """Package data is chosen by globs in pyproject.toml; a new example that matches none would be left out."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = config["tool"]["setuptools"]["package-data"]["adobe_orders"]
    packaged = sorted(str(p.relative_to(DEMO.parent)) for p in DEMO.rglob("*") if p.is_file())
    assert packaged and all(any(fnmatch.fnmatch(p, g) for g in globs) for p in packaged), (packaged, globs)
    assert (ROOT / "examples").resolve() == DEMO / "examples" and (ROOT / "notebooks").resolve() == DEMO / "notebooks"
    assert config["project"]["license-files"] == ["LICENSE"]
    assert "Copyright (c) 2026 the adobe-orders authors" in (ROOT / "LICENSE").read_text()

