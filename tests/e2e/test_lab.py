"""JupyterLab in headless Chromium, light and dark: the widgets as an analyst sees them.

Catches what kernel-side tests cannot: a clear_output() race once wiped results in Lab only;
clipped inputs, unreadable colours and stale views are only visible in a real page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import CELLS_JS, Lab, assert_buttons, assert_readable, run_all, shot_path, wait_until

pytestmark = pytest.mark.browser
VALUE_35 = "PO-2026-WWWWWWWWWWWWWWWWWWWWWWWWWWW"  # 35 characters, the widest letters

FITS_JS = r"""
(form) => {
  const out = [];
  const canvas = document.createElement('canvas').getContext('2d');
  for (const input of form.querySelectorAll('.widget-text input')) {
    const s = getComputedStyle(input); canvas.font = s.font;
    const room = input.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    for (const text of [input.value, input.placeholder]) {
      if (text && canvas.measureText(text).width > room) out.push(`input: ${text}`);
    }
  }
  for (const label of form.querySelectorAll('.widget-label, .jupyter-button')) {
    if (label.scrollWidth > label.clientWidth + 1) out.push(`cut: ${label.textContent}`);
  }
  for (const id of form.querySelectorAll('.ao-id')) {
    if (id.getClientRects().length > 1) out.push(`wrapped ID: ${id.textContent}`);
  }
  return out;
}
"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_form_in_jupyterlab(lab: Lab, page: Any, tmp_path: Path, theme: str) -> None:
    from playwright.sync_api import expect

    panel = run_all(page, lab, lab.copy("01_update_one_order.ipynb"), theme)
    # the embedded emulator's notice is ordinary output (not stderr), said once
    assert panel.get_by_text("embedded local emulator").count() == 1
    form = panel.locator(".widget-vbox.adobe-orders").filter(has_text="External reference ID").first
    expect(form).to_be_visible(timeout=30_000)
    expect(form).to_contain_text("LOCAL EMULATOR")
    assert form.evaluate(FITS_JS) == []  # placeholders and labels, before typing
    form.locator(".widget-text:has-text('Customer ID') input").fill("0001000000")
    form.locator(".widget-text:has-text('Order ID') input").fill("0123456000")
    form.locator(".widget-text:has-text('External reference ID') input").fill(VALUE_35)
    expect(form).to_contain_text("35/35")
    assert form.evaluate(FITS_JS) == []  # the whole 35-character value shows before Update
    update = form.get_by_role("button", name="Update")
    expect(update).to_be_enabled(timeout=10_000)
    update.click()
    expect(form).to_contain_text(f"PO-2026-0001 → {VALUE_35}", timeout=20_000)
    # The click's last change is Update enabled again (it is disabled while the request runs): once it shows, every
    # change the click made has reached the page (the kernel's messages are applied in order). Then re-check: a
    # late clear would wipe the result after a brief flash.
    expect(update).to_be_enabled(timeout=20_000)
    expect(form).to_contain_text(f"PO-2026-0001 → {VALUE_35}", timeout=1)
    items = form.locator("table.line-items")
    expect(items).to_be_visible(timeout=1)
    assert items.locator("tbody tr").count() >= 1
    expect(form.locator("table.history")).to_contain_text(VALUE_35, timeout=1)
    assert form.evaluate(FITS_JS) == []
    assert_readable(form)
    form.scroll_into_view_if_needed()
    if theme == "light":  # the README's picture
        form.screenshot(path=shot_path(tmp_path, "form-in-jupyterlab.png"))
    assert "emu-secret-" not in page.content()

    # a failed fetch for another order: the previous order's view is gone, not shown under the new IDs
    form.locator(".widget-text:has-text('Order ID') input").fill("0999999999")
    form.get_by_role("button", name="Fetch order").click()
    # the error is the fetch's last change: the order's views were emptied before it (as the Order ID changed,
    # and again as the fetch began), and the page applies the kernel's messages in order
    expect(form).to_contain_text("HTTP 404", timeout=20_000)
    expect(form.locator("table.line-items")).to_have_count(0, timeout=1)
    expect(form).not_to_contain_text("Order 0123456000", timeout=1)
    expect(form).not_to_contain_text(f"→ {VALUE_35}", timeout=1)
    assert form.locator(".adobe-orders-msg .ao-id").count() >= 2  # request and correlation IDs
    assert form.evaluate(FITS_JS) == []  # ... and none of them wraps in its middle
    assert_readable(form)


