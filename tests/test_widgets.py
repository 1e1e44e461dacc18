"""The notebook widgets, driven as an analyst would: type, click, read what they show."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import ipywidgets
import pandas as pd
import pytest
from ipywidgets.widgets.widget import CallbackDispatcher

from adobe_orders.sandbox.data import seed_orders
from adobe_orders.widgets import BatchUpdatePanel, UpdateOrderForm
from tests.helpers import v3

# The demo's first order (0001000000 / 0123456000) holds this reference before any test changes it.
FIRST_REF = seed_orders()[0]["externalReferenceId"]

CUSTOMER, ORDER = "0001000000", "0123456000"


def _strict_call(self, *args, **kwargs):
    """ipywidgets swallows handler exceptions; in tests they must fail the test."""
    value = None
    for callback in self.callbacks:
        result = callback(*args, **kwargs)
        value = result if result is not None else value
    return value


@pytest.fixture(autouse=True)
def strict_callbacks(monkeypatch):
    monkeypatch.setattr(CallbackDispatcher, "__call__", _strict_call)
    yield
    ipywidgets.Widget.close_all()


def fill(form: UpdateOrderForm, customer: str, order: str, value: str) -> None:
    form.customer_id.value, form.order_id.value, form.reference.value = customer, order, value


def test_fields_are_labelled_and_the_environment_is_visible(client) -> None:
    form = UpdateOrderForm(client)
    assert [f.description for f in (form.customer_id, form.order_id, form.reference)] == [
        "Customer ID", "Order ID", "External reference ID"]
    assert form.update_button.description == "Update"
    assert "LOCAL EMULATOR" in form.banner.value and client.base_url in form.banner.value


def test_invalid_input_disables_update_and_says_why(client, sandbox) -> None:
    form = UpdateOrderForm(client)
    assert form.update_button.disabled
    fill(form, CUSTOMER, "../0123", "PO-1")
    assert form.update_button.disabled and "contains &#x27;.&#x27;" in form.message.value
    form.order_id.value = ORDER
    assert not form.update_button.disabled
    form.reference.value = "x" * 36
    assert form.update_button.disabled and "36/35" in form.counter.value and "at most 35" in form.message.value
    form.update_button.click()  # disabled: clicking sends nothing
    assert sandbox.requests == []


def test_click_updates_the_order_and_shows_the_result(client, sandbox) -> None:
    form = UpdateOrderForm(client)
    fill(form, CUSTOMER, ORDER, "PO-FORM-1")
    form.update_button.click()
    assert sandbox.order(CUSTOMER, ORDER)["externalReferenceId"] == "PO-FORM-1"
    assert "updated" in form.message.value
    assert FIRST_REF in form.diff.value and "PO-FORM-1" in form.diff.value
    assert "offerId" in form.order_view.value
    first_offer = sandbox.order(CUSTOMER, ORDER)["lineItems"][0]["offerId"]
    assert first_offer in form.order_view.value
    (out,) = form.json_view.outputs
    assert out["data"]["application/json"]["externalReferenceId"] == "PO-FORM-1"
    assert "PO-FORM-1" in form.history_view.value and len(form.history) == 1


def test_an_api_error_is_shown_in_the_form(client, sandbox) -> None:
    form = UpdateOrderForm(client)
    fill(form, CUSTOMER, "0999999999", "PO-1")
    form.update_button.click()
    assert "HTTP 404 (code 2115)" in form.message.value
    last = v3(sandbox)[-1]
    assert last["request_id"] in form.message.value and last["correlation_id"] in form.message.value


def test_fetch_shows_the_current_order_without_changing_it(client, sandbox) -> None:
    form = UpdateOrderForm(client)
    fill(form, CUSTOMER, ORDER, "")
    assert not form.fetch_button.disabled
    form.fetch_button.click()
    assert FIRST_REF in form.message.value and "Line items" in form.order_view.value
    assert all(e["method"] == "GET" for e in v3(sandbox))


def test_production_needs_the_box_ticked(sandbox) -> None:
    client = sandbox.client(environment="production")
    form = UpdateOrderForm(client)
    fill(form, CUSTOMER, ORDER, "PO-1")
    assert form.update_button.disabled and "PRODUCTION" in form.message.value
    form.confirm.value = True
    assert not form.update_button.disabled


def test_no_secret_in_any_widget_state(client, sandbox) -> None:
    form = UpdateOrderForm(client)
    fill(form, CUSTOMER, ORDER, "PO-SECRET-CHECK")
    form.update_button.click()
    panel = BatchUpdatePanel(client, pd.DataFrame({"customerId": [CUSTOMER], "orderId": [ORDER],
                                                   "externalReferenceId": ["P"]}))
    panel.start(dry_run=True)
    panel.wait(30)
    token = client._auth.token()
    states = json.dumps([wid.get_state() for wid in _all_widgets()], default=str)
    assert sandbox.client_secret not in states and token not in states


def _all_widgets() -> list:
    from ipywidgets.widgets.widget import _instances

    return list(_instances.values())


def sample(sandbox, n: int = 6) -> pd.DataFrame:
    o = sandbox.orders[:n]
    frame = pd.DataFrame({"customerId": [x["customerId"] for x in o], "orderId": [x["orderId"] for x in o],
                          "externalReferenceId": [f"PANEL-{i}" for i in range(n)]}, dtype=object)
    frame.loc[n - 1, "customerId"] = "1.23457E+09"
    return frame


def test_panel_preview_highlights_problems(client, sandbox) -> None:
    panel = BatchUpdatePanel(client, sample(sandbox))
    assert "5 ready, 1 with a problem" in panel.message.value
    assert "Excel" in panel.view.text() and "invalid" in panel.view.text()
    assert sandbox.requests == []


def test_panel_dry_run_apply_retry_undo(client, sandbox) -> None:
    panel = BatchUpdatePanel(client, sample(sandbox))
    panel.dry_run_button.click()
    panel.wait(30)
    assert "would_update" in panel.view.counts.value
    assert all(e["method"] == "GET" for e in v3(sandbox))
    panel.apply_button.click()
    panel.wait(30)
    assert panel.results is not None and list(panel.results["status"]) == ["updated"] * 5 + ["invalid"]
    assert panel.progress.bar.value == 5 and panel.progress.bar.bar_style == "success"
    assert 'download="results-' in panel.view.download.value
    assert not panel.undo_button.disabled
    panel.undo_button.click()
    panel.wait(30)
    assert sandbox.order(CUSTOMER, ORDER)["externalReferenceId"] == FIRST_REF, panel.message.value


def test_panel_upload_reads_the_file(client, sandbox) -> None:
    panel = BatchUpdatePanel(client)
    content = sample(sandbox).to_csv(index=False).encode()
    panel.upload.value = ({"name": "u.csv", "type": "text/csv", "size": len(content), "content": memoryview(content),
                           "last_modified": datetime.now(UTC)},)
    assert panel.frame is not None and len(panel.frame) == 6 and not panel.dry_run_button.disabled
    panel.upload.value = ({"name": "bad.csv", "type": "text/csv", "size": 0, "content": memoryview(b""),
                           "last_modified": datetime.now(UTC)},)
    assert "empty" in panel.message.value


def test_panel_cancel_stops_cleanly_and_can_resume(sandbox) -> None:
    sandbox.latency = 0.05
    client = sandbox.client()
    frame = sample(sandbox, 30)
    panel = BatchUpdatePanel(client, frame, workers=1)
    panel.apply_button.click()
    while panel.progress.done < 3:
        panel.wait(0.02)
    panel.cancel_button.click()
    panel.wait(30)
    statuses = list(panel.results["status"])
    assert statuses.count("updated") < 29 and "not_run" in statuses and "cancelled" in panel.message.value
    assert panel.progress.bar.value == panel.progress.done < 29 and not panel.resume_button.disabled
    from adobe_orders import resume

    finished = resume(panel.results["batch_id"].iloc[0], client, progress=False)
    assert list(finished["status"]) == ["updated"] * 29 + ["invalid"]


def test_panel_undo_progress_counts_the_rows_it_restores(client, sandbox) -> None:
    """Undo said 'Undoing: 6 / 6 rows — done' above a table of the 5 rows it restored (the invalid row is never
    undone): the count is the undo's rows, not the batch's."""
    panel = BatchUpdatePanel(client, sample(sandbox))
    panel.apply_button.click()
    panel.wait(30)
    panel.undo_button.click()
    assert "/ 5</b>" in panel.progress.text.value  # known as it starts: the rows that changed
    panel.wait(30)
    assert panel.results is not None and len(panel.results) == 5
    assert "Undoing: <b>5 / 5</b> rows — done" in panel.progress.text.value


def test_panel_offers_no_retry_after_a_dry_run_nor_for_permanent_failures(sandbox) -> None:
    """A dry run's failed rows are not journaled: Retry failed was enabled, and clicking it said 'Stopped: Row 5
    has no batch_id / batch_row' in red. Retry is offered once a real run has failed rows that a retry could fix:
    a 404 (unknown order) fails again however often it is sent; a 500 may pass."""
    client = sandbox.client(max_retries=0)
    frame = sample(sandbox)
    frame.loc[1, "orderId"] = "0999999999"  # an unknown order: failed (404) in the dry run and in the apply
    panel = BatchUpdatePanel(client, frame, workers=1)
    panel.dry_run_button.click()
    panel.wait(30)
    assert "failed" in set(panel.results["status"]) and panel.retry_button.disabled
    sandbox.faults.queue("error_500", 1)  # one worker: row 0's read fails with a 500, row 1 is the 404
    panel.apply_button.click()
    panel.wait(30)
    assert list(panel.results["status"])[:2] == ["failed", "failed"]
    assert list(panel.results["http_status"])[:2] == [500, 404]
    assert not panel.retry_button.disabled and panel.retry_button.description == "Retry 1 failed"
    panel.retry_button.click()
    panel.wait(30)
    assert list(panel.results["status"])[:2] == ["updated", "failed"]
    assert panel.retry_button.disabled  # only the 404 is left: retrying it would fail again


def test_panel_is_honest_about_undo_when_no_order_held_a_reference(client, sandbox) -> None:
    """Undo was offered (and said it restores) after a batch that only set references on orders that had none:
    Adobe offers no way to clear a reference, so there was nothing it could restore."""
    blank = [o for o in sandbox.orders if not o["externalReferenceId"]][:3]
    frame = pd.DataFrame({"customerId": [o["customerId"] for o in blank], "orderId": [o["orderId"] for o in blank],
                          "externalReferenceId": ["PO-A", "PO-B", ""]}, dtype=object)
    panel = BatchUpdatePanel(client, frame)
    assert "2 ready, 0 with a problem (never sent), 1 left blank (skipped: no new value given)" in panel.message.value
    panel.apply_button.click()
    panel.wait(30)
    assert list(panel.results["status"]) == ["updated", "updated", "skipped"]
    assert "Adobe offers no way to clear a reference" in panel.message.value
    assert "the 2 orders that had no reference before" in panel.message.value and panel.undo_button.disabled
    # a batch that also changed an order holding a reference offers Undo, and still says what it cannot do
    held = next(o for o in sandbox.orders if o["externalReferenceId"])
    panel.load(pd.concat([frame.iloc[2:].assign(externalReferenceId="PO-C"),  # the row left blank before
                          pd.DataFrame({"customerId": [held["customerId"]], "orderId": [held["orderId"]],
                                        "externalReferenceId": ["PO-D"]})], ignore_index=True))
    panel.apply_button.click()
    panel.wait(30)
    assert not panel.undo_button.disabled and "the 1 order that had no reference before" in panel.message.value
