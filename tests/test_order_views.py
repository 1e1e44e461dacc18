"""Every documented order shape through every view: what Adobe sent is shown, nothing is invented."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from adobe_orders import line_items, orders
from adobe_orders.errors import ResponseShapeError
from adobe_orders.models import Order
from tests.fixtures.adobe_shapes import ALL, FLEX, HISTORY_PAGE, PENDING, PRICED_NEW, RENEWAL, RETURN, SWITCH


def views(data: dict) -> dict[str, str]:
    order = Order.from_api(data)
    return {"html": order._repr_html_(), "text": str(order), "str": str(order),
            "frame": order.line_items_frame().to_string(), "header": order.to_frame().to_string()}


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_shape_round_trips_and_shows_no_placeholder_text(name) -> None:
    data = ALL[name]
    order = Order.from_api(data)
    assert order.to_api() == {k: v for k, v in data.items()}  # nothing dropped, nothing added
    for view, shown in views(data).items():
        assert "None" not in shown and "nan" not in shown.lower().replace("financ", ""), (view, shown)
        assert order.order_id in shown or view == "frame"


def test_pricing_shows_in_every_view() -> None:
    v = views(PRICED_NEW)
    for value in ("328.5", "810.0", "850.68", "1660.68 USD", "proratedDays", "lineItemPartnerPrice"):
        assert value in v["html"] and value in v["text"], value
    frame = Order.from_api(PRICED_NEW).line_items_frame()
    assert list(frame["netPartnerPrice"]) == [81.0, 85.07] and list(frame["proratedDays"]) == [90, 90]
    assert list(frame["deploymentId"]) == ["", ""]  # absent in the second line: blank, not NaN


def test_unpriced_orders_get_no_pricing_columns() -> None:
    for data in (RENEWAL, RETURN, PENDING):
        order = Order.from_api(data)
        assert "partnerPrice" not in order.line_item_columns() and "pricingSummary" not in order.header()
        assert "partnerPrice" not in order._repr_html_() and "pricingSummary" not in str(order)


def test_return_shows_the_order_it_returns() -> None:
    order = Order.from_api(RETURN)
    assert order.header()["referenceOrderId"] == "0123456789"
    assert "referenceOrderId" in order._repr_html_() and "0123456789" in str(order)


def test_switch_shows_its_cancelling_items() -> None:
    v = views(SWITCH)
    assert "Cancelling items (1)" in v["html"] and "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5cNA" in v["html"]
    assert "Cancelling items:" in v["text"] and "80004567EA01A12" in v["text"]


def test_flex_discounts_promotions_and_discount_code() -> None:
    v = views(FLEX)
    for shown in (v["html"], v["text"]):
        assert "BLACK_FRIDAY_10_PERCENT_OFF (SUCCESS)" in shown and "SPRING_PROMO (FAILURE)" in shown
        assert "discountCode" in shown
    frame = Order.from_api(FLEX).line_items_frame()
    assert list(frame["flexDiscounts"]) == ["BLACK_FRIDAY_10_PERCENT_OFF (SUCCESS)", ""]


def test_pending_order_has_blank_subscription() -> None:
    frame = Order.from_api(PENDING).line_items_frame()
    assert list(frame["subscriptionId"]) == [""] and list(frame["statusName"]) == ["pending"]


def test_line_items_and_orders_read_order_json_frames() -> None:
    frame = pd.DataFrame({"order_json": [json.dumps(d) for d in ALL.values()] + [None]})
    items = line_items(frame)
    assert len(items) == sum(len(d["lineItems"]) for d in ALL.values())
    assert {"lineItemPartnerPrice", "proratedDays", "flexDiscounts", "promotions", "discountCode"} <= set(items.columns)
    priced = items[items["orderId"] == "0123456789"]
    assert list(priced["lineItemPartnerPrice"]) == [810.0, 850.68]
    renewal = items[items["orderId"] == "D9200008262"]
    assert renewal["lineItemPartnerPrice"].isna().all() and list(renewal["flexDiscounts"]) == [""]
    headers = orders(frame)
    assert list(headers.loc[headers["orderId"] == "911000833", "referenceOrderId"]) == ["0123456789"]


def test_a_history_page_passed_as_an_order_is_an_error() -> None:
    with pytest.raises(ResponseShapeError, match="page of order history"):
        Order.from_api(HISTORY_PAGE)
    with pytest.raises(ResponseShapeError):
        line_items(pd.DataFrame({"order_json": [json.dumps(HISTORY_PAGE)]}))
