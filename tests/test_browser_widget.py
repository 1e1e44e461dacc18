"""OrderBrowser driven as an analyst would: type IDs, pick filters, click, select rows, read what it shows."""

from __future__ import annotations

import pytest

from adobe_orders.widgets import OrderBrowser
from adobe_orders.widgets.browser import split_ids

BIG, SMALL = "9876500262", "0001000000"
pytestmark = pytest.mark.usefixtures("strict_widgets")


def stored(sandbox, customer: str) -> list[dict]:
    return sorted((o for o in sandbox.orders if o["customerId"] == customer),
                  key=lambda o: (o["creationDate"], o["orderId"]), reverse=True)


def test_pasted_ids_filters_and_the_grid(client, sandbox) -> None:
    assert split_ids(" 9876500262,0001000000;\n\n 0001000000 ") == [BIG, SMALL, SMALL]
    browser = OrderBrowser(client)
    assert "LOCAL EMULATOR" in browser.banner.value.upper()
    browser.customers.value = f"{BIG}\n{SMALL}\nNOPE1"
    browser.order_type.value = "RENEWAL"
    browser.missing_only.value = True
    browser.search_button.click()
    expected = [o["orderId"] for c in (BIG, SMALL) for o in stored(sandbox, c)
                if o["orderType"] == "RENEWAL" and not o["externalReferenceId"]]
    assert list(browser.frame["orderId"]) == expected and expected
    assert "Customer NOPE1 not read" in browser.message.value and "1116" in browser.message.value
    shown = browser.grid._df
    assert list(shown["orderId"]) == expected and "order_json" not in shown.columns
    assert "None" not in shown.to_string() and "nan" not in shown.to_string().lower()
    assert browser.grid._dt_args.get("select") or "select" in str(browser.grid._dt_args)
    browser.order_type.value = ""
    browser.status.value = "1002"
    browser.missing_only.value = False
    browser.since.value = "2026-01-01"
    browser.search_button.click()
    assert set(browser.frame["status"].astype(str)) == {"1002"} and len(browser.frame) >= 2


def test_choosing_one_order_opens_it_in_the_form(client, sandbox) -> None:
    browser = OrderBrowser(client, customers=[SMALL])
    browser.search()
    assert browser.open_button.disabled and browser.send_button.disabled
    target = browser.frame.iloc[3]
    browser.grid.selected_rows = [3]
    assert not browser.open_button.disabled and target["orderId"] in browser.selection.value
    browser.open_button.click()
    assert browser.form.layout.display == "" and browser.form.order_id.value == target["orderId"]
    assert target["orderId"] in browser.form.order_view.value and "Line items" in browser.form.order_view.value
    browser.form.reference.value = "PO-FROM-BROWSER"
    browser.form.update_button.click()
    assert sandbox.order(SMALL, target["orderId"])["externalReferenceId"] == "PO-FROM-BROWSER"
    browser.grid.selected_rows = [0, 1]
    assert browser.open_button.disabled  # one order at a time in the form


def test_a_selection_goes_to_the_batch_panel_and_applies(client, sandbox) -> None:
    browser = OrderBrowser(client, customers=BIG)
    browser.order_type.value = "RENEWAL"
    browser.missing_only.value = True
    browser.search()
    picked = list(browser.frame["orderId"][:3])
    browser.select(picked)
    assert browser.send_button.disabled  # no reference typed yet
    browser.reference.value = "=HYPERLINK(1)"
    assert browser.send_button.disabled  # a refused value never reaches the panel
    browser.reference.value = "PO-RENEWALS-2026"
    assert not browser.send_button.disabled
    browser.send_button.click()
    assert browser.panel.layout.display == "" and list(browser.panel.frame["orderId"]) == picked
    assert "3 rows: 3 ready" in browser.panel.message.value
    browser.panel.apply_button.click()
    browser.panel.wait(30)
    assert list(browser.panel.results["status"]) == ["updated"] * 3
    assert all(sandbox.order(BIG, o)["externalReferenceId"] == "PO-RENEWALS-2026" for o in picked)


def test_refuses_bad_input_without_sending(client, sandbox) -> None:
    browser = OrderBrowser(client)
    browser.search_button.click()
    assert "at least one customer" in browser.message.value
    browser.customers.value = "../etc"
    browser.search_button.click()
    assert "Customer ID" in browser.message.value or "customer" in browser.message.value.lower()
    browser.customers.value = SMALL
    browser.since.value, browser.until.value = "2026-02-01", "2026-01-01"
    browser.search_button.click()
    assert "is after" in browser.message.value
    assert not [e for e in sandbox.requests if e["path"].startswith("/v3/")]
    assert browser.frame is None and "OrderBrowser" in repr(browser)


def test_a_refused_credential_is_shown_not_swallowed(sandbox) -> None:
    from adobe_orders import OrdersClient, Settings

    wrong = OrdersClient(Settings(environment="local", base_url=sandbox.url, ims_url=sandbox.url,
                                  client_id=sandbox.client_id, client_secret="not-the-secret"))
    browser = OrderBrowser(wrong, customers=[SMALL, BIG])
    browser.search_button.click()
    assert "adobe-orders-msg" in browser.message.value and "not-the-secret" not in browser.message.value
    assert browser.frame is None or browser.frame.empty or browser.frame.attrs["failed_customers"]
