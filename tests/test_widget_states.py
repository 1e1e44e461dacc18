"""Buttons and words that tell the truth: each button enabled only when it does something sensible next,
labels that say what, the form's preview of the change, and no words that belong to another state."""

from __future__ import annotations

import base64
import threading

import pandas as pd
import pytest

from adobe_orders.widgets import BatchUpdatePanel, OrderBrowser, UpdateOrderForm
from adobe_orders.widgets.common import PageSupport, page_support

CUSTOMER, ORDER = "0001000000", "0123456000"
pytestmark = pytest.mark.usefixtures("strict_widgets")


def frame_of(orders: list[dict], prefix: str = "PO-STATE") -> pd.DataFrame:
    return pd.DataFrame({"customerId": [o["customerId"] for o in orders], "orderId": [o["orderId"] for o in orders],
                         "externalReferenceId": [f"{prefix}-{i}" for i in range(len(orders))]}, dtype=object)


def buttons(panel: BatchUpdatePanel) -> dict[str, bool]:
    """Which buttons are enabled, by their label."""
    return {b.description: not b.disabled for b in (panel.dry_run_button, panel.apply_button, panel.cancel_button,
                                                    panel.resume_button, panel.retry_button, panel.undo_button)}


def hold_after_rows(panel: BatchUpdatePanel, rows: int) -> tuple[threading.Event, threading.Event]:
    """Park the run after ``rows`` rows (on the engine's own row callback), so a test reads the panel mid-run."""
    reached, release = threading.Event(), threading.Event()
    seen = [0]
    count = panel._on_row

    def on_row(row: int, status: str) -> None:
        count(row, status)
        seen[0] += 1
        if seen[0] == rows:
            reached.set()
            release.wait(30)

    panel._on_row = on_row  # type: ignore[method-assign]
    return reached, release


def test_at_rest_the_panel_names_the_columns_and_offers_a_template(client) -> None:
    panel = BatchUpdatePanel(client)
    text = panel.message.value
    assert all(c in text for c in ("customerId", "orderId", "externalReferenceId"))
    payload = text.split("base64,")[1].split('"')[0]
    assert base64.b64decode(payload).decode().splitlines() == ["customerId,orderId,externalReferenceId"]
    assert set(buttons(panel).values()) == {False}  # nothing to run yet
    assert panel.upload.layout.display != "none" and panel.upload.tooltip and panel.upload.tooltip != "null"


def test_a_frame_handed_over_hides_the_empty_upload_button(client, sandbox) -> None:
    panel = BatchUpdatePanel(client, frame_of(sandbox.orders[:2]))
    assert panel.upload.layout.display == "none"  # "Upload CSV/Excel (0)" beside 2 loaded rows misleads


def test_apply_is_offered_once_then_undo_and_nothing_after_undo(client, sandbox) -> None:
    panel = BatchUpdatePanel(client, frame_of(sandbox.orders[:4]))
    assert buttons(panel) == {"Dry run": True, "Apply (4 rows)": True, "Cancel": False, "Resume": False,
                              "Retry failed": False, "Undo": False}
    panel.apply_button.click()
    panel.wait(30)
    assert list(panel.results["status"]) == ["updated"] * 4
    # a second Apply would send the whole batch again: the next sensible steps are a check or an undo
    assert buttons(panel) == {"Dry run": True, "Apply (4 rows)": False, "Cancel": False, "Resume": False,
                              "Retry failed": False, "Undo": True}
    panel.undo_button.click()
    panel.wait(30)
    assert [o["externalReferenceId"] for o in sandbox.orders[:4]] != [f"PO-STATE-{i}" for i in range(4)]
    assert buttons(panel) == {"Dry run": True, "Apply (4 rows)": False, "Cancel": False, "Resume": False,
                              "Retry failed": False, "Undo": False}
    panel.load(frame_of(sandbox.orders[:2], "PO-AGAIN"))  # another file starts over
    assert buttons(panel)["Apply (2 rows)"]


