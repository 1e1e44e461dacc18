"""The batch panel's views: progress as "n / N", counts as badges, one results grid with a status
filter, and a download link. Kept apart from the panel's run logic so each reads on its own.
"""

from __future__ import annotations

import base64
import tempfile
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..batch.schema import NEEDS_ATTENTION, RowStatus
from ..export import write_table
from ..render import MUTED_TEXT, is_blank, status_badge
from .common import id_html
from .grid import data_grid, display_frame, update_grid

if TYPE_CHECKING:
    import pandas as pd

ALL = "all"
#: The filter's choice for the rows that need a look (schema.NEEDS_ATTENTION).
PROBLEMS = "problems"
#: Columns left out of the grid when every row is blank in them.
BLANK_HIDDEN = ("reason",)


def counts_html(frame: pd.DataFrame) -> str:
    """Each status once, as a badge with its count, in the vocabulary's order."""
    counts = frame["status"].astype(str).value_counts()
    order = [s.value for s in RowStatus if s.value in counts] + [s for s in counts.index if s not in set(RowStatus)]
    badges = "".join(status_badge(s, int(counts[s])) for s in order)
    return f'<div class="ao-counts">{badges}</div>'


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The results as the CLI writes them: one writer (``export.write_table``), formula-like cells neutralised."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "results.csv"
        write_table(frame, path)
        return path.read_bytes()


def download_html(frame: pd.DataFrame, name: str) -> str:
    data = base64.b64encode(csv_bytes(frame)).decode("ascii")
    return (f'<a class="ao-link" download="{escape(name)}" href="data:text/csv;base64,{data}" '
            f'style="color:var(--jp-content-link-color, #0d47a1);text-decoration:underline">'
            f"⬇ Download {escape(name)}</a> <small style=\"color:{MUTED_TEXT}\">({len(frame)} rows, CSV)</small>")


class ProgressView(w.HBox):
    """A bar and "n / N" that stop where the run stopped: a cancelled run never looks finished."""

    def __init__(self) -> None:
        self.bar = w.IntProgress(value=0, min=0, max=1, bar_style="info", layout=w.Layout(width="320px"))
        self.text = w.HTML()
        self.text.add_class("ao-progress-text")
        super().__init__([self.bar, self.text], layout=w.Layout(align_items="center", display="none"))
        self.total = 0
        self.done = 0
        self.verb = ""

    def start(self, total: int, verb: str) -> None:
        self.total, self.done, self.verb = total, 0, verb
        self.bar.max, self.bar.value, self.bar.bar_style = max(total, 1), 0, "info"
        self.layout.display = ""
        self._text()

    def step(self) -> None:
        self.done += 1
        self.bar.value = min(self.done, self.bar.max)
        self._text()

    def finish(self, *, stopped: bool, failed: bool = False) -> None:
        """Leave the bar where it is if the run stopped; fill it only when every row ran."""
        if not stopped:
            self.done = self.total
            self.bar.value = self.bar.max
        self.bar.bar_style = "danger" if failed else "warning" if stopped else "success"
        self._text(" — stopped" if stopped else " — done")

    def _text(self, suffix: str = "") -> None:
        self.text.value = f"{escape(self.verb)}: <b>{self.done} / {self.total}</b> rows{suffix}"


