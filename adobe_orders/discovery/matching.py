"""Turn a PO list (an ERP export) into an updates frame, without ever guessing.

A source row and an order match when every key the user names agrees: equal text for IDs
(leading zeros count, surrounding spaces do not), *contains* for an order's subscription or offer
IDs (an order has several), and *within a window* for dates. Only one-to-one matches become
updates. Everything else is reported with its reason and kept out of the updates:

- ``no_match``       a source row that matches no order;
- ``several_orders`` a source row that matches more than one order (each is named);
- ``several_rows``   an order matched by source rows with *different* values (each row is named);
- ``repeat``         a source row repeating another row's order and value (the first one is used);
- ``different_reference`` an order that already holds a different non-empty reference;
- ``already_set``    an order that already holds this very value (nothing to send);
- ``po_already_used`` a value another order of the same customer already holds, or is matched to by another
                     source row (that order is named): a PO tags one order, so it is never set on a second
                     one (and when two orders are matched to it, on neither: which one is right is unknown);
- ``po_unchecked``   the customer's other orders could not be read, so the value cannot be checked as unused;
- ``no_value`` / ``no_key`` a source row whose value or a key is blank;
- ``bad_value``      a value that is not the text typed: a number or date cell, ``1.2E+17``, ``123.0``, a
                     formula… (the rules ``read_updates`` applies to an apply input, ``adobe_orders.validation``);
- ``bad_date``       a source date that is not ``YYYY-MM-DD`` (``03/04/2026``: March or April?).

"Already used" needs every order of the customer, also those a filtered ``fetch_orders`` frame leaves
out (``missing_reference=True`` hides exactly the orders holding a PO), and a frame that does not say how
it was made (read back from an export of such a listing) may be one. For such a frame
``match_updates`` reads the customers' other orders itself when given ``client=`` (or takes them as
``references=``), and refuses, saying why, when it has neither: it never matches blind.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..batch.columns import CUSTOMER, ORDER, VALUE
from ..batch.reading import read_table
from ..batch.schema import row_name
from ..errors import ValidationError
from ..frame_display import mark_own
from ..validation import check_external_reference_id
from .fetching import fetch_orders

if TYPE_CHECKING:
    from ..client import OrdersClient

#: Friendly key names (the API's) for the columns of a fetch_orders frame.
ORDER_KEYS = {"customerId": "customerId", "orderId": "orderId", "subscriptionId": "subscription_ids",
              "offerId": "offer_ids", "creationDate": "creation_date", "orderType": "order_type",
              "referenceOrderId": "reference_order_id"}
#: Order columns that hold several comma-separated values: a key matches when it is one of them.
LIST_KEYS = {"subscription_ids", "offer_ids"}
PROBLEM_COLUMNS = ["problem", "source_row", "customerId", "orderId", "value", "reason"]


def match_updates(
    orders: pd.DataFrame,
    source: pd.DataFrame,
    *,
    on: str | Sequence[str] | Mapping[str, str],
    value: str,
    window: timedelta | pd.Timedelta | None = None,
    client: OrdersClient | None = None,
    references: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The updates frame (``customerId, orderId, externalReferenceId``) for ``apply_updates``.

    ``orders`` is a ``fetch_orders`` frame; ``source`` the PO list, read as text (e.g.
    ``pd.read_csv(path, dtype=str)``: numeric ID columns lose leading zeros and are refused).
    ``on`` names the keys: a column name present in both, several, or ``{order key: source
    column}``; order keys may be the frame's column names or the API's (``customerId``,
    ``subscriptionId``, ``offerId``, ``creationDate``…). A date key matches when the source date is
    within ``window`` of the order's ``creation_date`` (default: the same UTC day). ``value`` is
    the source column holding the reference to set.

    Extra columns say where each update came from: ``current_reference`` (what the order holds
    now, blank if none) and ``source_row``. Every source row and order that could not be matched
    one-to-one is in ``updates.attrs["problems"]`` (records; ``match_problems(updates)`` makes
    them a DataFrame) and never in the updates.

    A value another order of the customer already holds is never matched to a second order. When
    ``orders`` may hide such orders (``fetch_orders`` filters, or rows dropped since), their
    references are read with ``client`` (one unfiltered read of the customers) or taken from
    ``references`` (an unfiltered ``fetch_orders`` frame); with neither, ``ValueError`` says so.
    """
    keys = _keys(orders, source, on)
    if value not in source.columns:
        raise KeyError(f"value={value!r} is not a column of the source. Columns: {', '.join(map(str, source.columns))}")
    _one_column_each(source, [value, *(src for _, src in keys)])
    for needed in ("customerId", "orderId"):
        if needed not in orders.columns:
            raise KeyError(f"orders has no {needed!r} column: pass the frame fetch_orders returned")
    current_col = "external_reference_id" if "external_reference_id" in orders.columns else None
    held, unchecked = _held_references(orders, client, references)
    customer_src = next((src for col, src in keys if col == "customerId"), None)
    present = {c for c in (_text(v) for v in orders["customerId"].tolist()) if c is not None}
    problems: list[dict[str, Any]] = []
    claims: dict[int, list[tuple[Any, str]]] = {}  # order position -> [(source label, value)]

    find = _OrderIndex(orders, keys, window)
    for label, row in source.iterrows():
        name = row_name(source.index, label)
        target = _text(row[value])
        blank = [src for _, src in keys if _text(row[src]) is None]
        if blank:
            problems.append(_problem("no_key", name, None, target, f"{', '.join(blank)} is blank"))
            continue
        odd = [f"{src} {_text(row[src])!r}" for col, src in keys if col == "creation_date" and _when(row[src]) is None]
        if odd:
            problems.append(_problem("bad_date", name, None, target,
                                     f"{'; '.join(odd)} is not a date as YYYY-MM-DD (03/04/2026 could be "
                                     "March or April, so it is not guessed)"))
            continue
        hits = find(row)
        if target is None:
            problems.append(_problem("no_value", name, None, None, f"{value} is blank"))
            continue
        refused = _value_problem(row[value], value)
        if refused:
            problems.append(_problem("bad_value", name, None, target, refused))
            continue
        if not hits:
            why = _absent(_text(row[customer_src]), present, orders.attrs) if customer_src else None
            problems.append(_problem("no_match", name, None, target,
                                     "no order matches " + _describe(row, keys) + (f": {why}" if why else "")))
            continue
        if len(hits) > 1:
            named = ", ".join(f"{orders['customerId'].iloc[i]}/{orders['orderId'].iloc[i]}" for i in hits[:10])
            more = f" and {len(hits) - 10} more" if len(hits) > 10 else ""
            problems.append(_problem("several_orders", name, None, target,
                                     f"{_describe(row, keys)} matches {len(hits)} orders ({named}{more}); "
                                     "add a key that tells them apart"))
            continue
        claims.setdefault(hits[0], []).append((label, target))

    updates: list[dict[str, Any]] = []
    for position in sorted(claims):
        cust, order = str(orders["customerId"].iloc[position]), str(orders["orderId"].iloc[position])
        rows = claims[position]
        names = [row_name(source.index, label) for label, _ in rows]
        values = {v for _, v in rows}
        if len(values) > 1:
            listed = "; ".join(f"{n}: {v!r}" for n, (_, v) in zip(names, rows, strict=True))
            for n, (_, v) in zip(names, rows, strict=True):
                problems.append(_problem("several_rows", n, (cust, order), v,
                                         f"order {order} is matched by {len(rows)} rows with different values "
                                         f"({listed})"))
            continue
        target = rows[0][1]
        for n in names[1:]:
            problems.append(_problem("repeat", n, (cust, order), target, f"repeats {names[0]} (same order, same "
                                                                         "value); used once"))
        current = _text(orders[current_col].iloc[position]) if current_col else None
        if current is not None and current != target:
            problems.append(_problem("different_reference", names[0], (cust, order), target,
                                     f"order {order} already holds {current!r}; not overwritten"))
            continue
        if current == target:
            problems.append(_problem("already_set", names[0], (cust, order), target,
                                     f"order {order} already holds this value"))
            continue
        others = [o for o in held.get((cust, target), []) if o != order]
        if others:
            problems.append(_problem("po_already_used", names[0], (cust, order), target,
                                     f"{value} {target!r} is already on order {', '.join(others)} of customer {cust}; "
                                     f"not set on order {order} too (a PO tags one order)"))
            continue
        if cust in unchecked:
            problems.append(_problem("po_unchecked", names[0], (cust, order), target,
                                     f"customer {cust}'s other orders could not be read ({unchecked[cust]}), so "
                                     f"{target!r} may already be on one of them; not set. Match again later"))
            continue
        updates.append({CUSTOMER: cust, ORDER: order, VALUE: target, "current_reference": current,
                        "source_row": names[0]})
    updates = _one_order_per_po(updates, problems, value)
    frame = pd.DataFrame(updates, columns=[CUSTOMER, ORDER, VALUE, "current_reference", "source_row"],
                         dtype="string")
    frame.attrs["problems"] = problems
    frame.attrs["matched"] = len(frame)
    frame.attrs["source_rows"] = len(source)
    return mark_own(frame)


