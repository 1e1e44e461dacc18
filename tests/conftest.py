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
from tests.helpers import SERVERS, SHARED_LAB  # noqa: E402


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser tests run in two queues, each one test after another on one test process
    (``--dist loadgroup``): those sharing one JupyterLab and one Chromium (the ``lab`` fixture), and those
    starting a server of their own (Voilà, ``adobe-orders lab``). Two queues side by side halve the suite's
    longest path; their servers take ports below the ephemeral range (``tests.helpers.server_port``), where
    kernels and emulators never bind, so they do not lose a port to each other."""
    e2e = Path(__file__).parent / "e2e"
    for item in items:
        if item.path.parent == e2e:
            shares_lab = "lab" in getattr(item, "fixturenames", ())
            item.add_marker(pytest.mark.xdist_group(SHARED_LAB if shares_lab else SERVERS))


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
