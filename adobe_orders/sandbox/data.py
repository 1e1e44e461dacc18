"""Deterministic demo data shaped like Adobe's: the same customers and orders on every machine.

Each customer has a story, generated in date order: a first NEW (or TRANSFER) order that sets
the anniversary date, an auto-renewal (``RENEWAL``, ``source: System``, usually with no
reference yet — the orders partners most often tag afterwards; its ``referenceOrderId`` names the
order it renews, the term's first order or the renewal before it) on every anniversary, mid-term
add-on NEW orders, a RETURN within 14 days of the NEW/RENEWAL it returns (same customer), a
SWITCH with ``cancellingItems``, a REVERT_SWITCH naming that SWITCH, failed orders, and pending
orders (1002) at the end whose new subscriptions have no ``subscriptionId`` yet. Three customers
have more than 100 orders, so paging and the "current term" date default are exercised.

Shapes follow api-contract.md and Adobe's samples: 32-character subscription IDs, references
that are 18-digit numbers, 35-character strings, partner POs, or ``""``. Pricing is not stored:
the emulator computes it (``pricing_for``) only when a request asks with ``fetch-price=true``.

IDs are stable across versions of this file: a customer's k-th order (oldest first) has order ID
``order_id(c + CUSTOMER_COUNT * k)``, so the IDs in examples/ and tests keep naming the same
customer's orders.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

CUSTOMER_COUNT = 36
#: Customers with many orders (index -> number of mid-term add-on orders): paging past 100.
BIG_CUSTOMERS = {1: 120, 2: 236, 7: 96}
#: The last day the demo world has orders; the emulator's clock never runs before it.
DATA_END = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
FAILED_STATUSES = ["1004", "1008", "1020", "1022", "1024", "1026"]
CURRENCIES = ["USD", "USD", "USD", "EUR", "GBP", "JPY", "AUD"]
#: Offer IDs: product (8 digits), market segment, discount level, terms; partner price per year (USD).
OFFERS: dict[str, float] = {
    "65304522CA01A12": 359.88, "65322651CA01A12": 239.88, "80004567EA01A12": 179.88,
    "65304921CA02A12": 659.88, "30006208CA01A12": 95.88, "65305247CA01A12": 419.88,
    "86756309EA03A12": 899.88, "11073058CA02A12": 365.00, "69804578CA02A12": 365.00,
}
#: A SWITCH moves a subscription from the first offer to the second (an upgrade path).
SWITCH_PATHS = [("65322651CA01A12", "65304522CA01A12"), ("80004567EA01A12", "65304921CA02A12"),
                ("30006208CA01A12", "65305247CA01A12")]
FLEX_CODES = ["BLACK_FRIDAY_10_PERCENT_OFF", "BLACK_FRIDAY_20_DOLLAR_OFF", "SPRING_SALE_15"]
TIMESTAMP = "%Y-%m-%dT%H:%M:%SZ"


def customer_id(i: int) -> str:
    # A third of customers have IDs with leading zeros, the kind Excel silently strips.
    return f"00{1000000 + i * 7919:08d}" if i % 3 == 0 else f"{9876500000 + i * 131:010d}"


def order_id(i: int) -> str:
    if i % 5 == 0:
        return f"0{123456000 + i * 17:09d}"  # leading zero, like the contract's 0123456789
    if i % 7 == 0:
        return f"D{9200008000 + i:010d}"  # letters, like D9200008262
    return f"{911000000 + i * 29:09d}"


def stamp(when: datetime) -> str:
    return when.strftime(TIMESTAMP)


def parse_stamp(text: str) -> datetime:
    return datetime.strptime(text, TIMESTAMP).replace(tzinfo=UTC)


def anniversary_on_or_before(anniversary: date, day: date) -> date:
    """The start of the term that contains ``day`` (1-year terms renewing on the anniversary)."""
    year = day.year
    while True:
        try:
            candidate = anniversary.replace(year=year)
        except ValueError:  # 29 February
            candidate = date(year, 2, 28)
        if candidate <= day:
            return candidate
        year -= 1


def next_anniversary(anniversary: date, day: date) -> date:
    start = anniversary_on_or_before(anniversary, day)
    try:
        return start.replace(year=start.year + 1)
    except ValueError:
        return date(start.year + 1, 2, 28)


@dataclass
class _Customer:
    index: int
    rng: random.Random
    start: datetime
    currency: str
    subscriptions: dict[str, tuple[str, int]] = field(default_factory=dict)  # offer -> (subscription, qty)
    orders: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return customer_id(self.index)

    def subscription_id(self) -> str:
        # Adobe's look: 30 hex characters and a region suffix (47065a8d9a48ad8a8c285639ca7f33NA).
        return f"{self.rng.getrandbits(120):030x}" + self.rng.choice(["NA", "NA", "NA", "EU", "AP"])

    def reference(self, source: str) -> str:
        """A partner's reference, in the shapes Adobe's samples show; renewals mostly untagged."""
        roll = self.rng.random()
        if source == "System":
            return "" if roll < 0.75 else self._tagged()
        if roll < 0.2:
            return ""
        return self._tagged()

    def _tagged(self) -> str:
        roll = self.rng.random()
        if roll < 0.4:  # 18 digits, like 240505012402240931
            return f"{self.rng.randint(10**17, 10**18 - 1)}"
        if roll < 0.6:  # 35 characters, like a UUID that lost one character
            return str(uuid.UUID(int=self.rng.getrandbits(128)))[:35]
        if roll < 0.85:
            return f"PO-{self.rng.randint(2019, 2026)}-{self.rng.randint(1, 99999):05d}"
        return f"{self.rng.randint(100, 99999)}"

    def add(self, when: datetime, order_type: str, items: list[dict[str, Any]], *, status: str = "1000",
            source: str = "API", reference_order: str = "", cancelling: list[dict[str, Any]] | None = None,
            ) -> dict[str, Any]:
        for n, item in enumerate(items, start=1):
            item.setdefault("extLineItemNumber", n)
            item.setdefault("status", status)
            item.setdefault("currencyCode", self.currency)
            item.setdefault("deploymentId", "")
        order: dict[str, Any] = {
            "externalReferenceId": self.reference(source),
            "orderId": "",  # assigned once the story is complete (oldest first)
            "customerId": self.id,
            "orderType": order_type,
            "referenceOrderId": reference_order,
            "referencedOrderId": "",
            "currencyCode": self.currency,
            "creationDate": stamp(when),
            "status": status,
            "source": source,
            "lineItems": items,
        }
        if cancelling is not None:
            order["cancellingItems"] = cancelling
        self.orders.append(order)
        return order


def _line(offer: str, quantity: int, subscription: str, **extra: Any) -> dict[str, Any]:
    return {"offerId": offer, "quantity": quantity, "subscriptionId": subscription, **extra}


def _story(c: _Customer, end: datetime, extra_addons: int = 0) -> None:
    rng = c.rng
    offers = rng.sample(sorted(OFFERS), rng.choice([1, 1, 2, 2, 3, 4]))
    first_type = "TRANSFER" if c.index % 9 == 4 else "NEW"
    items = []
    for offer in offers:
        sub, qty = c.subscription_id(), rng.randint(1, 60)
        c.subscriptions[offer] = (sub, qty)
        items.append(_line(offer, qty, sub))
    if c.index % 6 == 5:  # some first orders carry a flex discount that applied
        items[0]["flexDiscounts"] = [{"id": str(uuid.UUID(int=rng.getrandbits(128))), "code": rng.choice(FLEX_CODES),
                                      "result": "SUCCESS"}]
    first = c.add(c.start, first_type, items)
    first["externalReferenceId"] = c._tagged()  # the partner placed it, with their PO
    term = first  # the order the next renewal renews

    anniversary = c.start.date()
    events: list[tuple[datetime, str]] = []
    year = c.start.year + 1
    while True:
        renewal_day = anniversary_on_or_before(anniversary, date(year, 12, 31))
        when = datetime(renewal_day.year, renewal_day.month, renewal_day.day, 7, 30, tzinfo=UTC)
        if when > end - timedelta(days=12):
            break
        events.append((when + timedelta(minutes=rng.randint(0, 240)), "RENEWAL"))
        year += 1
    span = (end - timedelta(days=12) - c.start).total_seconds()
    addons = BIG_CUSTOMERS.get(c.index, rng.randint(2, 9)) + extra_addons
    for _ in range(addons):
        events.append((c.start + timedelta(seconds=rng.uniform(0.02, 1.0) * span), "ADDON"))
    for _ in range(rng.randint(0, 2)):
        events.append((c.start + timedelta(seconds=rng.uniform(0.1, 1.0) * span), "SWITCH"))
    events.sort()

    for when, kind in events:
        if kind == "RENEWAL":
            items = [_line(o, q, s) for o, (s, q) in sorted(c.subscriptions.items())]
            status = "1000" if rng.random() < 0.94 else "1004"
            # A renewal names the order it renews (Adobe's history samples): the term's order.
            renewal = c.add(when, "RENEWAL", items, status=status, source="System",
                            reference_order=_pending_ref(term))
            if status == "1000":
                term = renewal
            if status == "1000" and rng.random() < 0.12:  # part of a renewal returned within 14 days
                _return(c, renewal, when + timedelta(days=rng.randint(1, 13), hours=rng.randint(0, 9)))
        elif kind == "ADDON":
            _addon(c, when)
        elif kind == "SWITCH":
            _switch(c, when)
    # The newest orders: some still pending, their new subscriptions without an ID yet.
    for n in range(rng.choice([0, 0, 1, 1, 2]) if c.index not in BIG_CUSTOMERS else 2):
        offer = rng.choice(sorted(OFFERS))
        when = end - timedelta(days=rng.randint(0, 6), hours=rng.randint(0, 20), minutes=n)
        c.add(when, "NEW", [_line(offer, rng.randint(1, 20), "")], status="1002")
    c.orders.sort(key=lambda o: o["creationDate"])


def _addon(c: _Customer, when: datetime) -> None:
    rng = c.rng
    status = "1000" if rng.random() < 0.9 else rng.choice(FAILED_STATUSES)
    offers = rng.sample(sorted(OFFERS), rng.choice([1, 1, 1, 2, 3]))
    items = []
    for offer in offers:
        qty = rng.randint(1, 25)
        if offer in c.subscriptions:  # more seats on an existing subscription
            sub, held = c.subscriptions[offer]
        else:
            sub, held = c.subscription_id(), 0
        if status == "1000":
            c.subscriptions[offer] = (sub, held + qty)
        items.append(_line(offer, qty, sub))
    if rng.random() < 0.08 and len(items) > 1:  # multi-currency: Adobe prices no such order
        items[-1]["currencyCode"] = "EUR" if c.currency != "EUR" else "USD"
    if rng.random() < 0.1:
        items[0]["flexDiscounts"] = [{"id": str(uuid.UUID(int=rng.getrandbits(128))), "code": rng.choice(FLEX_CODES),
                                      "result": rng.choice(["SUCCESS", "SUCCESS", "FAILURE"])}]
    order = c.add(when, "NEW", items, status=status)
    if status == "1000" and rng.random() < 0.1:
        _return(c, order, when + timedelta(days=rng.randint(1, 13), hours=rng.randint(0, 9)))


def _return(c: _Customer, original: dict[str, Any], when: datetime) -> None:
    """A RETURN names the NEW/RENEWAL it returns; same customer, within Adobe's 14 days."""
    items = []
    for item in original["lineItems"][: c.rng.randint(1, len(original["lineItems"]))]:
        qty = c.rng.randint(1, item["quantity"])
        items.append(_line(item["offerId"], qty, item["subscriptionId"],
                           extLineItemNumber=item["extLineItemNumber"]))
        sub, held = c.subscriptions.get(item["offerId"], (item["subscriptionId"], qty))
        c.subscriptions[item["offerId"]] = (sub, max(held - qty, 1))
    c.add(when, "RETURN", items, reference_order=_pending_ref(original))


