"""What the browser tests share: one JupyterLab server per session, Chromium, themes, page checks."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests

from tests.helpers import server_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The README's pictures are refreshed with ADOBE_ORDERS_SCREENSHOTS=docs; otherwise shots go to a temp folder.
SHOTS = os.environ.get("ADOBE_ORDERS_SCREENSHOTS")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync",
               # DNS rebinding, as an attacker's name server does it: this name resolves to this machine
               "--host-resolver-rules=MAP evil.example 127.0.0.1"]
THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}
T = TypeVar("T")


def require_browser() -> None:
    """Under CI=true a missing browser fails instead of skipping: a skip would hide a missing install step."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run must apt-get install chromium")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright")


def free_port() -> int:
    return server_port()


def jupyter_env(tmp: Path) -> dict[str, str]:
    config = tmp / "jupyter-config"
    (config / "labconfig").mkdir(parents=True, exist_ok=True)
    (config / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_VIPM_")}
    env.update(JUPYTER_CONFIG_DIR=str(config), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               JUPYTER_DATA_DIR=str(tmp / "data"), IPYTHONDIR=str(tmp / "ipython"))
    return env


def copy_workspace(tmp: Path) -> Path:
    """A temporary copy of notebooks/ and examples/ (Lab autosaves; the repo stays untouched)."""
    root = tmp / "lab"
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copytree(ROOT / "examples", root / "examples")
    return root


def wait_http(url: str, proc: subprocess.Popen[bytes], what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            pytest.fail(f"{what} did not start")
        time.sleep(0.3)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()  # SIGTERM lets the server shut its kernels down too
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


class App:
    """``adobe-orders app`` as a colleague starts it, and the address it prints (token included)."""

    def __init__(self, tmp: Path) -> None:
        self.work = tmp / "work"
        self.work.mkdir()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._out = tmp / "app.out"
        self.log = tmp / "app.err"  # the server's log, as the analyst's terminal shows it
        with self._out.open("wb") as out, self.log.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "adobe_orders", "app", "--no-browser", "--port", str(self.port)],
                cwd=self.work, env=jupyter_env(tmp), stdout=out, stderr=err)

    def printed_url(self, timeout: float = 60) -> str:
        """The address the command printed, once the server behind it answers."""
        deadline = time.monotonic() + timeout
        while not (found := re.search(r"http://\S+", self._out.read_text())):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                pytest.fail(f"adobe-orders app printed no address: {self._out.read_text()!r}")
            time.sleep(0.2)
        url = found.group(0)
        wait_http(url, self.proc, "the app", timeout=180)  # Voilà starts slowly on a busy machine
        return url

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Lab:
    """One JupyterLab server for the whole session; every test opens its own copy of a notebook."""

    def __init__(self, tmp: Path) -> None:
        self.root = copy_workspace(tmp)
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
             f"--port={self.port}", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={self.root / 'notebooks'}", "--LabApp.news_url=None",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             "--LabApp.extension_manager=readonly", "--LabApp.expose_app_in_browser=True"],
            env=jupyter_env(tmp), cwd=self.root / "notebooks", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._copies = 0

    def copy(self, notebook: str, text: str | None = None) -> str:
        """A fresh copy of ``notebook`` (or a new one holding ``text``), so each test gets its own kernel."""
        self._copies += 1
        name = f"{Path(notebook).stem}-{self._copies}.ipynb"
        target = self.root / "notebooks" / name
        if text is None:
            shutil.copy(self.root / "notebooks" / notebook, target)
        else:
            target.write_text(text)
        return name

    def shutdown_kernels(self) -> None:
        """Free the kernels a test started (the server outlives the test)."""
        auth = {"Authorization": f"token {self.token}"}
        for session in requests.get(f"{self.base}/api/sessions", headers=auth, timeout=10).json():
            requests.delete(f"{self.base}/api/sessions/{session['id']}", headers=auth, timeout=30)