class ResultsView(w.VBox):
    """One table for a preview or a results frame: badges, a status filter, the grid, a download link.

    Problems are one click away ("Show the N problems"), and the filter offers them as one choice too.
    """

    def __init__(self) -> None:
        self.title = w.HTML()
        self.counts = w.HTML()
        self.filter = w.Dropdown(options=[("All statuses", ALL)], value=ALL, description="Show",
                                 style={"description_width": "initial"}, layout=w.Layout(width="auto"))
        self.problems_button = w.Button(description="Show problems", icon="filter", layout=w.Layout(width="auto"),
                                        tooltip="Show only the rows that need a look (failed, invalid, not run, "
                                                "skipped); click again for all rows")
        self.download = w.HTML()
        self.grid: Any = None
        self.box = w.VBox()
        self.frame: pd.DataFrame | None = None
        self.columns: list[str] | None = None
        self.headers: dict[str, str] | None = None
        self.filter.observe(self._on_filter, names="value")
        self.problems_button.on_click(lambda _: self.toggle_problems())
        self.bar = w.HBox([self.counts, self.problems_button, self.filter],
                          layout=w.Layout(align_items="center", flex_flow="row wrap"))
        super().__init__([self.title, self.bar, self.box, self.download], layout=w.Layout(display="none"))

    def show(self, frame: pd.DataFrame, *, title: str, columns: list[str] | None = None,
             download: str | None = None, headers: dict[str, str] | None = None) -> None:
        """Replace what is shown (never append: one table, whatever ran before)."""
        # a reason column with no reason in it only pushes the values off screen
        self.frame, self.columns = frame, [c for c in columns if c in frame and not (
            c in BLANK_HIDDEN and frame[c].map(is_blank).all())] if columns else None
        self.headers = headers
        self.title.value = f"<b>{title}</b>"
        self.counts.value = counts_html(frame)
        statuses = list(dict.fromkeys(frame["status"].astype(str)))
        problems = self._problem_count(frame)
        options = [("All statuses", ALL)]
        if problems and len(statuses) > 1:
            options.append((f"Problems ({problems})", PROBLEMS))
        options += [(f"{s} ({int((frame['status'] == s).sum())})", s) for s in statuses]
        self.filter.unobserve(self._on_filter, names="value")
        self.filter.options, self.filter.value = options, ALL
        self.filter.observe(self._on_filter, names="value")
        self._draw(frame)
        self._problems_label()
        self.download.value = download_html(frame, download) if download else ""
        self.bar.layout.display = ""
        self.layout.display = ""

    def running(self, title: str) -> None:
        """While a run goes on: say what the table is, without the preview's words and counts."""
        if self.frame is None:
            return
        self.title.value = f"<b>{escape(title)}</b>"
        self.bar.layout.display = "none"
        self.download.value = ""

    def clear(self) -> None:
        self.frame = None
        self.title.value = self.counts.value = self.download.value = ""
        self.layout.display = "none"

    @staticmethod
    def _problem_count(frame: pd.DataFrame) -> int:
        return int(frame["status"].astype(str).isin({str(s) for s in NEEDS_ATTENTION}).sum())

    def toggle_problems(self) -> None:
        """One click: only the rows that need a look; again: every row."""
        if self.frame is None:
            return
        self.filter.value = ALL if self.filter.value == PROBLEMS else PROBLEMS

    def _problems_label(self) -> None:
        count = 0 if self.frame is None else self._problem_count(self.frame)
        showing = self.filter.value == PROBLEMS
        total = 0 if self.frame is None else len(self.frame)
        self.problems_button.layout.display = "" if 0 < count < total else "none"
        self.problems_button.description = (f"Show all {total} rows" if showing
                                            else f"Show the {count} problem{'s' * (count != 1)}")

    def shown(self) -> pd.DataFrame | None:
        """The rows the filter shows (what an analyst sees)."""
        if self.frame is None:
            return None
        if self.filter.value == ALL:
            return self.frame
        if self.filter.value == PROBLEMS:
            return self.frame[self.frame["status"].astype(str).isin({str(s) for s in NEEDS_ATTENTION})]
        return self.frame[self.frame["status"].astype(str) == self.filter.value]

    def text(self) -> str:
        """The rows on view as the grid shows them (CSV text): for scripts and tests."""
        shown = self.shown()
        return "" if shown is None else display_frame(shown, columns=self.columns, headers=self.headers).to_csv()

    def _on_filter(self, change: dict[str, Any]) -> None:
        shown = self.shown()
        if shown is not None:
            self._draw(shown)
        self._problems_label()

    def _draw(self, frame: pd.DataFrame) -> None:
        if self.grid is None:
            self.grid = data_grid(frame, columns=self.columns, headers=self.headers)
            self.box.children = (self.grid,)
        else:
            update_grid(self.grid, frame, columns=self.columns, headers=self.headers)


def batch_html(text: str, batch_id: str) -> str:
    return f"{escape(text)} {id_html(batch_id)}"