def _switch(c: _Customer, when: datetime) -> None:
    rng = c.rng
    paths = [(a, b) for a, b in SWITCH_PATHS if a in c.subscriptions and b not in c.subscriptions]
    if not paths:
        return
    source_offer, target_offer = rng.choice(paths)
    old_sub, qty = c.subscriptions.pop(source_offer)
    new_sub = c.subscription_id()
    cancelling = [{"extLineItemNumber": 1, "referenceLineItemNumber": 1, "offerId": source_offer,
                   "subscriptionId": old_sub, "quantity": qty, "status": "1000"}]
    switch = c.add(when, "SWITCH", [_line(target_offer, qty, new_sub)], cancelling=cancelling)
    c.subscriptions[target_offer] = (new_sub, qty)
    if rng.random() < 0.35:  # changed their mind: the REVERT_SWITCH names the SWITCH
        later = when + timedelta(days=rng.randint(1, 20), hours=rng.randint(1, 8))
        back = [{"extLineItemNumber": 1, "referenceLineItemNumber": 1, "offerId": target_offer,
                 "subscriptionId": new_sub, "quantity": qty, "status": "1000"}]
        c.add(later, "REVERT_SWITCH", [_line(source_offer, qty, old_sub)], reference_order=_pending_ref(switch),
              cancelling=back)
        c.subscriptions.pop(target_offer)
        c.subscriptions[source_offer] = (old_sub, qty)