def notebook_json(*cells: str) -> str:
    """A notebook of code cells (for test-only notebooks written into the server's folder)."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells], metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    return nbformat.writes(nb)


def set_theme(page: Any, theme: str) -> None:
    page.evaluate(f"() => window.jupyterapp.commands.execute('apputils:change-theme', {{theme: '{THEMES[theme]}'}})")
    # Lab changes the theme behind its splash screen: it adds the splash, loads the theme's CSS, sets the body's
    # data-jp-theme-light, hides the shell for a frame, then fades the splash out and removes it (200 ms on).
    # Until it is gone the page is covered (clicks land on it, screenshots show it): wait for both.
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{str(theme == 'light').lower()}'"
                           " && !document.getElementById('jupyterlab-splash') && !window.jupyterapp.shell.isHidden",
                           timeout=30_000)


def open_lab(page: Any, lab: Lab, notebook: str, theme: str = "light") -> None:
    from playwright.sync_api import expect

    page.goto(f"{lab.base}/lab/tree/{notebook}?token={lab.token}&reset")
    expect(page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first).to_be_visible(timeout=60_000)
    set_theme(page, theme)


def run_all(page: Any, lab: Lab, notebook: str, theme: str = "light") -> Any:
    """Open a notebook in Lab, run every cell once the kernel is idle, wait until all have run."""
    open_lab(page, lab, notebook, theme)
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    # run-all before the kernel is ready runs nothing: wait for an idle kernel first
    page.wait_for_function("() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
                           " const k = w && w.sessionContext && w.sessionContext.session &&"
                           " w.sessionContext.session.kernel; return !!k && k.status === 'idle'; }",
                           timeout=60_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        """() => {const ps = [...document.querySelectorAll(
             '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')];
             return ps.length > 0 && ps.every(p => /\\[\\d+\\]/.test(p.textContent));}""", timeout=180_000)
    stderr = panel.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert stderr.count() == 0, stderr.first.inner_text()  # nothing on a pink background, not even a notice
    return panel


def wait_until(check: Callable[[], T], timeout: float = 30) -> T:
    """Run ``check`` (reads of the page and asserts on them) until it passes; return what it returns.

    For a snapshot of several things the page reaches in steps, such as every button's state: a widget sends one
    message per change, so a snapshot taken in between mixes before and after. Polling for the final value
    replaces a fixed sleep, which is too short on a busy machine and time lost on a quiet one. When ``timeout``
    runs out the last AssertionError is raised: the failure shows the last value read.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.05)


# Each visible button of a widget: its label, whether it is enabled, and the look of its state (fill, border).
BUTTONS_JS = """(panel) => [...panel.querySelectorAll('button.jupyter-button')].filter(b => b.offsetParent)
  .map(b => { const s = getComputedStyle(b);
    return {name: b.textContent.trim(), enabled: !b.disabled, background: s.backgroundColor,
            border: s.borderTopStyle}; })"""


def button_states(batch: Any) -> dict[str, bool]:
    """The batch panel's run buttons (label: enabled), as the page shows them now."""
    return {b["name"]: b["enabled"] for b in batch.evaluate(BUTTONS_JS)
            if re.match(r"(Dry run|Apply|Cancel|Resume|Retry|Undo)", b["name"])}


def assert_buttons(batch: Any, want: dict[str, bool]) -> dict[str, bool]:
    """The batch panel's run buttons are ``want``; for ``wait_until`` (a run ends by setting them, one by one)."""
    found = button_states(batch)
    assert found == want, found
    return found


def shot_path(tmp_path: Path, name: str) -> str:
    folder = (ROOT / SHOTS if not Path(SHOTS).is_absolute() else Path(SHOTS)) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / name)