def test_during_a_run_nothing_says_preview_and_only_cancel_is_offered(client, sandbox) -> None:
    panel = BatchUpdatePanel(client, frame_of(sandbox.orders[:12]), workers=1)
    assert "Preview — nothing sent yet" in panel.view.title.value and "ready 12" in panel.view.counts.value
    reached, release = hold_after_rows(panel, 3)
    panel.apply_button.click()
    assert reached.wait(30)
    try:
        assert panel.running
        assert "Preview" not in panel.view.title.value and "nothing sent" not in panel.view.title.value
        assert "Applying" in panel.view.title.value and panel.view.bar.layout.display == "none"  # no "ready 12"
        assert "3 / 12" in panel.progress.text.value
        assert buttons(panel) == {"Dry run": False, "Apply (12 rows)": False, "Cancel": True, "Resume": False,
                                  "Retry failed": False, "Undo": False}
        assert "<code>" not in panel.message.value and "adobe_orders." not in panel.message.value  # no Python
        panel.cancel_button.click()
        # the click is taken: the button says so and cannot be clicked twice
        assert panel.cancel_button.description == "Cancelling…" and panel.cancel_button.disabled
    finally:
        release.set()
    panel.wait(30)
    not_run = int((panel.results["status"] == "not_run").sum())
    assert not_run > 0 and "cancelled" in panel.message.value
    assert buttons(panel) == {"Dry run": True, "Apply (12 rows)": False, "Cancel": False,
                              f"Resume ({not_run} rows)": True, "Retry failed": False, "Undo": True}
    panel.resume_button.click()
    panel.wait(30)
    assert set(panel.results["status"]) == {"updated"}
    assert buttons(panel) == {"Dry run": True, "Apply (12 rows)": False, "Cancel": False, "Resume": False,
                              "Retry failed": False, "Undo": True}


def test_after_a_cancel_resume_sends_the_failed_rows_too_so_retry_waits(sandbox) -> None:
    client = sandbox.client(max_retries=0)
    panel = BatchUpdatePanel(client, frame_of(sandbox.orders[:10]), workers=1)
    sandbox.faults.queue("error_500", 1)  # the first read fails: a failed row a retry could fix
    reached, release = hold_after_rows(panel, 3)
    panel.apply_button.click()
    assert reached.wait(30)
    panel.cancel_button.click()
    release.set()
    panel.wait(30)
    statuses = list(panel.results["status"])
    assert statuses[0] == "failed" and "not_run" in statuses
    left = statuses.count("failed") + statuses.count("not_run")
    assert buttons(panel)[f"Resume ({left} rows)"] and panel.retry_button.disabled
    panel.resume_button.click()
    assert f"/ {left}</b>" in panel.progress.text.value  # the progress counts what Resume sends
    panel.wait(30)
    assert set(panel.results["status"]) == {"updated"} and panel.retry_button.disabled


def test_finished_lines_do_not_repeat_the_address_the_banner_shows(client, sandbox) -> None:
    panel = BatchUpdatePanel(client, frame_of(sandbox.orders[:2]))
    banner = panel.banner.value
    assert banner.count(client.base_url) == 1 and "LOCAL EMULATOR" in banner
    assert "local emulator" not in banner.replace("LOCAL EMULATOR", "")  # said once, not "LOCAL EMULATOR · local…"
    panel.dry_run_button.click()
    panel.wait(30)
    assert "finished" in panel.message.value and client.base_url not in panel.message.value


