"""Deterministic demo data: the same customers and orders for every seed, on every machine.

Shaped like the contract's order: some order IDs with leading zeros or letters, every order
type that is stored, both sources (``System`` orders are the auto-renewals partners most often
tag afterwards), every status, and some orders with no external reference yet.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

ORDER_TYPES = ["NEW", "NEW", "NEW", "RENEWAL", "RENEWAL", "RETURN", "TRANSFER", "SWITCH", "REVERT_SWITCH"]
STATUSES = ["1000"] * 8 + ["1002", "1004", "1008", "1020", "1022", "1024", "1026"]
CURRENCIES = ["USD", "USD", "EUR", "GBP", "JPY", "AUD"]
OFFERS = ["65304522CA01A12", "65322651CA01A12", "80004567EA01A12", "65304921CA02A12", "30006208CA01A12",
          "65305247CA01A12", "86756309EA03A12"]
CUSTOMER_COUNT = 36
ORDER_COUNT = 360
EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def customer_id(i: int) -> str:
    # A third of customers have IDs with leading zeros, the kind Excel silently strips.
    return f"00{1000000 + i * 7919:08d}" if i % 3 == 0 else f"{9876500000 + i * 131:010d}"


def order_id(i: int) -> str:
    if i % 5 == 0:
        return f"0{123456000 + i * 17:09d}"  # leading zero, like the contract's 0123456789
    if i % 7 == 0:
        return f"D{9200008000 + i:010d}"  # letters, like D9200008262
    return f"{911000000 + i * 29:09d}"


def seed_orders(seed: int = 2026, count: int = ORDER_COUNT) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    customers = [customer_id(i) for i in range(CUSTOMER_COUNT)]
    orders = []
    for i in range(count):
        cust = customers[i % CUSTOMER_COUNT]
        order_type = rng.choice(ORDER_TYPES)
        currency = rng.choice(CURRENCIES)
        status = rng.choice(STATUSES)
        count = rng.choice([1, 1, 1, 2, 2, 3, 4, 6, 12])
        first = rng.randint(1, 5)
        items: list[dict[str, Any]] = [
            {
                "extLineItemNumber": first + n,
                "offerId": rng.choice(OFFERS),
                "quantity": rng.randint(1, 250),
                "subscriptionId": f"{rng.randint(10000000, 99999999)}",
                "status": status if rng.random() < 0.9 else rng.choice(STATUSES),
                "currencyCode": currency,
                "deploymentId": f"{rng.randint(10000, 99999)}" if rng.random() < 0.3 else "",
            }
            for n in range(count)
        ]
        order: dict[str, Any] = {
            "orderId": order_id(i),
            "customerId": cust,
            "orderType": order_type,
            "referenceOrderId": order_id(i - 1) if order_type in ("RETURN", "SWITCH") and i else "",
            "currencyCode": currency,
            "creationDate": (EPOCH + timedelta(hours=7 * i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "status": status,
            "source": "System" if order_type == "RENEWAL" else "API",
            "lineItems": items,
            "pricing": {"totalNetPrice": round(sum(li["quantity"] for li in items) * 12.5, 2)},
        }
        if i % 4 != 3:  # a quarter have no external reference yet
            order["externalReferenceId"] = f"PO-{26000 + i:05d}"
        orders.append(order)
    return orders