# -- checks run inside the page ----------------------------------------------------------------------
# Contrast per WCAG 2: relative luminance of the text colour against the background actually behind
# it (ancestors' backgrounds composited, opacity applied). Colours may come back as rgb(), rgba() or
# color(srgb ...) (what color-mix() computes to).
CONTRAST_JS = r"""
(root) => {
  const parse = (c) => {
    let m = c.match(/rgba?\(([^)]+)\)/);
    if (m) { const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
             return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; }
    m = c.match(/color\(srgb ([^)]+)\)/);
    if (m) { const p = m[1].split(/[ /]+/).filter(Boolean).map(Number);
             return [p[0] * 255, p[1] * 255, p[2] * 255, p.length > 3 ? p[3] : 1]; }
    return null;
  };
  const over = (top, bottom) => { const a = top[3];
    return [top[0] * a + bottom[0] * (1 - a), top[1] * a + bottom[1] * (1 - a),
            top[2] * a + bottom[2] * (1 - a), 1]; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  };
  const opacity = (el) => { let o = 1;
    for (let e = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity);
    return o; };
  const bad = []; let checked = 0;
  for (const el of root.querySelectorAll('*')) {
    const own = [...el.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim())
      .map(n => n.textContent.trim()).join(' ');
    if (!own) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    // WCAG exempts disabled controls
    if (el.closest(':disabled, [disabled], .mod-disabled, style, script, .jp-InputArea')) continue;
    const bg = background(el);
    let fg = parse(getComputedStyle(el).color); if (!fg) continue;
    fg = over([fg[0], fg[1], fg[2], fg[3] * opacity(el)], bg);
    const l1 = lum(fg), l2 = lum(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    checked++;
    const on = `rgb(${bg.slice(0, 3).map(Math.round)})`;
    if (ratio < 4.5) bad.push(`${ratio.toFixed(2)} "${own.slice(0, 40)}" (${getComputedStyle(el).color} on ${on})`);
  }
  return {checked, bad};
}
"""

# Every rendered table cell (HTML tables and data grids) as text: None/nan must never show.
CELLS_JS = "(root) => [...root.querySelectorAll('td, th')].map(c => c.textContent.trim())"

# A table is clipped when it is wider than the widget and the box that scrolls it is not its own (the
# output area's scrollbar at the bottom of a tall panel does not count): each table's nearest scrolling
# ancestor must lie inside the widget, no wider than it and no taller than a screen.
CLIPPED_JS = r"""
(root) => {
  const out = []; const edge = root.getBoundingClientRect();
  for (const t of root.querySelectorAll('table')) {
    const r = t.getBoundingClientRect(); if (r.width === 0) continue;
    if (t.closest('.dt-scroll-head, .dt-scroll-foot')) continue;  // DataTables scrolls these with the body
    let box = null;
    for (let e = t.parentElement; e && root.contains(e); e = e.parentElement) {
      if (/(auto|scroll)/.test(getComputedStyle(e).overflowX)) { box = e; break; }
    }
    const b = box && box.getBoundingClientRect();
    if (r.right > edge.right + 1 && (!box || b.right > edge.right + 1 || b.height > 900)) {
      out.push(`${t.className || 'table'} ${Math.round(r.width)}px wide in ${Math.round(edge.width)}px`);
    }
  }
  return out;
}
"""


def contrast_failures(locator: Any) -> tuple[int, list[str]]:
    result = locator.evaluate(CONTRAST_JS)
    return int(result["checked"]), list(result["bad"])


def assert_readable(locator: Any) -> None:
    """No None/nan in any table, no table clipped, every text at 4.5 : 1 or better."""
    cells = locator.evaluate(CELLS_JS)
    assert not [c for c in cells if c in ("None", "nan", "NaN", "<NA>", "NaT")], cells
    clipped = locator.evaluate(CLIPPED_JS)
    assert clipped == [], clipped
    checked, bad = contrast_failures(locator)
    assert checked > 5 and bad == [], bad


# The focused element's focus indicator: its outline's width and the contrast of the outline's colour against
# what is behind it (WCAG 2.2: at least 2 px and 3 : 1). A box-shadow or border ring does not count here.
FOCUS_JS = r"""
() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  const parse = (c) => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  // what the ring is drawn on: outside the element (offset >= 0) its parents' background, inside its own
  const inside = parseFloat(s.outlineOffset) < 0;
  let bg = [255, 255, 255, 1];
  for (let e = inside ? el : el.parentElement; e; e = e.parentElement) {
    const c = parse(getComputedStyle(e).backgroundColor);
    if (c && c[3] >= 1) { bg = c; break; }
  }
  const ring = parse(s.outlineColor) || [0, 0, 0, 0];
  const l1 = lum(ring), l2 = lum(bg);
  return {tag: el.tagName, style: s.outlineStyle, width: s.outlineStyle === 'none' ? 0 : parseFloat(s.outlineWidth),
          colour: s.outlineColor, on: `rgb(${bg.slice(0, 3)})`,
          contrast: (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05)};
}
"""
