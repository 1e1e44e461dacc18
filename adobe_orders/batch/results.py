"""One row's outcome, and the results frame built from them: the input columns unchanged and in
order, then the fixed result columns of ``schema.RESULT_COLUMNS``. Every surface builds its frame
here, so the schema cannot drift between ``validate_updates``, ``apply_updates``, retry and undo."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..frame_display import mark_own
from ..models import Order
from .schema import INTEGER_COLUMNS, RESULT_COLUMNS, RowStatus


@dataclass
class RowResult:
    """What happened to one row; field names are the result columns without ``order_json``."""

    status: RowStatus
    reason: str | None = None
    previous_value: str | None = None
    target_value: str | None = None
    current_value: str | None = None
    http_status: int | None = None
    error_code: str | None = None
    attempts: int | None = None
    request_id: str | None = None
    correlation_id: str | None = None
    updated_at: str | None = None
    order: Order | None = None


def order_json(order: Order | None) -> str | None:
    return None if order is None else json.dumps(order.to_api(), ensure_ascii=False, separators=(",", ":"))


def results_frame(inputs: pd.DataFrame, results: list[RowResult], *, batch_id: str | None,
                  batch_rows: list[int] | None, recon_cutoff_day: int | None = None) -> pd.DataFrame:
    """``inputs`` (the user's columns, untouched) followed by the result columns, one row per result."""
    if len(inputs) != len(results):
        raise ValueError(f"{len(results)} results for {len(inputs)} rows")  # a bug, never a user's mistake
    columns: dict[str, Any] = {
        "status": [r.status.value for r in results],
        "order_json": [order_json(r.order) for r in results],
        "batch_id": [batch_id] * len(results),
        "batch_row": list(batch_rows) if batch_rows is not None else None,
    }
    for name in RESULT_COLUMNS:
        if name not in columns:
            columns[name] = [getattr(r, name) for r in results]
    out = frame_with_results(inputs, columns)
    if recon_cutoff_day:
        out["after_recon_cutoff"] = [
            r.status == RowStatus.UPDATED and bool(r.updated_at) and int(str(r.updated_at)[8:10]) > recon_cutoff_day
            for r in results]
    return out


def frame_with_results(inputs: pd.DataFrame, columns: Mapping[str, Any]) -> pd.DataFrame:
    """``inputs`` followed by every result column, from whole columns (a result column not given is
    blank). Column by column, never cell by cell: ``validate_updates`` builds a million-row frame
    here without a million ``RowResult`` objects (the benchmark: read and validate in < 3 s)."""
    n = len(inputs)
    out = inputs.copy()
    for name in RESULT_COLUMNS:
        values = columns.get(name)
        if name in INTEGER_COLUMNS:
            array = (pd.arrays.IntegerArray(np.zeros(n, dtype="int64"), np.ones(n, dtype=bool)) if values is None
                     else pd.array(values, dtype="Int64"))
            out[name] = pd.Series(array, index=inputs.index)
        else:
            out[name] = pd.Series(np.full(n, None, dtype=object) if values is None else values, index=inputs.index,
                                  dtype=object)
    return mark_own(out)


__all__ = ["RowResult", "frame_with_results", "order_json", "results_frame"]
