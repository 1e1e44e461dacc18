"""An executed example notebook, saved by JupyterLab itself, stays small enough to share, and the grids stay.

Why in a browser: tests/test_notebooks.py measures what nbclient writes, but analysts share what Lab writes
when they press Ctrl+S, and Lab serialises the widget state its own way (every model its page holds). Each
grid once carried itables' 750 KB of JavaScript in its state (notebooks of 4.8 and 5.7 MB); a change that
shrinks the file by keeping the code out of the page would pass a size check and leave an empty box, so the
live grids are checked again after the save.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.e2e.helpers import Lab, run_all

pytestmark = pytest.mark.browser
LIMIT = 1_500_000  # bytes: issue 20's "Done when"
WIDGETS = "@jupyter-widgets/jupyterlab-manager:plugin"
GRID = "adobe_orders.widgets.grid_widget.Grid"
VIEW = "application/vnd.jupyter.widget-view+json"
STATE = "application/vnd.jupyter.widget-state+json"

# Per grid on the page: how many body rows hold data (DataTables' "no data" row does not count).
GRID_ROWS_JS = """(panel) => [...panel.querySelectorAll('.dt-container')].map(g =>
    [...g.querySelectorAll('table.dataTable tbody tr')].filter(tr => !tr.querySelector('.dt-empty')
      && tr.getBoundingClientRect().height > 0).length)"""

IDLE_JS = """() => { const w = window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext.session && w.sessionContext.session.kernel; return !!k && k.status === 'idle'; }"""

# Lab's own record of the save: the document context says 'started', then 'completed' (or 'failed').
WATCH_SAVE_JS = """() => { window.__aoSaves = [];
  window.jupyterapp.shell.currentWidget.context.saveState.connect((_, s) => window.__aoSaves.push(s)); }"""


@pytest.fixture
def widget_state_saved(lab: Lab) -> Iterator[None]:
    """Lab's "Save Widget State Automatically" on, as for a notebook shared with its widgets (Lab's default
    saves only the views' model IDs: the grids would be gone when a colleague opens the file, and the size
    check would measure nothing). Put back afterwards: the other tests share this server's settings."""
    url, auth = f"{lab.base}/lab/api/settings/{WIDGETS}", {"Authorization": f"token {lab.token}"}
    requests.put(url, headers=auth, json={"raw": json.dumps({"saveState": True})}, timeout=10).raise_for_status()
    try:
        yield
    finally:
        requests.put(url, headers=auth, json={"raw": "{}"}, timeout=10).raise_for_status()


@pytest.mark.parametrize("notebook", ["02_bulk_update.ipynb", "03_find_and_tag.ipynb"])
def test_executed_notebook_saved_by_lab_is_small_and_keeps_its_grids(
        lab: Lab, page: Any, widget_state_saved: None, notebook: str) -> None:
    from playwright.sync_api import expect

    name = lab.copy(notebook)
    path = lab.root / "notebooks" / name
    panel = run_all(page, lab, name)  # Lab's "Run All Cells"; no stderr output
    page.wait_for_function(IDLE_JS, timeout=60_000)
    expect(panel.locator(".dt-container table.dataTable tbody tr").first).to_be_visible(timeout=30_000)
    page.wait_for_function("(p) => [...p.querySelectorAll('.dt-container')].length > 0 && [...p.querySelectorAll("
                           "'.dt-container')].every(g => g.querySelector('table.dataTable tbody tr'))",
                           arg=panel.element_handle(), timeout=30_000)
    grids = panel.evaluate(GRID_ROWS_JS)
    assert len(grids) >= 3 and sum(grids) >= 20, grids

    # Ctrl+S, and wait for Lab's own "completed" (and the tab's unsaved-changes dot to go)
    tab, dirty = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text=name), re.compile(r"\bjp-mod-dirty\b")
    expect(tab).to_have_class(dirty, timeout=1)  # the run changed it, and it is not saved yet
    before = path.stat().st_mtime_ns
    page.evaluate(WATCH_SAVE_JS)
    page.keyboard.press("Control+s")
    page.wait_for_function("() => window.__aoSaves.includes('completed') || window.__aoSaves.includes('failed')",
                           timeout=60_000)
    assert page.evaluate("() => window.__aoSaves") == ["started", "completed"]
    expect(tab).not_to_have_class(dirty, timeout=10_000)
    assert path.stat().st_mtime_ns != before

    saved = path.read_bytes()
    size = len(saved)
    assert size < LIMIT, f"{notebook} saved by Lab at {size:,} bytes"
    nb = json.loads(saved)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c["execution_count"] for c in code)  # really executed, every cell
    views = [o["data"][VIEW]["model_id"] for c in code for o in c["outputs"] if VIEW in o.get("data", {})]
    state = nb["metadata"]["widgets"][STATE]["state"]
    assert views and set(views) <= set(state)  # every widget output's model is in the file
    saved_grids = [m for m in state.values() if m["state"].get("_anywidget_id") == GRID]
    assert len(saved_grids) >= len(grids)  # every live grid (some are inside panels)
    # itables' module is in the file once, not once per grid
    assert sum(len(json.dumps(m)) > 100_000 for m in state.values()) == 1

    # the live view after the save: the same grids, the same rows, still drawn
    assert panel.evaluate(GRID_ROWS_JS) == grids
    expect(panel.locator(".dt-container table.dataTable tbody tr").first).to_be_visible(timeout=1)
