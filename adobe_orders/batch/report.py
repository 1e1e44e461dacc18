"""A results frame, shown well: coloured statuses in Jupyter, a plain summary elsewhere."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..render import status_badge, status_table_html

SHOWN = ["customerId", "orderId", "status", "previous_external_reference_id", "external_reference_id",
         "error_code", "error"]


class ResultsReport:
    """``report(results)``: counts per status, then the rows (problems first)."""

    def __init__(self, results: pd.DataFrame, limit: int = 200) -> None:
        self.results = results
        self.limit = limit

    def _ordered(self) -> pd.DataFrame:
        rank = {"failed": 0, "invalid": 1, "skipped": 2}
        keys = self.results["status"].map(lambda s: rank.get(s, 3))
        return self.results.assign(_rank=keys).sort_values("_rank", kind="stable").drop(columns="_rank")

    def _repr_html_(self) -> str:
        counts = self.results["status"].value_counts()
        head = " ".join(f"{status_badge(str(k))} {v}" for k, v in counts.items())
        columns = [c for c in SHOWN if c in self.results.columns]
        rows: list[dict[str, Any]] = [dict(r) for _, r in self._ordered().head(self.limit).iterrows()]
        html = status_table_html(rows, columns, css_class="results")
        batch = self.results.attrs.get("batch_id", "")
        env = self.results.attrs.get("environment", "")
        more = len(self.results) - self.limit
        tail = f"<div><small>… {more} more rows</small></div>" if more > 0 else ""
        return f"<div><b>Batch {batch}</b> · {env}<div>{head}</div>{html}{tail}</div>"

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}: {v}" for k, v in self.results["status"].value_counts().items())
        lines = [f"Batch {self.results.attrs.get('batch_id', '')} — {counts}"]
        for index, row in self._ordered().iterrows():
            if row["status"] in ("failed", "invalid", "skipped"):
                lines.append(f"  row {index} [{row['status']}]: {row['error']}")
        return "\n".join(lines)


def report(results: pd.DataFrame, limit: int = 200) -> ResultsReport:
    return ResultsReport(results, limit)