def _batch_panel(page: Any, panel: Any) -> Any:
    return panel.locator(".widget-vbox.adobe-orders").filter(has=page.get_by_role("button", name="Dry run")).first


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_batch_panel_in_jupyterlab(lab: Lab, page: Any, tmp_path: Path, theme: str) -> None:
    """One table with a status filter, badges, a real download link; readable in both themes."""
    from playwright.sync_api import expect

    panel = run_all(page, lab, lab.copy("02_bulk_update.ipynb"), theme)
    batch = _batch_panel(page, panel)
    expect(batch).to_contain_text("25 rows: 18 ready, 6 with a problem (never sent), 1 left blank", timeout=30_000)
    # the notebook's own results tables (ao.show): cells are text, none says None or nan
    cells = panel.evaluate(CELLS_JS)
    assert len(cells) > 50 and not {"None", "nan", "NaN", "<NA>", "NaT"} & set(cells)
    expect(batch.locator(".dt-container")).to_have_count(1)
    batch.get_by_role("button", name="Dry run").click()
    expect(batch.locator(".ao-counts")).to_contain_text("would_update", timeout=60_000)
    # the run's last step sets the buttons (after the message, the table and the link): wait for the whole set
    wait_until(lambda: assert_buttons(batch, {"Dry run": True, "Apply (18 rows)": True, "Cancel": False,
                                              "Resume": False, "Retry failed": False, "Undo": False}))
    expect(batch).to_contain_text("finished", timeout=1)
    expect(batch.locator(".dt-container")).to_have_count(1)  # the results replaced the preview: one table
    link = batch.locator("a[download]")
    expect(link).to_be_visible(timeout=1)
    assert link.evaluate("a => getComputedStyle(a).textDecorationLine") == "underline"
    box = batch.bounding_box()
    assert box is not None and box["height"] < 1300, box  # no pile of tables
    body = batch.locator(".dt-scroll-body")
    assert body.evaluate("e => getComputedStyle(e).overflowY") in ("auto", "scroll")
    assert_readable(batch)
    # the status filter narrows the one table
    choose = batch.locator("select").filter(has_text="All statuses")
    choose.select_option(label=choose.locator("option", has_text="invalid").inner_text())

    def only_invalid() -> None:  # the kernel redraws the grid with the filtered rows
        statuses = batch.locator(".dt-scroll-body tbody tr").all_inner_texts()
        assert statuses and all("invalid" in row for row in statuses), statuses

    wait_until(only_invalid)
    batch.scroll_into_view_if_needed()
    if theme == "dark":  # the README's picture
        batch.screenshot(path=shot_path(tmp_path, "batch-panel-in-jupyterlab-dark.png"))


CANCEL_NOTEBOOK = '''import pandas as pd
from adobe_orders import BatchUpdatePanel, Sandbox

sb = Sandbox(latency=0.15).start()
rows = sb.orders[:60]
frame = pd.DataFrame({"customerId": [o["customerId"] for o in rows], "orderId": [o["orderId"] for o in rows],
                      "externalReferenceId": [f"PO-CANCEL-{i}" for i in range(60)]})
panel = BatchUpdatePanel(sb.client(), frame, workers=1)
panel'''


def test_cancel_shows_where_it_stopped_and_resume_finishes(lab: Lab, page: Any) -> None:
    from playwright.sync_api import expect

    from tests.e2e.helpers import notebook_json

    panel = run_all(page, lab, lab.copy("cancel.ipynb", notebook_json(CANCEL_NOTEBOOK)))
    batch = _batch_panel(page, panel)
    resume = batch.get_by_role("button", name="Resume")
    expect(resume).to_be_disabled(timeout=30_000)
    batch.get_by_role("button", name="Apply").click()
    expect(batch.locator(".ao-progress-text")).to_contain_text(re.compile(r"Applying: [3-9] / 60"), timeout=30_000)
    batch.get_by_role("button", name="Cancel").click()
    expect(batch.locator(".ao-progress-text")).to_contain_text("stopped", timeout=30_000)
    # the run's last step sets the buttons, after the bar, the message and the table: Resume is offered then
    expect(resume).to_be_enabled(timeout=30_000)
    text = batch.locator(".ao-progress-text").inner_text()
    done = int(re.search(r"(\d+) / 60", text).group(1))
    assert 3 <= done < 60, text
    bar = batch.locator(".progress-bar, .widget-progress .progress-bar").first
    width = bar.evaluate("b => b.getBoundingClientRect().width / b.parentElement.getBoundingClientRect().width")
    assert width < 0.95, width  # the bar stops where the run stopped
    expect(batch).to_contain_text("not_run", timeout=1)
    expect(resume).to_be_enabled(timeout=1)
    assert resume.evaluate("b => getComputedStyle(b).cursor") != "not-allowed"
    assert batch.get_by_role("button", name="Cancel").evaluate("b => getComputedStyle(b).cursor") == "not-allowed"
    resume.click()
    expect(batch.locator(".ao-counts")).to_contain_text("updated 60", timeout=60_000)
    expect(batch.locator(".ao-progress-text")).to_contain_text("done", timeout=1)