def test_results_put_status_and_reason_next_to_the_ids_with_friendly_headers(client, sandbox) -> None:
    frame = frame_of(sandbox.orders[:3])
    frame.loc[1, "orderId"] = "0999999999"
    panel = BatchUpdatePanel(client, frame)
    panel.dry_run_button.click()
    panel.wait(30)
    header = panel.view.text().splitlines()[0].split(",")
    # a dry run read each order once: "Adobe holds now" and not a "Before" column that repeats it
    assert header[1:] == ["customerId", "orderId", "Status", "Reason", "Adobe holds now", "Would become"]
    panel.apply_button.click()
    panel.wait(30)
    header = panel.view.text().splitlines()[0].split(",")
    assert header[1:] == ["customerId", "orderId", "Status", "Reason", "Before", "Asked for", "Adobe holds now"]
    csv = base64.b64decode(panel.view.download.value.split("base64,")[1].split('"')[0]).decode()
    assert "previous_value" in csv.splitlines()[0]  # the export keeps the API names (it reads back as input)


def test_problems_are_one_click_away(client, sandbox) -> None:
    frame = frame_of(sandbox.orders[:5])
    frame.loc[3, "orderId"] = "0999999999"
    frame.loc[4, "externalReferenceId"] = "=HYPERLINK(1)"
    panel = BatchUpdatePanel(client, frame)
    panel.apply_button.click()
    panel.wait(30)
    view = panel.view
    assert view.problems_button.description == "Show the 2 problems"
    view.problems_button.click()
    rows = view.text().splitlines()[1:]
    assert len(rows) == 2 and all(("failed" in r) or ("invalid" in r) for r in rows)
    assert len(view.grid._df) == 2  # the grid itself shows only them
    assert view.problems_button.description == "Show all 5 rows"
    view.problems_button.click()
    assert len(view.text().splitlines()) == 6


def test_the_form_shows_the_change_itself_and_offers_its_own_dry_run(client, sandbox) -> None:
    form = UpdateOrderForm(client)
    before = sandbox.order(CUSTOMER, ORDER)["externalReferenceId"]
    form.customer_id.value, form.order_id.value = CUSTOMER, ORDER
    form.reference.value = "PO-UX-2026-0042"
    assert "Dry run" in form.message.value and not form.dry_run_button.disabled
    form.dry_run_button.click()
    assert f"<b>{before}</b> → <b>PO-UX-2026-0042</b>" in form.message.value
    assert "nothing sent" in form.message.value
    assert all(e["method"] == "GET" for e in sandbox.requests if e["path"].startswith("/v3/"))
    form.reference.value = "PO-UX-2026-0043"  # typing updates the preview at once, without another read
    assert "→ <b>PO-UX-2026-0043</b>" in form.message.value
    form.reference.value = before
    assert "already holds" in form.message.value and "send nothing" in form.message.value
    # an order with no reference: "(none) → …"
    blank = next(o for o in sandbox.orders if not o["externalReferenceId"])
    form.customer_id.value, form.order_id.value = blank["customerId"], blank["orderId"]
    form.reference.value = "PO-FIRST"
    form.fetch_button.click()
    assert "<i>(none)</i> → <b>PO-FIRST</b>" in form.message.value


def test_a_value_over_35_marks_the_input_invalid_and_disables_update(client) -> None:
    form = UpdateOrderForm(client)
    form.customer_id.value, form.order_id.value = CUSTOMER, ORDER
    form.reference.value = "PO-" + "X" * 41
    assert "ao-invalid" in form.reference._dom_classes and "ao-validated" in form.reference._dom_classes
    described = [c for c in form.reference._dom_classes if c.startswith("ao-describedby-")]
    assert described and f'id="{described[0].removeprefix("ao-describedby-")}"' in form.message.value
    assert "at most 35" in form.message.value and "44/35" in form.counter.value
    assert form.update_button.disabled and form.dry_run_button.disabled
    form.reference.value = "PO-OK"
    assert "ao-invalid" not in form.reference._dom_classes and not form.update_button.disabled
    form.order_id.value = "../x"
    assert "ao-invalid" in form.order_id._dom_classes


