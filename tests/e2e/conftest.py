"""Browser fixtures: one JupyterLab server and one Chromium for the whole session (CI time)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import CHROMIUM, LAUNCH_ARGS, Lab, require_browser, stop, wait_http


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    require_browser()
    lab = Lab(tmp_path_factory.mktemp("lab"))
    try:
        wait_http(f"{lab.base}/api/status?token={lab.token}", lab.proc, "JupyterLab")
        yield lab
    finally:
        stop(lab.proc)


@pytest.fixture
def lab(lab_server: Lab) -> Iterator[Lab]:
    yield lab_server
    lab_server.shutdown_kernels()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium (never a downloaded browser)."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, tmp_path: Path) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 1400}, accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()
