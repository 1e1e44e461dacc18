"""``adobe-orders demo``: an installed user gets the checkout's example files and notebooks, and the demo customers.

The files ship inside the package (a wheel has no ``examples/`` or ``notebooks/``), so these tests also
check that the packaging rules carry every one of them, and the LICENSE, into the wheel (and build both
artefacts once, for real).
"""

from __future__ import annotations

import fnmatch
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

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



@pytest.mark.slow
def test_the_sdist_and_the_wheel_carry_what_the_readme_promises(tmp_path: Path) -> None:
    """Built for real, with the project's own backend, from a copy of the checkout: the sdist has the LICENSE
    and the docs the README links to and no tests; the wheel has the LICENSE, every subpackage and the demo."""
    tree = tmp_path / "tree"
    shutil.copytree(ROOT, tree, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "__pycache__", "*.egg-info", ".adobe-orders", "build", "dist", ".pytest_cache", ".env"))
    build = ("import sys\nfrom setuptools import build_meta\n"  # build_meta rewrites sys.argv while it builds
             "out = sys.argv[1]\nnames = build_meta.build_sdist(out), build_meta.build_wheel(out)\n"
             "print('BUILT', *names)\n")  # setuptools logs on stdout: the names come last
    proc = subprocess.run([sys.executable, "-c", build, str(tmp_path / "dist")], cwd=tree, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    sdist_name, wheel_name = proc.stdout.rsplit("BUILT ", 1)[1].split()
    with tarfile.open(tmp_path / "dist" / sdist_name) as sdist:
        in_sdist = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"LICENSE", "README.md", "docs/README.md", "docs/team-journal.md"} <= in_sdist
    assert not [name for name in in_sdist if name.startswith("tests/")]
    links = [line.split("](")[1].split(")")[0] for line in (ROOT / "README.md").read_text().splitlines()
             if "](docs/" in line]
    assert links and all(link.split("#")[0] in in_sdist for link in links), links
    with zipfile.ZipFile(tmp_path / "dist" / wheel_name) as wheel:
        in_wheel = set(wheel.namelist())
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in in_wheel)
    packages = {str(p.parent.relative_to(ROOT)) for p in (ROOT / "adobe_orders").rglob("__init__.py")}
    assert {f"{package}/__init__.py" for package in packages} <= in_wheel
    assert {"adobe_orders/demo/examples/updates.csv", "adobe_orders/demo/examples/erp_export.csv"} <= in_wheel
