"""Keyboard and assistive technology in JupyterLab, light and dark: an analyst with no mouse finds an order,
selects it, opens it in the form, sends a selection to the batch panel; focus is visible at 3 : 1, 2 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import FOCUS_JS, Lab, notebook_json, run_all, shot_path, wait_until

pytestmark = pytest.mark.browser

CELLS = ("from adobe_orders import OrderBrowser, Sandbox\nsb = Sandbox().start()",
         'browser = OrderBrowser(sb.client(), customers=["9876500262", "0001000000"])\nbrowser')

ACTIVE_JS = """() => { const a = document.activeElement; if (!a) return '';
  return a.tagName + (a.closest('tbody') ? ':row' : '') + (a.closest('thead') ? ':head' : '') + ':' +
         (a.getAttribute('aria-label') || a.textContent || a.value || '').trim().slice(0, 40); }"""


def tab_to(page: Any, want: str, limit: int = 60) -> str:
    """Press Tab until the focused element's description contains ``want`` (as a keyboard user does)."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE_JS)
        seen.append(active)
        if want in active:
            return active
    raise AssertionError(f"Tab never reached {want!r}: {seen}")


def assert_focus_ring(page: Any) -> None:
    ring = page.evaluate(FOCUS_JS)
    assert ring["width"] >= 2 and ring["contrast"] >= 3, ring


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_select_an_order_and_open_it_with_the_keyboard_only(lab: Lab, page: Any, tmp_path: Path, theme: str) -> None:
    from playwright.sync_api import expect

    panel = run_all(page, lab, lab.copy("keys.ipynb", notebook_json(*CELLS)), theme)
    browser = panel.locator(".widget-vbox.adobe-orders-browser").first
    expect(browser).to_contain_text("LOCAL EMULATOR", timeout=30_000)
    # icon buttons' accessible names are their words, with no invisible glyph before them
    find = browser.get_by_role("button", name="Find orders", exact=True)
    expect(find).to_be_visible()
    find.focus()
    assert_focus_ring(page)
    page.keyboard.press("Enter")
    expect(browser).to_contain_text("orders of 2 customer(s)", timeout=30_000)
    grid = browser.locator(".dt-container").first
    # an order's row, not the empty grid's "no data" row (one cell) that shows before Find fills it
    expect(grid.locator("table.dataTable tbody tr td:nth-child(2)").first).to_be_visible(timeout=30_000)
    # the orders scroll inside the grid's own box: the browser stays within a laptop screen (it grew to 1,230 px)
    assert browser.evaluate("(e) => e.getBoundingClientRect().height") < 800
    browser.scroll_into_view_if_needed()
    browser.screenshot(path=shot_path(tmp_path, f"order-browser-{theme}.png"))

    # Tab through the sort headers: the header row and the body scroll together
    find.focus()
    tab_to(page, ":head:offer_ids")
    # (the body follows on the header's scroll event: wait for it, then compare)
    page.wait_for_function("(g) => Math.abs(g.querySelector('.dt-scroll-head').scrollLeft -"
                           " g.querySelector('.dt-scroll-body').scrollLeft) <= 1", arg=grid.element_handle(),
                           timeout=10_000)
    offsets = grid.evaluate("(g) => [g.querySelector('.dt-scroll-head').scrollLeft,"
                            " g.querySelector('.dt-scroll-body').scrollLeft]")
    assert offsets[0] > 0 and abs(offsets[0] - offsets[1]) <= 1, offsets

    # into the rows: the first row takes focus, Space selects it
    tab_to(page, ":row")
    assert_focus_ring(page)
    chosen = grid.locator("tbody tr").first.locator("td").nth(1).text_content().strip()
    page.keyboard.press("Space")
    expect(browser).to_contain_text("1 selected", timeout=10_000)
    selected = grid.locator("tbody tr[aria-selected='true']")
    expect(selected).to_have_count(1)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    expect(browser).to_contain_text("2 selected", timeout=10_000)
    page.keyboard.press("Space")  # Space again: deselects the row
    expect(browser).to_contain_text("1 selected", timeout=10_000)

    tab_to(page, "Open in form")
    assert_focus_ring(page)
    page.keyboard.press("Enter")
    form = browser.locator(".widget-vbox.adobe-orders").filter(has_text="External reference ID").first
    expect(form.locator("table.line-items")).to_be_visible(timeout=30_000)
    assert form.locator(".widget-text:has-text('Order ID') input").input_value() == chosen
    expect(form).to_contain_text(f"Order {chosen}")
    # the form came into view where the user is looking
    top = form.evaluate("(e) => e.getBoundingClientRect().top")
    assert 0 <= top < page.viewport_size["height"], top

    # the Order JSON accordion is in the Tab order and opens with Enter
    header = tab_to(page, "Order JSON")
    assert "Order JSON" in header
    assert_focus_ring(page)
    page.keyboard.press("Enter")
    expect(form.locator(".jupyter-widget-Collapse-open, .lm-Collapse-open")).to_have_count(1, timeout=10_000)

    # a reference for the selection, sent to the batch panel by keyboard: the panel replaces the form, in view
    reference = browser.get_by_role("textbox", name="Reference", exact=True)
    reference.focus()
    page.keyboard.type("PO-KEYBOARD-1")
    tab_to(page, "Send to batch panel")
    page.keyboard.press("Enter")
    batch = browser.locator(".ao-batch-panel").first
    expect(batch).to_contain_text("1 rows: 1 ready", timeout=30_000)
    # the panel loads the rows first, then hides the form and asks the page to bring the panel into view, which
    # the page does on a timer of its own (page_support.js, reveal): wait for each, then check where it landed
    expect(form).to_be_hidden(timeout=10_000)
    page.wait_for_function("(e) => { const top = e.getBoundingClientRect().top;"
                           " return 0 <= top && top < innerHeight / 2; }", arg=batch.element_handle(), timeout=10_000)
    box = batch.evaluate("(e) => { const r = e.getBoundingClientRect(); return [r.top, r.bottom]; }")
    assert 0 <= box[0] < page.viewport_size["height"] / 2, box
    assert batch.locator(".widget-upload").count() == 0 or not batch.locator(".widget-upload").is_visible()
    # the keyboard user is taken along: focus moves to the panel's first button it can press (it stayed on
    # "Send to batch panel", hidden with the browser's part, when reveal picked the hidden Upload button)
    focused = wait_until(lambda: _focused_in(batch))
    assert focused == "Dry run", focused
    assert_focus_ring(page)


def _focused_in(part: Any) -> str:
    """The label of the focused element, which must be inside ``part``."""
    found = part.evaluate("(e) => e.contains(document.activeElement) ? document.activeElement.textContent.trim()"
                          " : null")
    assert found is not None, "focus is outside the panel"
    return str(found)
