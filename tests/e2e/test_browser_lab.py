"""The OrderBrowser in JupyterLab (headless Chromium): find, sort, scroll, choose, select, send."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import Lab, assert_readable, notebook_json, run_all, shot_path, wait_until

pytestmark = pytest.mark.browser

CELLS = ("import adobe_orders as ao\nclient = ao.connect()",
         'browser = ao.OrderBrowser(client, customers=["9876500262", "0001000000"])\n'
         'browser.order_type.value = "RENEWAL"\nbrowser')

ROW_IDS_JS = """(grid) => [...grid.querySelectorAll('table.dataTable tbody tr')]
    .map(tr => tr.querySelectorAll('td')[1]?.textContent?.trim()).filter(Boolean)"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_order_browser_in_jupyterlab(lab: Lab, page: Any, tmp_path: Path, theme: str) -> None:
    from playwright.sync_api import expect

    panel = run_all(page, lab, lab.copy("browser.ipynb", notebook_json(*CELLS)), theme)
    browser = panel.locator(".widget-vbox.adobe-orders-browser").first
    expect(browser).to_contain_text("LOCAL EMULATOR", timeout=30_000)
    browser.get_by_role("button", name="Find orders").click()
    expect(browser).to_contain_text("orders of 2 customer(s)", timeout=30_000)
    grid = browser.locator(".dt-container").first
    expect(grid.locator("table.dataTable tbody tr").first).to_be_visible(timeout=30_000)

    def drawn_rows() -> list[str]:  # the first row can be visible before DataTables has drawn the others
        ids = grid.evaluate(ROW_IDS_JS)
        assert len(ids) >= 8 and all(text for text in ids), ids
        return list(ids)

    before = wait_until(drawn_rows)

    # sortable: clicking the orderId header sorts by it
    grid.locator("thead th", has_text="orderId").first.click()

    def sorted_by_order_id() -> None:  # DataTables redraws the rows just after the click
        after = grid.evaluate(ROW_IDS_JS)
        assert sorted(after) == sorted(before) and after != before, after
        assert after in (sorted(after), sorted(after, reverse=True)), after

    wait_until(sorted_by_order_id)

    # scrollable inside its own box, not clipped
    scroller = grid.locator(".dt-scroll-body").first
    box = scroller.evaluate("(e) => [e.scrollHeight, e.clientHeight, getComputedStyle(e).overflowY]")
    assert box[2] in ("auto", "scroll") and box[1] <= 400
    assert_readable(browser)  # filters, message, grid: no None/nan, nothing clipped, 4.5 : 1 contrast

    # choose one order: it opens in the form
    first_row = grid.locator("table.dataTable tbody tr").first
    chosen = first_row.locator("td").nth(1).text_content().strip()
    first_row.click()
    open_button = browser.get_by_role("button", name="Open in form")
    expect(open_button).to_be_enabled(timeout=10_000)
    open_button.click()
    form = browser.locator(".widget-vbox.adobe-orders").filter(has_text="External reference ID").first
    expect(form.locator("table.line-items")).to_be_visible(timeout=30_000)
    expect(form).to_contain_text(chosen)

    # a selection goes to the batch panel with one reference
    grid.locator("table.dataTable tbody tr").nth(1).click(modifiers=["Shift"])
    expect(browser).to_contain_text("2 selected", timeout=10_000)
    browser.get_by_role("textbox", name="Reference", exact=True).fill("PO-E2E-BROWSER")
    send = browser.get_by_role("button", name="Send to batch panel")
    expect(send).to_be_enabled(timeout=10_000)
    send.click()
    expect(browser).to_contain_text("2 rows: 2 ready", timeout=30_000)
    browser.scroll_into_view_if_needed()
    browser.screenshot(path=shot_path(tmp_path, "order-browser-in-jupyterlab.png" if theme == "light"
                                      else "order-browser-in-jupyterlab-dark.png"))
    assert browser.locator("text=LOCAL EMULATOR >> visible=true").count() == 1  # one banner, not one per nested widget
    assert send.evaluate("(b) => b.scrollWidth <= b.clientWidth + 1")  # the label is not cut
    assert "emu-secret-" not in page.content()
