"""``adobe-orders app``: a whole batch through the web page (Voilà) in Chromium, as a colleague would.

Upload the file, dry run, apply, download the results, undo; then stop the app and see nothing
left running on its port.
"""

from __future__ import annotations

import csv
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import ROOT, App, assert_buttons, assert_readable, require_browser, shot_path, wait_until

pytestmark = pytest.mark.browser


@pytest.fixture
def app(tmp_path: Path) -> Iterator[str]:
    """The address ``adobe-orders app`` printed, with its token: what a colleague opens."""
    require_browser()
    pytest.importorskip("voila")
    server = App(tmp_path)
    try:
        yield server.printed_url()
    finally:
        server.stop()
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", server.port)) != 0, "Voilà outlived adobe-orders app"


def test_a_whole_batch_through_the_app(app: str, page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page.goto(app, timeout=90_000)
    panel = page.locator(".ao-batch-panel").first  # the first tab's (the order browser holds one too)
    expect(panel).to_be_visible(timeout=90_000)
    expect(page.locator(".adobe-orders-env").first).to_contain_text("LOCAL EMULATOR")
    assert page.get_by_text("customer_id = ").count() == 0  # no code shown
    # at rest the batch tab says which columns a file needs and offers a template
    expect(panel).to_contain_text("customerId, orderId, externalReferenceId")
    template = panel.get_by_role("link", name="Download a template (CSV)")
    expect(template).to_be_visible()
    with page.expect_download() as template_info:
        template.click()
    saved_template = tmp_path / "template.csv"
    template_info.value.save_as(saved_template)
    assert saved_template.read_text().splitlines() == ["customerId,orderId,externalReferenceId"]
    # one tab of the strip in the Tab order: the selected one
    tabs = page.locator(".lm-TabBar-tab")
    expect(tabs.first).to_have_attribute("tabindex", "0", timeout=10_000)
    assert [t.get_attribute("tabindex") for t in tabs.all()[1:]] == ["-1"] * (tabs.count() - 1)
    upload = panel.locator(".widget-upload").first
    expect(upload).to_have_attribute("title", "Choose a .csv or .xlsx file: one row per order")
    with page.expect_file_chooser() as chooser:
        panel.locator(".widget-upload").click()
    chooser.value.set_files(str(ROOT / "examples" / "updates.csv"))
    expect(panel).to_contain_text("18 ready", timeout=30_000)

    panel.get_by_role("button", name="Dry run").click()
    expect(panel).to_contain_text("Dry run", timeout=60_000)
    expect(panel.locator(".ao-counts")).to_contain_text("would_update", timeout=60_000)

    panel.get_by_role("button", name="Apply").click()
    expect(panel.locator(".ao-counts")).to_contain_text("updated", timeout=60_000)
    # the run's last step sets the buttons (after the counts, the table and the link): wait for the whole set
    wait_until(lambda: assert_buttons(panel, {"Dry run": True, "Apply (18 rows)": False, "Cancel": False,
                                              "Resume": False, "Retry failed": False, "Undo": True}))
    assert_readable(panel)
    panel.scroll_into_view_if_needed()
    page.screenshot(path=shot_path(tmp_path, "app-batch.png"), full_page=True)

    link = panel.locator("a[download]")
    expect(link).to_be_visible()
    with page.expect_download() as download_info:
        link.click()
    saved = tmp_path / "results.csv"
    download_info.value.save_as(saved)
    with saved.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 25 and {"status", "reason", "batch_id"} <= set(rows[0])
    assert sum(r["status"] == "updated" for r in rows) >= 10

    undo = panel.get_by_role("button", name="Undo")
    expect(undo).to_be_enabled(timeout=10_000)
    undo.click()
    expect(panel).to_contain_text("Undo of batch", timeout=60_000)
    expect(panel.locator(".ao-counts")).to_contain_text("updated", timeout=30_000)
    assert "emu-secret-" not in page.content()
    assert not os.environ.get("ADOBE_VIPM_ENV")
