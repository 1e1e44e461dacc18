"""Which column is which: forgiving header matching, because spreadsheets say ``Customer ID``,
``customer_id`` and ``CustomerId`` for the same thing — but never a guess between two candidates,
and never a user's column silently replaced by a result column."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from ..errors import ColumnError, UsageError, type_name
from .schema import OPTIONAL_RESULT_COLUMNS, RESULT_COLUMNS

CUSTOMER, ORDER, VALUE = "customerId", "orderId", "externalReferenceId"
CANONICAL = (CUSTOMER, ORDER, VALUE)
ALIASES = {
    CUSTOMER: {"customerid", "customer", "customerno", "customernumber", "vipcustomerid"},
    ORDER: {"orderid", "order", "orderno", "ordernumber", "adobeorderid"},
    VALUE: {"externalreferenceid", "externalreference", "newexternalreferenceid", "externalref",
            "newexternalreference", "ponumber", "po", "newvalue"},
}
#: What each field is called in messages, and the CLI option that names its column.
FIELD_WORDS = {CUSTOMER: "the customer ID", ORDER: "the order ID", VALUE: "the new externalReferenceId"}
CLI_OPTIONS = {CUSTOMER: "--customer-column", ORDER: "--order-column", VALUE: "--value-column"}
RESULT_NAMES = frozenset(RESULT_COLUMNS) | frozenset(OPTIONAL_RESULT_COLUMNS)


def _key(name: object) -> str:
    return re.sub(r"[^0-9a-z]", "", str(name).lstrip("\ufeff").lower())


def candidates(frame: pd.DataFrame, canonical: str) -> list[str]:
    """Every column whose header the reader accepts for ``canonical`` (result columns never are)."""
    return [c for c in frame.columns if c not in RESULT_NAMES and _key(c) in ALIASES[canonical]]


def input_columns(frame: pd.DataFrame) -> list[str]:
    """The user's columns: all of them, or — for a results export — all but our result columns.

    A frame carrying every result column is one this package wrote (a results frame, or its CSV
    read back): its result columns are ours to replace. A frame with only some of those names has
    them as the user's own columns, which a results frame would silently overwrite: refused.
    """
    ours = [str(c) for c in frame.columns if c in RESULT_NAMES]
    if not ours:
        return list(frame.columns)
    if all(c in frame.columns for c in RESULT_COLUMNS):
        return [c for c in frame.columns if c not in RESULT_NAMES]
    raise ColumnError(
        f"Column(s) {', '.join(repr(c) for c in ours)} of your data have the names of result columns, which "
        "the results add after your columns; yours would be replaced. Rename them (e.g. 'my_status') and "
        "run again. Nothing was sent."
    )


def user_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The user's columns of ``frame``, selected by position: selecting by name would repeat a
    repeated header once per repeat (two 'PO' columns would become four)."""
    if not isinstance(frame, pd.DataFrame):
        raise UsageError(f"Expected the updates as a pandas DataFrame (customerId, orderId, externalReferenceId; "
                         f"read_updates(path) reads a file), not {type_name(frame)}.")
    keep = set(input_columns(frame))
    return frame.loc[:, [c in keep for c in frame.columns]]


def _ambiguous(canonical: str, matches: list[str]) -> str:
    names = [str(c) for c in matches]
    if len(set(names)) == 1:
        what = f"The header {names[0]!r} appears {len(names)} times; each could be {FIELD_WORDS[canonical]}"
        fix = "Rename the repeats so that one column holds it"
    else:
        what = f"Columns {', '.join(map(repr, names))} could each be {FIELD_WORDS[canonical]}"
        fix = (f"Say which one: columns={{{canonical!r}: {names[0]!r}}} in Python, or "
               f"{CLI_OPTIONS[canonical]} {names[0]!r} on the command line (or rename the others)")
    return f"{what}, and a guess could send the wrong value. {fix}. Nothing was sent."


def resolve_columns(frame: pd.DataFrame, columns: Mapping[str, str] | None = None) -> dict[str, str]:
    """canonical name -> the frame's column, or ColumnError naming what was found and how to choose."""
    given = dict(columns or {})
    unknown = set(given) - set(CANONICAL)
    if unknown:
        raise ColumnError(f"columns= maps unknown name(s) {sorted(unknown)}; use {', '.join(CANONICAL)}.")
    labels = list(frame.columns)
    found: dict[str, str] = {}
    for canonical in CANONICAL:
        if canonical in given:
            name = given[canonical]
            if name not in labels:
                raise ColumnError(f"columns= names {name!r} for {canonical}, but the data has no such column. "
                                  f"Columns found: {', '.join(map(repr, map(str, labels)))}.")
            if labels.count(name) > 1:
                raise ColumnError(f"The data has {labels.count(name)} columns named {name!r}; rename all "
                                  "but one, so it is clear which holds " + FIELD_WORDS[canonical] + ".")
            found[canonical] = name
            continue
        matches = candidates(frame, canonical)
        if len(matches) > 1:
            raise ColumnError(_ambiguous(canonical, matches))
        if matches:
            found[canonical] = matches[0]
    missing = [c for c in CANONICAL if c not in found]
    if missing:
        have = ", ".join(repr(str(c)) for c in labels) or "none"
        raise ColumnError(
            f"Missing column(s) {', '.join(missing)}. Columns found: {have}. Rename the headers, or "
            "pass columns={'customerId': 'Your header', ...} (CLI: --customer-column, --order-column, "
            "--value-column)."
        )
    return found


__all__ = ["CANONICAL", "CUSTOMER", "ORDER", "RESULT_NAMES", "VALUE", "ColumnError", "candidates", "input_columns",
           "resolve_columns", "user_columns"]
