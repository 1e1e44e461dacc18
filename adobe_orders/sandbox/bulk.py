"""Load-test customers: exactly N orders each, for benchmarks and the bulk-read tests.

The demo data (``data.py``) tells realistic customer stories; a benchmark needs exact sizes
instead ("6 customers with 100 orders each"), reproducible on every machine. These orders have
the contract's shape (one line item, 32-character subscription IDs, references as Adobe's samples
show them, often ``""``), one every ``spacing`` back from ``end``, so the newest order is first
in order history and a long history spans several years.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

END = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
OFFER = "65304522CA01A12"


def load_customer_id(i: int, prefix: str = "77") -> str:
    return f"{prefix}{i:08d}"


def load_orders(customers: int, orders_each: int, *, prefix: str = "77", seed: int = 0, end: datetime = END,
                spacing: timedelta = timedelta(days=5)) -> Iterator[dict[str, Any]]:
    """``customers`` customers (IDs ``<prefix>00000000``…) with ``orders_each`` orders each."""
    rng = random.Random(seed)
    for c in range(customers):
        customer = load_customer_id(c, prefix)
        for k in range(orders_each):
            roll = rng.random()
            reference = "" if roll < 0.3 else f"{rng.randint(10**17, 10**18 - 1)}"
            renewal = k % 4 != 0
            yield {
                "externalReferenceId": reference,
                "orderId": f"{prefix}{c:04d}{k:06d}",
                "customerId": customer,
                "orderType": "RENEWAL" if renewal else "NEW",
                "referenceOrderId": "",
                "referencedOrderId": "",
                "currencyCode": "USD",
                "creationDate": (end - spacing * k).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "status": "1000",
                "source": "System" if renewal else "API",
                "lineItems": [{"extLineItemNumber": 1, "offerId": OFFER, "quantity": rng.randint(1, 50),
                               "subscriptionId": f"{rng.getrandbits(120):030x}NA", "status": "1000",
                               "currencyCode": "USD", "deploymentId": ""}],
            }
