"""One row's outcome, and the results frame built from them: the input columns unchanged and in
order, then the fixed result columns of ``schema.RESULT_COLUMNS``. Every surface builds its frame
here, so the schema cannot drift between ``validate_updates``, ``apply_updates``, retry and undo."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from .schema import INTEGER_COLUMNS, RESULT_COLUMNS, RowStatus

if TYPE_CHECKING:
    from ..models import Order


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
    out = inputs.copy()
    data: dict[str, list[Any]] = {name: [] for name in RESULT_COLUMNS}
    for r in results:
        for name in RESULT_COLUMNS:
            if name == "status":
                value: Any = r.status.value
            elif name == "order_json":
                value = order_json(r.order)
            elif name == "batch_id":
                value = batch_id
            elif name == "batch_row":
                continue
            else:
                value = getattr(r, name)
            data[name].append(value)
    data["batch_row"] = list(batch_rows) if batch_rows is not None else [None] * len(results)
    for name in RESULT_COLUMNS:
        if name in INTEGER_COLUMNS:
            out[name] = pd.Series(pd.array(data[name], dtype="Int64"), index=inputs.index)
        else:
            out[name] = pd.Series(data[name], index=inputs.index, dtype=object)
    if recon_cutoff_day:
        out["after_recon_cutoff"] = [
            r.status == RowStatus.UPDATED and bool(r.updated_at) and int(str(r.updated_at)[8:10]) > recon_cutoff_day
            for r in results]
    return out


__all__ = ["RowResult", "order_json", "results_frame"]