def _one_order_per_po(updates: list[dict[str, Any]], problems: list[dict[str, Any]], value: str
                      ) -> list[dict[str, Any]]:
    """The updates whose PO no other update of the customer sets; the others are problems, all of them."""
    orders_of: dict[tuple[str, str], list[str]] = {}
    for update in updates:
        orders_of.setdefault((update[CUSTOMER], update[VALUE]), []).append(update[ORDER])
    kept = []
    for update in updates:
        cust, order, target = update[CUSTOMER], update[ORDER], update[VALUE]
        others = [o for o in orders_of[(cust, target)] if o != order]
        if not others:
            kept.append(update)
            continue
        problems.append(_problem("po_already_used", update["source_row"], (cust, order), target,
                                 f"{value} {target!r} is matched to order {', '.join(others)} of customer {cust} "
                                 f"too; set on neither (a PO tags one order, and which one is right is unknown)"))
    return kept


def hidden_orders(orders: pd.DataFrame) -> str | None:
    """Why ``orders`` may not hold every order of its customers (its filters, rows dropped since
    ``fetch_orders`` made it, or no record of how it was made), or None when it holds them all."""
    if "filters" not in orders.attrs:  # read from a file (an export of a filtered listing), or rebuilt
        return ("it does not say how it was made (no fetch_orders record: read from a file, or rebuilt with "
                "pandas), so it may have been filtered")
    filters = orders.attrs.get("filters") or {}
    if filters:
        return "it was fetched with " + ", ".join(f"{k}={v!r}" for k, v in filters.items())
    rows = orders.attrs.get("rows")
    if isinstance(rows, int) and len(orders) < rows:
        return f"it holds {len(orders)} of the {rows} orders fetch_orders read"
    return None


