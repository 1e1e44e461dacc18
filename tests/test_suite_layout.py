"""The suite is collected the same by ``pytest`` and ``python -m pytest``, from any folder.

``python -m pytest`` puts the working folder on ``sys.path`` and plain ``pytest`` does not, so a test
module that imported ``tests.…`` only worked the first way. ``tests`` is a package now; this checks
that every way of starting pytest finds the same tests in modules that import shared helpers.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# modules that import from tests.helpers and tests.e2e.helpers, and one that imports nothing shared
MODULES = ["tests/test_batch.py", "tests/e2e/test_app.py", "tests/test_settings.py"]


def _collected(command: list[str], cwd: Path) -> list[str]:
    run = subprocess.run([*command, "--collect-only", "-q", "-n", "0", "-p", "no:cacheprovider",
                          *(str(ROOT / m) for m in MODULES)], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return sorted(line for line in run.stdout.splitlines() if "::" in line)


@pytest.mark.slow
def test_plain_pytest_and_python_m_pytest_collect_the_same_tests_from_any_folder(tmp_path) -> None:
    pytest_script = Path(sys.executable).with_name("pytest")
    by_module = _collected([sys.executable, "-m", "pytest"], ROOT)
    assert {line.split("::")[0] for line in by_module} == set(MODULES)
    assert _collected([str(pytest_script)], ROOT) == by_module
    assert _collected([str(pytest_script)], tmp_path) == by_module  # ids are relative to the rootdir


@pytest.mark.slow
def test_a_queue_of_tests_runs_on_one_process(tmp_path) -> None:
    """The browser tests' queues are xdist groups (``--dist loadgroup``, tests/conftest.py). A pytest release that
    moves where a test's ID lives makes pytest-xdist drop the groups without a word (pytest 9.2 did), and the
    browser tests then start a JupyterLab on every process. Six tests of one group, two processes: one process."""
    (tmp_path / "test_grouped.py").write_text(
        "import os\nimport pytest\n\n"
        "@pytest.mark.xdist_group('one-queue')\n"
        "@pytest.mark.parametrize('n', range(6))\n"
        "def test_where(n):\n"
        "    with open('workers.txt', 'a') as f:\n"
        "        f.write(os.environ['PYTEST_XDIST_WORKER'] + '\\n')\n")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "--dist",
                          "loadgroup", "-c", "/dev/null", "--rootdir", str(tmp_path), "test_grouped.py"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    workers = (tmp_path / "workers.txt").read_text().split()
    assert len(workers) == 6 and len(set(workers)) == 1, workers