def test_send_to_batch_panel_replaces_the_form_where_the_user_looks(client, sandbox) -> None:
    browser = OrderBrowser(client, customers=[CUSTOMER])
    browser.search()
    support = page_support(browser)
    assert isinstance(support, PageSupport)
    browser.grid.selected_rows = [0]
    browser.open_button.click()
    opened = browser.form.order_id.value
    assert browser.form.layout.display == "" and opened in browser.form.order_view.value
    assert "ao-reveal" in browser.form._dom_classes and support.reveal_count == 1
    browser.grid.selected_rows = [1, 2]
    browser.reference.value = "PO-SELECTION"
    browser.send_button.click()
    assert browser.panel.layout.display == "" and "ao-reveal" in browser.panel._dom_classes
    assert "ao-reveal" not in browser.form._dom_classes and support.reveal_count == 2  # scrolled to, in the page
    # the form no longer shows an order outside the selection
    assert browser.form.layout.display == "none" and opened not in browser.form.order_view.value
    assert browser.form.order_id.value == ""
    assert list(browser.panel.frame["orderId"]) == list(browser.frame["orderId"].iloc[[1, 2]])


def test_dates_are_iso_text_with_a_one_line_error(client, sandbox) -> None:
    browser = OrderBrowser(client, customers=[CUSTOMER])
    assert browser.since.placeholder == "YYYY-MM-DD"
    browser.since.value = "01/31/2026"
    browser.search_button.click()
    assert "YYYY-MM-DD" in browser.message.value and browser.frame is None
    browser.since.value = "2026-02-30"
    browser.search_button.click()
    assert "2026-02-30" in browser.message.value and browser.frame is None
    assert not [e for e in sandbox.requests if e["path"].startswith("/v3/")]
    browser.since.value = "2000-01-01"
    browser.search_button.click()
    assert browser.frame is not None and len(browser.frame)


def test_the_grid_takes_keyboard_selection(client) -> None:
    browser = OrderBrowser(client, customers=[CUSTOMER])
    browser.search()
    select = browser.grid._dt_args["select"]
    assert select == {"style": "os", "items": "row", "keys": True}  # Tab to rows, arrows move, Space selects


def test_a_reason_column_with_no_reason_is_left_out(client, sandbox) -> None:
    panel = BatchUpdatePanel(client, frame_of(sandbox.orders[:3]))
    panel.apply_button.click()
    panel.wait(30)
    header = panel.view.text().splitlines()[0].split(",")
    assert "Reason" not in header and header[1:4] == ["customerId", "orderId", "Status"]


def test_a_click_setting_the_buttons_as_the_run_ends_never_leaves_running_states(client, sandbox) -> None:
    """Apply's own call to set the buttons runs on the kernel thread after the run thread started; a run that ends
    while that call is half-way used to have its final states overwritten by the rest of the call's "running"
    ones (Undo stuck disabled, Cancel enabled with nothing running). The click's call is held right there until
    the run has ended, so the two meet every time."""
    panel = BatchUpdatePanel(client, frame_of(sandbox.orders[:2]))
    rows_left, held, run = panel._rows_left, threading.Event(), []

    def rows_left_once_the_run_ended() -> int:
        thread = panel._thread
        if threading.current_thread() is threading.main_thread() and thread is not None and not held.is_set():
            held.set()  # the click's call: it has already read "running" and set Apply and Cancel for it
            run.append(thread)
            while panel._thread is not None and thread.is_alive():
                thread.join(0.01)  # the run ends (it sets _thread to None, then its own buttons)
        return rows_left()

    panel._rows_left = rows_left_once_the_run_ended  # type: ignore[method-assign]
    panel.apply_button.click()
    assert held.is_set()
    run[0].join(30)
    assert not run[0].is_alive() and list(panel.results["status"]) == ["updated"] * 2
    assert buttons(panel) == {"Dry run": True, "Apply (2 rows)": False, "Cancel": False, "Resume": False,
                              "Retry failed": False, "Undo": True}
