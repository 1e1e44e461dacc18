"""``validate_updates``: every row checked at once, one plain-words problem per bad row.

Two passes keep a million rows fast and the rules in one place: a vectorised regular
expression finds the rows that are certainly valid (nearly all of them); only the rest go
through the scalar rules of ``adobe_orders.validation``, which say exactly what is wrong.
The fast pattern is strictly narrower than the rules, so it can never let a bad row through.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..validation import (
    FAST_ID_PATTERN,
    FAST_REFERENCE_PATTERN,
    check_customer_id,
    check_external_reference_id,
    check_order_id,
    shown,
)
from .columns import CUSTOMER, ORDER, VALUE, resolve_columns, user_columns
from .results import frame_with_results
from .schema import NO_NEW_VALUE, RowStatus, row_name

# Strict ASCII subsets of the rules (kept with the rules in adobe_orders.validation): a cell they
# match is certainly valid; any other cell is decided by the scalar rules, which also explain.
FAST_ID = FAST_ID_PATTERN
FAST_VALUE = FAST_REFERENCE_PATTERN

READY, INVALID, DUPLICATE, SKIPPED = RowStatus.READY, RowStatus.INVALID, RowStatus.DUPLICATE, RowStatus.SKIPPED
CHECKS = {CUSTOMER: check_customer_id, ORDER: check_order_id, VALUE: check_external_reference_id}


def _surely_valid(column: pd.Series, pattern: str) -> np.ndarray:
    """True where the cell is a str matching ``pattern`` exactly; False elsewhere.

    The cells are joined into one text and a single multi-line regex lists the lines that do
    not match: one pass of the regex engine instead of a million Python calls (about 8x faster).
    """
    n = len(column)
    values = column.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        is_text = np.ones(n, bool)
    else:  # NaN, None, pd.NA, numbers: those cells go through the scalar rules, which explain
        is_text = np.fromiter((type(v) is str for v in values), bool, n)
        values = np.where(is_text, values, "")
    text = "\n".join(values)
    if text.count("\n") != n - 1:  # some cell holds a line break: the slow, exact way
        return column.where(is_text, "").astype(object).str.fullmatch(pattern).fillna(False).to_numpy(bool)
    ok = is_text.copy()
    bad_starts = [m.start() for m in re.finditer(f"^(?!(?:{pattern})$)", text, re.MULTILINE)]
    if bad_starts:
        lengths = np.fromiter(map(len, values), np.int64, n) + 1
        line_starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        ok[np.searchsorted(line_starts, bad_starts, side="right") - 1] = False
    return ok


def _shared_keys(customers: np.ndarray, orders: np.ndarray) -> np.ndarray:
    """Rows whose (customer, order) pair occurs more than once."""
    codes, uniques = pd.factorize(orders, use_na_sentinel=False)  # None/NaN/NA get a code too (never -1)
    if len(uniques) == len(orders):
        return np.zeros(len(orders), bool)
    candidates = np.bincount(codes)[codes] > 1
    shared = np.zeros(len(orders), bool)
    sub = pd.DataFrame({"c": customers[candidates], "o": orders[candidates]})
    shared[np.flatnonzero(candidates)] = sub.duplicated(keep=False).to_numpy()
    return shared


@dataclass(frozen=True)
class Checked:
    """Every row checked: its cleaned values, status (ready / invalid / duplicate / skipped) and reason."""

    names: dict[str, str]      # canonical -> the frame's header
    customer: np.ndarray       # cleaned (surrounding spaces removed) where valid, as typed otherwise
    order: np.ndarray
    value: np.ndarray
    status: np.ndarray         # RowStatus per row
    reason: np.ndarray         # str or None per row


def check_rows(frame: pd.DataFrame, names: dict[str, str]) -> Checked:
    """The rules, for every row at once; nothing here talks to the network."""
    n = len(frame)
    reason = np.full(n, None, dtype=object)
    blank = np.zeros(n, bool)  # no new value typed: a partly filled file is normal, the row is skipped
    cleaned: dict[str, np.ndarray] = {}
    for canonical in (CUSTOMER, ORDER, VALUE):
        col = names[canonical]
        pattern = FAST_VALUE if canonical == VALUE else FAST_ID
        values = frame[col].to_numpy(dtype=object, copy=True)
        fast = _surely_valid(frame[col], pattern)
        check = CHECKS[canonical]
        for i in np.flatnonzero(~fast):
            try:
                values[i] = check(values[i])
            except ValidationError as exc:
                if canonical == VALUE and exc.rule == "required":
                    blank[i] = True
                elif reason[i] is None:
                    reason[i] = exc.message
        cleaned[canonical] = values
    status = np.where(pd.isna(reason), READY, INVALID).astype(object)
    # A blank value on a row that is otherwise fine is no mistake (the analyst filled only some rows):
    # skipped, nothing sent, and it does not count as a row that needs attention.
    skipped = blank & (status == READY)
    status[skipped] = SKIPPED
    reason[skipped] = NO_NEW_VALUE
    c, o, v = cleaned[CUSTOMER], cleaned[ORDER], cleaned[VALUE]
    shared = _shared_keys(c, o) & (status == READY)
    if shared.any():
        sub = pd.DataFrame({"c": c[shared], "o": o[shared], "v": v[shared], "pos": np.flatnonzero(shared)})
        conflicting = sub.groupby(["c", "o"], sort=False)["v"].transform("nunique").to_numpy() > 1
        for pos, value in zip(sub["pos"][conflicting], sub["v"][conflicting], strict=True):
            status[pos] = INVALID
            reason[pos] = (f"This order is listed more than once with different values ({shown(value)} here); "
                           "none of its rows is applied. Keep one row per order.")
        repeats = sub[~conflicting]
        first_pos: dict[tuple[object, object], int] = {}
        for key, pos in zip(zip(repeats["c"], repeats["o"], strict=True), repeats["pos"], strict=True):
            if key not in first_pos:
                first_pos[key] = pos
            else:
                status[pos] = DUPLICATE
                first = row_name(frame.index, frame.index[first_pos[key]])
                reason[pos] = f"Exact repeat of {first} (same order, same value); only {first} is applied."
    return Checked(names, c, o, v, status, reason)


def validate_updates(frame: pd.DataFrame, *, columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The frame's own columns, unchanged, then the result columns: ``status`` (ready / invalid /
    duplicate / skipped: no new value typed), ``reason`` for every row that will not be sent, and
    ``target_value`` — the value as it would be sent (surrounding spaces removed). Nothing here talks to the network.
    """
    inputs = user_columns(frame)
    checked = check_rows(inputs, resolve_columns(inputs, columns))
    ready = checked.status == READY
    # Whole columns, not a RowResult per row: a million rows validate in about a second.
    return frame_with_results(inputs, {"status": [str(s) for s in checked.status],  # a StrEnum: its value
                                       "reason": checked.reason,
                                       "target_value": np.where(ready, checked.value, np.array(None))})
