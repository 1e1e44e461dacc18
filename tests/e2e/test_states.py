"""Buttons, words and colours in every state of a run, in JupyterLab light and dark: running, cancelled, resumed,
retried, undone. Each enabled text reads at 4.5 : 1; every disabled button looks the same (outlined, dashed)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import (
    BUTTONS_JS,
    FOCUS_JS,
    Lab,
    assert_buttons,
    button_states,
    contrast_failures,
    notebook_json,
    run_all,
    shot_path,
    wait_until,
)

pytestmark = pytest.mark.browser

PANEL = '''import pandas as pd
from adobe_orders import BatchUpdatePanel, Sandbox

sb = Sandbox(latency=0.1).start()
rows = sb.orders[:40]
frame = pd.DataFrame({"customerId": [o["customerId"] for o in rows], "orderId": [o["orderId"] for o in rows],
                      "externalReferenceId": [f"PO-STATES-{i}" for i in range(40)]})
frame.loc[5, "orderId"] = "0999999999"  # unknown to Adobe: a permanent failure (404)
sb.faults.queue("error_500", 2)  # one worker: the first two reads fail, a retry can fix them
panel = BatchUpdatePanel(sb.client(max_retries=0), frame, workers=1)
panel'''

def assert_colours(batch: Any, when: str) -> None:
    checked, bad = contrast_failures(batch)
    assert checked > 5 and bad == [], (when, bad)
    looks = batch.evaluate(BUTTONS_JS)
    disabled = {(b["background"], b["border"]) for b in looks if not b["enabled"]}
    assert len(disabled) <= 1, (when, disabled)  # one style for every disabled button
    assert all(border == "dashed" for _, border in disabled), (when, disabled)
    enabled = {(b["background"], b["border"]) for b in looks if b["enabled"]}
    assert not enabled & disabled, (when, enabled, disabled)  # enabled and disabled told apart at a glance


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_buttons_words_and_colours_through_a_run(lab: Lab, page: Any, tmp_path: Path, theme: str) -> None:
    from playwright.sync_api import expect

    panel = run_all(page, lab, lab.copy("states.ipynb", notebook_json(PANEL)), theme)
    batch = panel.locator(".ao-batch-panel").first
    expect(batch).to_contain_text("40 rows: 40 ready", timeout=30_000)
    assert button_states(batch) == {"Dry run": True, "Apply (40 rows)": True, "Cancel": False, "Resume": False,
                             "Retry failed": False, "Undo": False}
    assert_colours(batch, "at rest")

    batch.get_by_role("button", name="Apply").click()
    progress = batch.locator(".ao-progress-text")
    expect(progress).to_contain_text(re.compile(r"Applying: 1[0-9] / 40"), timeout=30_000)
    # running: the table is not called a preview; only Cancel is offered, and it is readable
    expect(batch).not_to_contain_text("Preview — nothing sent yet", timeout=1)
    expect(batch).not_to_contain_text("adobe_orders.resume", timeout=1)
    assert button_states(batch) == {"Dry run": False, "Apply (40 rows)": False, "Cancel": True, "Resume": False,
                             "Retry failed": False, "Undo": False}
    assert_colours(batch, "running")
    cancel = batch.get_by_role("button", name="Cancel")
    cancel.focus()
    ring = page.evaluate(FOCUS_JS)
    assert ring["width"] >= 2 and ring["contrast"] >= 3, ring
    page.keyboard.press("Enter")
    expect(progress).to_contain_text("stopped", timeout=30_000)

    # cancelled: Resume (with the rows it sends: not run, and failed again) and Undo; Apply would send everything
    # again and Retry would send the failed rows twice, so neither is offered. The run's last step sets the
    # buttons (after "stopped", the message and the table), one message per button: wait for the whole set.
    def cancelled() -> dict[str, bool]:
        found = button_states(batch)
        resume = next((name for name in found if name.startswith("Resume")), "Resume")
        assert re.fullmatch(r"Resume \(\d+ rows\)", resume), found
        assert found == {"Dry run": True, "Apply (40 rows)": False, "Cancel": False, resume: True,
                         "Retry failed": False, "Undo": True}, found
        return found

    wait_until(cancelled)
    assert_colours(batch, "cancelled")
    batch.get_by_role("button", name="Resume").click()
    expect(progress).to_contain_text("Resuming", timeout=10_000)
    expect(progress).to_contain_text("done", timeout=60_000)

    # finished: the resume sent the 500s again; the 404 is left, and a retry cannot fix it
    wait_until(lambda: assert_buttons(batch, {"Dry run": True, "Apply (40 rows)": False, "Cancel": False,
                                              "Resume": False, "Retry failed": False, "Undo": True}))
    assert_colours(batch, "finished")
    batch.get_by_role("button", name="Show the 1 problem").click()
    expect(batch.locator(".dt-scroll-body tbody tr")).to_have_count(1, timeout=10_000)
    expect(batch.locator(".dt-scroll-body tbody tr")).to_contain_text("0999999999")
    headers = batch.locator(".dt-scroll-head th").all_inner_texts()
    assert [h.strip() for h in headers][:4] == ["customerId", "orderId", "Status", "Reason"], headers
    batch.get_by_role("button", name="Undo").click()
    expect(batch).to_contain_text("Undo of batch", timeout=60_000)
    wait_until(lambda: assert_buttons(batch, {"Dry run": True, "Apply (40 rows)": False, "Cancel": False,
                                              "Resume": False, "Retry failed": False, "Undo": False}))
    assert_colours(batch, "after undo")
    batch.scroll_into_view_if_needed()
    batch.screenshot(path=shot_path(tmp_path, f"batch-panel-{theme}.png"))


FORM = '''from adobe_orders import Sandbox, UpdateOrderForm

sb = Sandbox().start()
form = UpdateOrderForm(sb.client())
form'''


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_form_previews_the_change_and_marks_a_long_value_invalid(lab: Lab, page: Any, tmp_path: Path,
                                                                     theme: str) -> None:
    from playwright.sync_api import expect

    panel = run_all(page, lab, lab.copy("form.ipynb", notebook_json(FORM)), theme)
    form = panel.locator(".widget-vbox.adobe-orders").filter(has_text="External reference ID").first
    expect(form).to_be_visible(timeout=30_000)
    form.locator(".widget-text:has-text('Customer ID') input").fill("0001000000")
    form.locator(".widget-text:has-text('Order ID') input").fill("0123456000")
    value = form.locator(".widget-text:has-text('External reference ID') input")
    value.fill("PO-UX-2026-0042")
    dry_run = form.get_by_role("button", name="Dry run", exact=True)
    expect(dry_run).to_be_enabled(timeout=10_000)
    dry_run.click()
    expect(form.locator("table.order-header")).to_be_visible(timeout=20_000)
    before = form.locator("table.order-header td").nth(2).inner_text().strip()  # the order's reference, as read
    assert before
    expect(form).to_contain_text(f"Update will change externalReferenceId: {before} → PO-UX-2026-0042 "
                                 "(nothing sent yet)")
    checked, bad = contrast_failures(form)
    assert checked > 5 and bad == [], bad
    form.scroll_into_view_if_needed()
    form.screenshot(path=shot_path(tmp_path, f"form-{theme}.png"))

    value.fill("PO-" + "X" * 41)  # 44 characters
    expect(value).to_have_attribute("aria-invalid", "true", timeout=10_000)
    described = value.get_attribute("aria-describedby")
    assert described
    expect(page.locator(f"#{described}")).to_contain_text("at most 35", timeout=10_000)
    expect(form.get_by_role("button", name="Update", exact=True)).to_be_disabled()
    border = value.evaluate("(i) => parseFloat(getComputedStyle(i).borderTopWidth)")
    assert border >= 2
    value.fill("PO-UX-2026-0042")
    expect(value).to_have_attribute("aria-invalid", "false", timeout=10_000)
    expect(form.get_by_role("button", name="Update", exact=True)).to_be_enabled()


RETRY = '''import pandas as pd
from adobe_orders import BatchUpdatePanel, Sandbox

sb = Sandbox().start()
rows = sb.orders[:8]
frame = pd.DataFrame({"customerId": [o["customerId"] for o in rows], "orderId": [o["orderId"] for o in rows],
                      "externalReferenceId": [f"PO-RETRY-{i}" for i in range(8)]})
frame.loc[7, "orderId"] = "0999999999"  # unknown to Adobe: a retry cannot fix it
sb.faults.queue("error_500", 2)  # one worker: the first reads fail, a retry can fix them
panel = BatchUpdatePanel(sb.client(max_retries=0), frame, workers=1)
panel'''


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_retry_is_offered_for_what_a_retry_can_fix(lab: Lab, page: Any, theme: str) -> None:
    from playwright.sync_api import expect

    panel = run_all(page, lab, lab.copy("retry.ipynb", notebook_json(RETRY)), theme)
    batch = panel.locator(".ao-batch-panel").first
    expect(batch).to_contain_text("8 rows: 8 ready", timeout=30_000)
    batch.get_by_role("button", name="Apply").click()
    expect(batch.locator(".ao-progress-text")).to_contain_text("done", timeout=60_000)

    def applied() -> str:
        found = button_states(batch)
        retry = next((name for name in found if name.startswith("Retry")), "Retry")
        assert re.fullmatch(r"Retry [12] failed", retry), found  # the 500s; never the 404
        assert found == {"Dry run": True, "Apply (8 rows)": False, "Cancel": False, "Resume": False, retry: True,
                         "Undo": True}, found
        return retry

    retry = wait_until(applied)  # the buttons are the run's last step, set one by one
    assert_colours(batch, "after apply")
    batch.get_by_role("button", name=retry).click()
    expect(batch).to_contain_text("Retry of the failed rows", timeout=60_000)
    wait_until(lambda: assert_buttons(batch, {"Dry run": True, "Apply (8 rows)": False, "Cancel": False,
                                              "Resume": False, "Retry failed": False, "Undo": True}))  # the 404 left
    assert_colours(batch, "after retry")