def _held_references(orders: pd.DataFrame, client: OrdersClient | None, references: pd.DataFrame | None
                     ) -> tuple[dict[tuple[str, str], list[str]], dict[str, str]]:
    """Every (customer, reference) → the orders holding it, and the customers whose orders could not be
    read. From ``orders`` itself when it shows every order; else from ``references`` or a read with
    ``client``; refused (ValueError) when neither is given."""
    why = hidden_orders(orders)
    unchecked: dict[str, str] = {}
    frames = [orders]
    if why is not None:
        if references is None and client is None:
            raise ValueError(
                f"The orders frame may not show every order ({why}): an order it leaves out may already hold a PO of "
                "the source, which would then be set on a second order. Pass client= (match_updates reads each "
                "customer's references once) or references= (a fetch_orders frame without filters).")
        if references is None:
            customers = orders.attrs.get("customers") or sorted({str(c) for c in orders["customerId"].dropna()})
            references = fetch_orders(customers, client, progress=False) if customers else None
        if references is not None:
            also = hidden_orders(references)
            if also is not None:
                raise ValueError(f"references= must show every order, but {also}; fetch it without filters.")
            unchecked = dict(references.attrs.get("failed_customers") or {})
            frames.append(references)
    held: dict[tuple[str, str], list[str]] = {}
    for frame in frames:
        if "external_reference_id" not in frame.columns:
            continue
        for cust, order, ref in zip(frame["customerId"].tolist(), frame["orderId"].tolist(),
                                    frame["external_reference_id"].tolist(), strict=True):
            ref_text, cust_text, order_text = _text(ref), _text(cust), _text(order)
            if ref_text and cust_text and order_text:
                holders = held.setdefault((cust_text, ref_text), [])
                if order_text not in holders:
                    holders.append(order_text)
    return held, unchecked