def _pending_ref(order: dict[str, Any]) -> str:
    """Order IDs are assigned after the story; until then an order is named by its identity."""
    return f"@{id(order)}"


def seed_orders(seed: int = 2026, count: int | None = None, *, end: datetime = DATA_END) -> list[dict[str, Any]]:
    """Every seeded order, ordered by (k, customer) so the first CUSTOMER_COUNT are each customer's
    oldest order. ``count`` asks for exactly that many: customers get more add-on orders when the
    stories hold fewer, and only the first ``count`` are kept (a customer's newest go first; a
    reference always names an older order of the same customer, so none dangles)."""
    orders = _seed(seed, end, 0)
    if count is not None and count > len(orders):
        orders = _seed(seed, end, (count - len(orders)) // CUSTOMER_COUNT + 2)
    return orders[:count] if count is not None else orders


def _seed(seed: int, end: datetime, extra_addons: int) -> list[dict[str, Any]]:
    base = datetime(2020, 1, 6, 9, 0, tzinfo=UTC)
    by_position: list[tuple[int, int, dict[str, Any]]] = []
    for index in range(CUSTOMER_COUNT):
        rng = random.Random(seed * 1000 + index)
        if index in BIG_CUSTOMERS:
            start = base + timedelta(days=rng.randint(0, 200), hours=rng.randint(0, 9))
        else:
            start = base + timedelta(days=rng.randint(0, 5 * 365), hours=rng.randint(0, 9), minutes=rng.randint(0, 59))
        customer = _Customer(index, rng, start, rng.choice(CURRENCIES))
        _story(customer, end, extra_addons)
        names: dict[str, str] = {}
        for k, order in enumerate(customer.orders):
            order["orderId"] = order_id(index + CUSTOMER_COUNT * k)
            names[_pending_ref(order)] = order["orderId"]
            by_position.append((k, index, order))
        for order in customer.orders:
            if order["referenceOrderId"]:
                order["referenceOrderId"] = names[order["referenceOrderId"]]
    by_position.sort(key=lambda t: (t[0], t[1]))
    return [o for _, _, o in by_position]


# -- pricing, only with fetch-price ---------------------------------------------------------------

def customer_anniversaries(orders: list[dict[str, Any]]) -> dict[str, date]:
    """Each customer's anniversary: the day of their oldest order."""
    first: dict[str, str] = {}
    for order in orders:
        c = order["customerId"]
        if c not in first or order["creationDate"] < first[c]:
            first[c] = order["creationDate"]
    return {c: parse_stamp(d).date() for c, d in first.items()}


def pricing_for(order: dict[str, Any], anniversary: date) -> dict[str, Any] | None:
    """What ``fetch-price=true`` adds to an order, or None when Adobe sends no pricing for it.

    Adobe prices only single-currency orders with status 1000. Per line: ``partnerPrice`` (a year
    at list), ``discountedPartnerPrice`` (after the customer's discount level), ``netPartnerPrice``
    (prorated to ``proratedDays`` of the term) and ``lineItemPartnerPrice`` (net × quantity); the
    order gets ``pricingSummary`` with the total per currency — the shapes of Adobe's samples.
    """
    currencies = {li.get("currencyCode") for li in order.get("lineItems", [])}
    if order.get("status") != "1000" or len(currencies) != 1:
        return None
    created = parse_stamp(order["creationDate"]).date()
    renews = next_anniversary(anniversary, created)
    term = (renews - anniversary_on_or_before(anniversary, created)).days
    prorated = max((renews - created).days, 1)
    lines, total = [], 0.0
    for item in order["lineItems"]:
        partner = OFFERS.get(item["offerId"], 100.0)
        level = int(item["offerId"][10:12]) if item["offerId"][10:12].isdigit() else 1
        discounted = round(partner * (1 - 0.05 * (level - 1)), 2)
        net = round(discounted * prorated / term, 2)
        line_total = round(net * item["quantity"], 2)
        total += line_total
        lines.append({"proratedDays": prorated,
                      "pricing": {"partnerPrice": partner, "discountedPartnerPrice": discounted,
                                  "netPartnerPrice": net, "lineItemPartnerPrice": line_total}})
    return {"lineItems": lines,
            "pricingSummary": [{"totalLineItemPartnerPrice": round(total, 2), "currencyCode": currencies.pop()}]}


def with_pricing(order: dict[str, Any], anniversary: date | None) -> dict[str, Any]:
    """The order as ``fetch-price=true`` returns it (a copy is expected)."""
    priced = pricing_for(order, anniversary) if anniversary is not None else None
    if priced is None:
        return order
    for item, extra in zip(order["lineItems"], priced["lineItems"], strict=True):
        item.update(extra)
    order["pricingSummary"] = priced["pricingSummary"]
    return order
