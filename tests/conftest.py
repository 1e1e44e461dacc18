"""Shared fixtures: a fresh emulator per test, an isolated working folder and Jupyter dirs."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# IPython's lazily created shell writes history under ~/.ipython; keep every run self-contained.
_HOME = tempfile.mkdtemp(prefix="adobe-orders-test-home-")
for _var in ("IPYTHONDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
    os.environ.setdefault(_var, str(Path(_HOME) / _var.lower()))
os.environ.setdefault("TQDM_DISABLE", "1")

from adobe_orders.sandbox import Sandbox  # noqa: E402
from tests.helpers import SERVERS  # noqa: E402

#: The browser tests that share one JupyterLab and one Chromium (the ``lab`` fixture) run in two queues, by file,
#: each one test after another on one test process with its own JupyterLab: two queues of about equal length.
LAB_QUEUES = {"test_states.py": "jupyterlab-1", "test_saved_size.py": "jupyterlab-1", "test_find_benchmark.py":
              "jupyterlab-1", "test_lab.py": "jupyterlab-2", "test_keyboard.py": "jupyterlab-2",
              "test_browser_lab.py": "jupyterlab-2"}


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto`` (the default, pyproject.toml): two test processes per core. Most tests wait — on the emulator's
    latency, on subprocesses, kernels and browsers — rather than compute: one process per core left the cores
    half idle (4 min 19 s on a quiet 2-core machine, against 3 min 49 s with four)."""
    return 2 * (os.cpu_count() or 1)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own, which writes the groups into the test IDs
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser tests run in queues (``--dist loadgroup``), each one test after another on one test process:
    two queues of tests sharing that process's JupyterLab and Chromium (``LAB_QUEUES``), and one of tests
    starting a server of their own (Voilà, ``adobe-orders lab``). So at most three Jupyter servers run at once,
    each on a port below the ephemeral range (``tests.helpers.server_port``), where no kernel or emulator binds."""
    e2e = Path(__file__).parent / "e2e"
    for item in items:
        if item.path.parent == e2e:
            shares_lab = "lab" in getattr(item, "fixturenames", ())
            queue = LAB_QUEUES.get(item.path.name) if shares_lab else SERVERS
            assert queue is not None, f"{item.path.name} uses the lab fixture: give it a queue in LAB_QUEUES"
            item.add_marker(pytest.mark.xdist_group(queue))


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test runs in its own folder (the journal lives there) with no ADOBE_VIPM_* from outside."""
    for name in list(os.environ):
        if name.startswith("ADOBE_VIPM_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        yield sb


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(sandbox: Sandbox, sleeps: list[float]):  # type: ignore[no-untyped-def]
    """A client whose waits are recorded instead of slept."""
    c = sandbox.client(sleep=sleeps.append, timeout=5)
    yield c
    c.close()


@pytest.fixture
def some_orders(sandbox: Sandbox) -> list[dict]:
    return sandbox.orders[:40]


def _strict_call(self, *args, **kwargs):  # type: ignore[no-untyped-def]
    """ipywidgets swallows handler exceptions; in tests they must fail the test."""
    value = None
    for callback in self.callbacks:
        result = callback(*args, **kwargs)
        value = result if result is not None else value
    return value


@pytest.fixture
def strict_widgets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Widget callbacks raise in tests (ipywidgets would swallow them); widgets closed afterwards."""
    import ipywidgets
    from ipywidgets.widgets.widget import CallbackDispatcher

    monkeypatch.setattr(CallbackDispatcher, "__call__", _strict_call)
    yield
    ipywidgets.Widget.close_all()
