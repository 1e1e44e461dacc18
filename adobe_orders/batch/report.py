"""A results frame, shown well: coloured statuses in Jupyter, a plain summary elsewhere.

Rows are named as everywhere else (``schema.row_name``): "line 22" for file input, "row 7" for a
frame's index label; the rows that need attention come first, with their reason.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..render import status_badge, status_table_html
from .schema import NEEDS_ATTENTION, NO_NEW_VALUE, RowStatus, row_name

SHOWN = ["row", "status", "previous_value", "target_value", "current_value", "error_code", "reason"]
ORDER_OF_STATUS = [RowStatus.FAILED, RowStatus.NOT_RUN, RowStatus.INVALID, RowStatus.SKIPPED, RowStatus.DUPLICATE]


def attention_rows(results: pd.DataFrame) -> pd.DataFrame:
    """The rows an analyst should look at (failed, not_run, invalid, skipped), worst first."""
    rank = {s.value: i for i, s in enumerate(ORDER_OF_STATUS)}
    wanted = results["status"].astype(str).isin({s.value for s in NEEDS_ATTENTION}).to_numpy()
    keys = results["status"].astype(str).map(lambda s: rank.get(s, len(rank)))
    return results[wanted].assign(_rank=keys[wanted]).sort_values("_rank", kind="stable").drop(columns="_rank")


def unfilled_rows(results: pd.DataFrame) -> pd.Series:
    """True for each row skipped only because no new value was typed into it: a partly filled file is
    normal, so these rows are no problem (they make no exit code non-zero and are listed as one line)."""
    skipped = results["status"].astype(str) == RowStatus.SKIPPED.value
    return skipped & (results["reason"].astype(object) == NO_NEW_VALUE)


def undo_outlook(results: pd.DataFrame) -> tuple[int, int]:
    """(orders undo can restore, orders it cannot) among the rows a batch changed or may have changed.

    Undo puts back the reference an order held before; an order that held none keeps the new one,
    because Adobe offers no way to clear a reference. So an undo is offered only for the first kind."""
    status = results["status"].astype(str)
    touched = status.isin([RowStatus.UPDATED.value, RowStatus.FAILED.value])
    had = results["previous_value"].map(lambda v: isinstance(v, str) and bool(v.strip())) if (
        "previous_value" in results.columns) else pd.Series(False, index=results.index)
    restorable = int((touched & had.astype(bool)).sum())
    return restorable, int(((status == RowStatus.UPDATED.value) & ~had.astype(bool)).sum())


def no_undo_text(count: int) -> str:
    """Why ``count`` changed orders cannot be undone, said plainly."""
    orders = "order" if count == 1 else "orders"
    return (f"Undo cannot take back the {count} {orders} that had no reference before: Adobe offers no way to clear "
            "a reference. To correct one, set the right value.")


def counts_text(results: pd.DataFrame) -> str:
    return "  ".join(f"{k}: {v}" for k, v in results["status"].value_counts().items())


#: More not_run rows with one reason than this are said in one line: a batch stopped after 28 of 200 rows
#: is one fact ("172 rows not run: …"), not 172 lines that bury the failures above them.
NOT_RUN_LISTED = 5


def attention_lines(results: pd.DataFrame, *, ids: bool = True) -> list[str]:
    """``  line 22 [failed] 0001000000 0999999999: <reason>`` for each row that needs attention; many
    rows not run for one reason are one line naming the first and last of them."""
    lines: list[str] = []
    collapsed: list[str] = []
    rows = attention_rows(results)
    blank = unfilled_rows(rows)
    if blank.any():  # rows the analyst left blank: one line, not one per row of a partly filled file
        first, last = row_name(results.index, rows.index[blank][0]), row_name(results.index, rows.index[blank][-1])
        span = f" ({first} … {last})" if int(blank.sum()) > 1 else f" ({first})"
        collapsed.append(f"  {int(blank.sum())} row{'s' if int(blank.sum()) > 1 else ''} [skipped]{span}: "
                         f"{NO_NEW_VALUE} (nothing sent)")
        rows = rows[~blank.to_numpy()]
    not_run = rows[rows["status"].astype(str) == RowStatus.NOT_RUN.value]
    for reason, group in not_run.groupby(not_run["reason"].astype(str), sort=False):
        if len(group) > NOT_RUN_LISTED and rows.index.is_unique:
            first, last = row_name(results.index, group.index[0]), row_name(results.index, group.index[-1])
            collapsed.append(f"  {len(group)} rows [not_run] ({first} … {last}): {reason}")
            rows = rows.drop(index=group.index)
    for label, row in rows.iterrows():
        what = ""
        if ids:
            values = [str(row[c]) for c in results.attrs.get("id_columns", []) if c in row.index]
            what = (" " + " ".join(values)) if values else ""
        lines.append(f"  {row_name(results.index, label)} [{row['status']}]{what}: {row['reason']}")
    return lines + collapsed


class ResultsReport:
    """``report(results)``: counts per status, then the rows (problems first)."""

    def __init__(self, results: pd.DataFrame, limit: int = 200) -> None:
        self.results = results
        self.limit = limit

    def _ordered(self) -> pd.DataFrame:
        problems = attention_rows(self.results)
        rest = self.results.drop(index=problems.index) if self.results.index.is_unique else self.results
        return pd.concat([problems, rest])

    def _repr_html_(self) -> str:
        counts = self.results["status"].value_counts()
        head = " ".join(f"{status_badge(str(k))} {v}" for k, v in counts.items())
        ordered = self._ordered().head(self.limit)
        rows: list[dict[str, Any]] = [{"row": row_name(self.results.index, label), **dict(r)}
                                      for label, r in ordered.iterrows()]
        columns = [c for c in SHOWN if c == "row" or c in self.results.columns]
        html = status_table_html(rows, columns, css_class="results")
        batch = self.results.attrs.get("batch_id", "")
        env = self.results.attrs.get("environment", "")
        more = len(self.results) - self.limit
        tail = f"<div><small>… {more} more rows</small></div>" if more > 0 else ""
        return f"<div><b>Batch {batch}</b> · {env}<div>{head}</div>{html}{tail}</div>"

    def __repr__(self) -> str:
        lines = [f"Batch {self.results.attrs.get('batch_id', '')} — {counts_text(self.results)}"]
        lines += attention_lines(self.results, ids=False)
        return "\n".join(lines)


def report(results: pd.DataFrame, limit: int = 200) -> ResultsReport:
    return ResultsReport(results, limit)
