from __future__ import annotations

import pytest

from adobe_orders.errors import (
    ApiError,
    BadRequestError,
    ServerError,
    error_from_response,
    parse_error_body,
)
from adobe_orders.models import Order

ORDER_JSON = {
    "externalReferenceId": "34567", "orderId": "0123456789", "customerId": "9876543210", "orderType": "NEW",
    "referenceOrderId": "", "referencedOrderId": "", "currencyCode": "USD", "creationDate": "2019-05-02T22:49:54Z",
    "status": "1000", "source": "API", "pricing": {"x": 1},
    "lineItems": [{"extLineItemNumber": 4, "offerId": "80004567EA01A12", "quantity": 1,
                   "subscriptionId": "86756309", "status": "1000", "currencyCode": "USD", "deploymentId": "12345",
                   "flexDiscounts": []}],
}


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ('{"code": "2115", "message": "Invalid Customer or Order ID", "additionalDetails": []}', "2115",
         "Invalid Customer or Order ID"),
        ('{"error_code": "504001", "message": "Gateway Timeout"}', "504001", "Gateway Timeout"),
        ('{"error": "invalid_client", "error_description": "bad id"}', "invalid_client", "bad id"),
        ("Service Unavailable", None, "Service Unavailable"),
        ("", None, ""),
        ("<html><body>Bad   Gateway</body></html>", None, "<html><body>Bad Gateway</body></html>"),
        ("[1, 2]", None, "[1, 2]"),
        ('{"code": 1117, "additionalDetails": "one"}', "1117", ""),
    ],
)
def test_every_body_shape_parses(text: str, code: str | None, message: str) -> None:
    got_code, got_message, details, _ = parse_error_body(text)
    assert (got_code, got_message) == (code, message)
    assert isinstance(details, list)


def test_status_maps_to_class_and_message_helps() -> None:
    err = error_from_response(400, '{"code":"1117","message":"Some fields invalid","additionalDetails":["a"]}',
                              request_id="r1", correlation_id="c1")
    assert isinstance(err, BadRequestError) and err.details == ["a"]
    assert str(err).startswith("HTTP 400 (code 1117): Some fields invalid. Details: a.")
    assert "request r1" in str(err) and "correlation c1" in str(err)
    assert isinstance(error_from_response(502, "", request_id=None, correlation_id=None), ServerError)
    assert type(error_from_response(418, "", request_id=None, correlation_id=None)) is ApiError


def test_order_round_trip_keeps_ids_and_unknown_fields() -> None:
    order = Order.from_api(ORDER_JSON)
    assert order.order_id == "0123456789" and order.customer_id == "9876543210"
    assert order.line_items[0].ext_line_item_number == 4 and order.line_items[0].deployment_id == "12345"
    assert order.extra["pricing"] == {"x": 1}
    assert order.to_api() == ORDER_JSON
    assert order.status_name == "complete"


def test_order_views() -> None:
    order = Order.from_api(ORDER_JSON)
    items = order.line_items_frame()
    assert list(items["orderId"]) == ["0123456789"] and items["offerId"][0] == "80004567EA01A12"
    assert order.to_frame()["externalReferenceId"][0] == "34567"
    html = order._repr_html_()
    assert "<table" in html and "80004567EA01A12" in html and "0123456789" in html
    text = str(order)
    assert "externalReferenceId  34567" in text and "80004567EA01A12" in text


def test_html_is_escaped() -> None:
    order = Order.from_api({**ORDER_JSON, "externalReferenceId": "<script>alert(1)</script>"})
    assert "<script>" not in order._repr_html_()