def _absent(customer: str | None, present: set[str], attrs: Mapping[Any, Any]) -> str | None:
    """Why a source row's customer has no order in the frame at all, or None when it has some."""
    if customer is None or customer in present:
        return None
    failed = attrs.get("failed_customers") or {}
    if customer in failed:
        return f"customer {customer} could not be read ({failed[customer]}): fetch its orders again"
    if customer in (attrs.get("customers") or []):
        filters = attrs.get("filters") or {}
        with_filters = " with the filters used (" + ", ".join(f"{k}={v!r}" for k, v in filters.items()) + ")"
        return f"customer {customer} has no order in the orders frame{with_filters if filters else ''}"
    return f"customer {customer} is not in the orders frame: fetch its orders first"


def _value_problem(raw: Any, column: str) -> str | None:
    """Why a source value cannot be sent as it stands (the rules an apply input gets), or None.

    A number cell has lost leading zeros and digits past the 15th, a date cell is no longer what was
    typed, ``1.2E+17`` and ``123.0`` are what a spreadsheet made of a number: the true PO is unknown."""
    try:
        check_external_reference_id(raw)
    except ValidationError as exc:
        return exc.message.replace("External reference ID", column, 1)
    return None


def read_source(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A PO list (``.csv`` or ``.xlsx``) with every cell as text (IDs keep their zeros, ``NA`` stays
    ``NA``), its rows labelled by spreadsheet line (the header is line 1), so every problem
    ``match_updates`` reports names the line to look at in the file."""
    return read_table(path)


def match_problems(updates: pd.DataFrame) -> pd.DataFrame:
    """The problems ``match_updates`` reported, one row each, as a DataFrame."""
    return mark_own(pd.DataFrame(updates.attrs.get("problems", []), columns=PROBLEM_COLUMNS, dtype="string"))


def _keys(orders: pd.DataFrame, source: pd.DataFrame, on: str | Sequence[str] | Mapping[str, str]
          ) -> list[tuple[str, str]]:
    pairs = list(on.items()) if isinstance(on, Mapping) else [(k, k) for k in ([on] if isinstance(on, str) else on)]
    if not pairs:
        raise ValueError("on= names no key: give at least one column to match on (e.g. 'customerId')")
    keys = []
    for order_key, src in pairs:
        col = order_key if order_key in orders.columns else ORDER_KEYS.get(order_key, order_key)
        if col not in orders.columns:
            raise KeyError(f"{order_key!r} is not a column of the orders frame. Columns: "
                           f"{', '.join(map(str, orders.columns))}")
        if src not in source.columns:
            raise KeyError(f"{src!r} is not a column of the source. Columns: {', '.join(map(str, source.columns))}")
        if col != "creation_date" and pd.api.types.is_numeric_dtype(source[src]):
            raise TypeError(f"The source column {src!r} holds numbers, so IDs may have lost leading zeros. Read the "
                            "file as text, e.g. pd.read_csv(path, dtype=str).")
        keys.append((col, src))
    return keys


def _one_column_each(source: pd.DataFrame, used: list[str]) -> None:
    """A header the match reads must name one column: of two named ``po`` neither is the obvious one."""
    repeated = sorted({str(c) for c in used if (source.columns == c).sum() > 1})
    if repeated:
        raise ValueError(f"The source has more than one column named {', '.join(map(repr, repeated))}; rename the "
                         "repeats so each header names one column, then match again.")


class _OrderIndex:
    """The orders a source row matches, found through dictionaries (not a scan of every order per
    row), so a PO list of thousands of rows against thousands of orders stays quick."""

    def __init__(self, orders: pd.DataFrame, keys: list[tuple[str, str]],
                 window: timedelta | pd.Timedelta | None) -> None:
        self.keys, self.window = keys, window
        self.equal = [(col, src) for col, src in keys if col != "creation_date" and col not in LIST_KEYS]
        self.lists = [(col, src) for col, src in keys if col in LIST_KEYS]
        self.dates = [(col, src) for col, src in keys if col == "creation_date"]
        columns = {col: [_text(v) for v in orders[col].tolist()] for col, _ in self.equal + self.lists}
        self.by_equal: dict[tuple[str | None, ...], list[int]] = {}
        for position in range(len(orders)):
            self.by_equal.setdefault(tuple(columns[c][position] for c, _ in self.equal), []).append(position)
        self.by_part: dict[str, dict[str, set[int]]] = {}
        for col, _ in self.lists:
            parts: dict[str, set[int]] = {}
            for position, cell in enumerate(columns[col]):
                for part in (cell or "").split(","):
                    if part.strip():
                        parts.setdefault(part.strip(), set()).add(position)
            self.by_part[col] = parts
        self.created = {col: orders[col].tolist() for col, _ in self.dates}

    def __call__(self, row: pd.Series) -> list[int]:
        found = self.by_equal.get(tuple(_text(row[src]) for _, src in self.equal), [])
        for col, src in self.lists:
            inside = self.by_part[col].get(_text(row[src]) or "", set())
            found = [p for p in found if p in inside]
        for col, src in self.dates:
            when = _when(row[src])
            found = [p for p in found if when is not None and _close(self.created[col][p], when, self.window)]
        return found


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")


def _when(raw: Any) -> pd.Timestamp | None:
    """A source date: a real date/datetime cell, or ISO-8601 text; anything else is not guessed."""
    if isinstance(raw, datetime | date):
        stamp = pd.Timestamp(raw)
        return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    text = _text(raw)
    if text is None or not _ISO_DATE.match(text):
        return None
    when = pd.to_datetime(text, utc=True, errors="coerce")
    return when if isinstance(when, pd.Timestamp) else None


def _close(created: Any, when: pd.Timestamp, window: timedelta | pd.Timedelta | None) -> bool:
    if not isinstance(created, pd.Timestamp):
        return False
    if window is None:  # the same UTC day
        return bool(created.normalize() == when.normalize())
    return abs(created - when) <= pd.Timedelta(window)


def _text(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def _describe(row: pd.Series, keys: list[tuple[str, str]]) -> str:
    return ", ".join(f"{src}={_text(row[src])!r}" for _, src in keys)


def _problem(kind: str, source_row: str, order: tuple[str, str] | None, value: str | None,
             reason: str) -> dict[str, Any]:
    cust, oid = order if order else (None, None)
    return {"problem": kind, "source_row": source_row, "customerId": cust, "orderId": oid, "value": value,
            "reason": reason}


__all__ = ["hidden_orders", "match_problems", "match_updates", "read_source"]
