"""JupyterLab in headless Chromium, light and dark: the widgets as an analyst sees them.

Catches what kernel-side tests cannot: a clear_output() race once wiped results in Lab only;
clipped inputs, unreadable colours and stale views are only visible in a real page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import Lab, assert_readable, run_all, shot_path

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
    # settle, then re-check: a late clear would wipe the result after a brief flash
    page.wait_for_timeout(1500)
    expect(form).to_contain_text(f"PO-2026-0001 → {VALUE_35}", timeout=1)
    items = form.locator("table.line-items")
    expect(items).to_be_visible(timeout=1)
    assert items.locator("tbody tr").count() >= 1
    expect(form.locator("table.history")).to_contain_text(VALUE_35, timeout=1)
    assert form.evaluate(FITS_JS) == []
    assert_readable(form)
    form.scroll_into_view_if_needed()
    form.screenshot(path=shot_path(tmp_path, "form-in-jupyterlab.png" if theme == "light"
                                   else "form-in-jupyterlab-dark.png"))
    assert "emu-secret-" not in page.content()

    # a failed fetch for another order: the previous order's view is gone, not shown under the new IDs
    form.locator(".widget-text:has-text('Order ID') input").fill("0999999999")
    form.get_by_role("button", name="Fetch order").click()
    expect(form).to_contain_text("HTTP 404", timeout=20_000)
    page.wait_for_timeout(1000)
    expect(form.locator("table.line-items")).to_have_count(0, timeout=1)
    expect(form).not_to_contain_text("Order 0123456000", timeout=1)
    expect(form).not_to_contain_text(f"→ {VALUE_35}", timeout=1)
    assert_readable(form)
