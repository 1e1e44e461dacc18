"""The plan: what a batch run is asked to do — its rows, each with identity, target, expected current
value and known previous value — and the options it runs with.

``apply_updates``, ``resume``, ``retry_failed`` and ``undo`` differ only in the plan they build; the
engine (``engine.execute``) runs every plan the same way. Options are checked here, when they are made,
so a run that cannot honour them refuses before anything is sent.
"""

from __future__ import annotations

import contextlib
import json
import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

import pandas as pd

from ..errors import UsageError
from ..journal import fingerprint
from ..retry import MIN_MAX_RATE
from .schema import RowStatus, row_name
from .validate import check_rows


@dataclass(frozen=True)
class PlanRow:
    """One row of a batch. ``batch_row`` is its identity in the journal; ``label`` its name."""

    batch_row: int
    label: str
    label_json: str
    customer_id: str | None
    order_id: str | None
    target: str | None
    status: RowStatus = RowStatus.READY  # READY, or a final status decided before sending
    reason: str | None = None
    expected: tuple[str | None, ...] | None = None  # undo: send only while the order holds one of these
    previous: str | None = None
    previous_known: bool = False  # an earlier run may have changed it: ``previous`` is what it held before
    source: tuple[str, int] | None = None  # retry / undo: the row of the batch it continues


@dataclass(frozen=True)
class Plan:
    batch_id: str
    kind: str  # apply, retry, undo, form, cli
    parent: str | None
    rows: tuple[PlanRow, ...]
    columns: dict[str, str]  # canonical name -> the user's header
    index_name: str | None

    def fingerprint(self) -> str:
        return fingerprint((r.customer_id, r.order_id, r.target) for r in self.rows)


class RunSettings(TypedDict, total=False):
    """How a run goes, as ``apply_updates``, ``resume``, ``retry_failed`` and ``undo`` take it by keyword
    (``workers=8, progress=False``); each becomes the ``RunOptions`` field of its name, defaults there.

    ``workers`` orders in flight at once; ``bulk_reads`` reads current values from order-history
    pages where a customer has several rows; ``stop_on_error`` stops at the first failure;
    ``max_rate`` caps requests per second for this run only; ``retry_budget`` caps the run's
    retries; ``progress``/``tqdm_class`` the progress bar; ``cancel`` an event that stops the run
    as Ctrl-C does; ``on_row(position, status)`` is called as each row finishes."""

    workers: int
    bulk_reads: bool
    stop_on_error: bool
    max_rate: float | None
    retry_budget: int | None
    progress: bool
    tqdm_class: Any
    cancel: threading.Event | None
    on_row: Callable[[int, str], None] | None


@dataclass(frozen=True)
class RunOptions:
    """A run's settings (``RunSettings``), checked when made, plus whether it is a dry run."""

    dry_run: bool = False
    workers: int = 4
    bulk_reads: bool = True  # current values from order-history pages where a customer has several rows
    stop_on_error: bool = False
    max_rate: float | None = None
    retry_budget: int | None = None
    progress: bool = True
    tqdm_class: Any = None
    cancel: threading.Event | None = None
    on_row: Callable[[int, str], None] | None = None

    def __post_init__(self) -> None:
        """Refuse options a run cannot honour before anything is sent (``nan`` or a negative rate
        would otherwise silently mean "no pacing", and ``workers=0`` would hang or raise mid-way)."""
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or not 1 <= self.workers <= 256:
            raise UsageError(f"workers={self.workers!r}: use a whole number from 1 to 256.")
        rate = self.max_rate
        if rate is not None and (isinstance(rate, bool) or not isinstance(rate, int | float)
                                 or not math.isfinite(rate) or rate < MIN_MAX_RATE):
            raise UsageError(f"max_rate={rate!r}: use a number of requests per second of at least {MIN_MAX_RATE:.6f} "
                             "(one an hour), or None for no limit.")
        budget = self.retry_budget
        if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int) or budget < 0):
            raise UsageError(f"retry_budget={budget!r}: use a whole number of retries, 0 or more, or None for "
                             "the default.")


def text(value: object) -> str | None:
    """A cell as the journal and the fingerprint see it: text, or None for an empty/NA cell."""
    if value is None:
        return None
    with contextlib.suppress(TypeError, ValueError):
        if pd.isna(value):  # type: ignore[call-overload]
            return None
    return str(value)


def label_of(index: pd.Index, label: object) -> tuple[str, str]:
    return row_name(index, label), json.dumps(label.item() if hasattr(label, "item") else label, default=str)


def plan_rows(inputs: pd.DataFrame, names: Mapping[str, str]) -> list[PlanRow]:
    """Plan rows from a frame: every row validated, identity = position in the frame."""
    checked = check_rows(inputs, dict(names))
    rows = []
    for i, label in enumerate(inputs.index):
        name, encoded = label_of(inputs.index, label)
        rows.append(PlanRow(i, name, encoded, text(checked.customer[i]), text(checked.order[i]),
                            text(checked.value[i]), RowStatus(checked.status[i]), checked.reason[i]))
    return rows
