"""What the analyst sees in the widgets: no stale order, blanks not None, errors as one message."""

from __future__ import annotations

import pytest

from adobe_orders.render import is_blank, status_badge, table_html, text_table
from adobe_orders.widgets import UpdateOrderForm
from adobe_orders.widgets.form import diff_html

CUSTOMER, ORDER = "0001000000", "0123456000"


@pytest.fixture(autouse=True)
def strict(strict_widgets):
    """Callbacks raise here (conftest's strict_widgets)."""


def _views(form: UpdateOrderForm) -> str:
    return form.order_view.value + form.diff.value + str(form.json_view.outputs)


def test_a_failed_fetch_for_other_ids_leaves_no_stale_order(client, sandbox) -> None:
    form = UpdateOrderForm(client)
    form.customer_id.value, form.order_id.value = CUSTOMER, ORDER
    form.fetch_button.click()
    assert f"Order <span class=\"ao-id\">{ORDER}</span>" in form.order_view.value
    form.order_id.value = "0999999999"
    assert ORDER not in _views(form)  # typing other IDs already clears the view
    form.fetch_button.click()
    assert "HTTP 404" in form.message.value
    assert form.order_view.value == "" and form.json_view.outputs == () and form.diff.value == ""


def test_a_failed_update_for_other_ids_leaves_no_stale_order(client, sandbox) -> None:
    form = UpdateOrderForm(client)
    form.customer_id.value, form.order_id.value, form.reference.value = CUSTOMER, ORDER, "PO-UX-1"
    form.update_button.click()
    assert "PO-UX-1" in form.diff.value and ORDER in form.order_view.value
    # same IDs typed again (whitespace only): the view still belongs to them and stays
    form.order_id.value = f" {ORDER} "
    assert ORDER in form.order_view.value
    form.order_id.value = "0999999999"
    form.reference.value = "PO-UX-2"
    form.update_button.click()
    assert "HTTP 404" in form.message.value
    assert ORDER not in _views(form) and "PO-UX-1" not in form.diff.value


def test_diff_shows_an_empty_previous_value_as_empty_not_none() -> None:
    html = diff_html(None, "PO-1", "b-1")
    assert "None" not in html and "(empty)" in html and "PO-1" in html
    assert "nan" not in diff_html(float("nan"), "PO-1", "b-1")


@pytest.mark.parametrize("value", [None, float("nan"), "", __import__("pandas").NA, __import__("pandas").NaT])
def test_blank_values_render_as_empty_cells(value) -> None:
    assert is_blank(value)
    html = table_html([{"a": value, "b": "x"}], ["a", "b"])
    assert ">None<" not in html and ">nan<" not in html and ">NaN<" not in html and "<NA>" not in html
    assert "None" not in text_table([{"a": value}], ["a"]) and "nan" not in text_table([{"a": value}], ["a"])


def test_inputs_are_wide_enough_for_35_characters_in_monospace(client) -> None:
    form = UpdateOrderForm(client)
    assert "40ch" in form.reference.layout.width and "ao-field" in form.reference._dom_classes
    assert "adobe-orders" in form._dom_classes


def test_colours_come_from_the_theme_variables() -> None:
    badge = status_badge("updated", 3)
    assert "var(--jp-success-color1" in badge and "var(--jp-content-font-color0" in badge and "updated 3" in badge
    assert "#1a7f37" not in badge


def test_ids_in_messages_never_wrap() -> None:
    from adobe_orders.widgets.common import message_html

    html = message_html("HTTP 404 [request 3f2b7c1e-0a1b-4c2d-9e8f-0123456789ab, batch 20261128-160551-5435c0]",
                        "error")
    assert html.count('<span class="ao-id">') == 2
