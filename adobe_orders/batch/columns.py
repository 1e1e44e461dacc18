"""Which column is which: forgiving header matching, because spreadsheets say ``Customer ID``,
``customer_id`` and ``CustomerId`` for the same thing."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from ..errors import AdobeOrdersError

CUSTOMER, ORDER, VALUE = "customerId", "orderId", "externalReferenceId"
CANONICAL = (CUSTOMER, ORDER, VALUE)
ALIASES = {
    CUSTOMER: {"customerid", "customer", "customerno", "customernumber", "vipcustomerid"},
    ORDER: {"orderid", "order", "orderno", "ordernumber", "adobeorderid"},
    VALUE: {"externalreferenceid", "externalreference", "newexternalreferenceid", "externalref",
            "newexternalreference", "ponumber", "po", "newvalue"},
}


class ColumnError(AdobeOrdersError, KeyError):
    """The frame lacks a column the batch needs; raised before anything is sent."""

    def __str__(self) -> str:
        return str(self.args[0])


def _key(name: object) -> str:
    return re.sub(r"[^0-9a-z]", "", str(name).lstrip("\ufeff").lower())


def resolve_columns(frame: pd.DataFrame, columns: Mapping[str, str] | None = None) -> dict[str, str]:
    """canonical name -> the frame's column, or ColumnError naming the columns found."""
    given = dict(columns or {})
    unknown = set(given) - set(CANONICAL)
    if unknown:
        raise ColumnError(f"columns= maps unknown name(s) {sorted(unknown)}; use {', '.join(CANONICAL)}.")
    found: dict[str, str] = {}
    for canonical in CANONICAL:
        if canonical in given:
            if given[canonical] not in frame.columns:
                raise ColumnError(f"columns= names {given[canonical]!r} for {canonical}, but the data has "
                                  f"no such column. Columns found: {', '.join(map(str, frame.columns))}.")
            found[canonical] = given[canonical]
            continue
        matches = [c for c in frame.columns if _key(c) in ALIASES[canonical]]
        if matches:
            found[canonical] = matches[0]
    missing = [c for c in CANONICAL if c not in found]
    if missing:
        have = ", ".join(repr(str(c)) for c in frame.columns) or "none"
        raise ColumnError(
            f"Missing column(s) {', '.join(missing)}. Columns found: {have}. Rename the headers, or "
            "pass columns={'customerId': 'Your header', ...}."
        )
    return found


def canonical_headers(frame: pd.DataFrame) -> pd.DataFrame:
    """Rename recognised headers to the API's names; leave every other column as it is."""
    try:
        found = resolve_columns(frame)
    except ColumnError:
        found = {}
        for canonical in CANONICAL:
            matches = [c for c in frame.columns if _key(c) in ALIASES[canonical]]
            if matches:
                found[canonical] = matches[0]
    return frame.rename(columns={v: k for k, v in found.items() if v != k})
