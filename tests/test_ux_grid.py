"""The data grid and the batch views, driven without a browser: what they hold is what the page shows."""

from __future__ import annotations

import base64
import json

import ipywidgets
import numpy as np
import pandas as pd
import pytest

import adobe_orders as ao
from adobe_orders.widgets.batch_view import ProgressView, ResultsView, counts_html, download_html
from adobe_orders.widgets.grid import data_grid, display_frame


@pytest.fixture(autouse=True)
def close_widgets():
    yield
    ipywidgets.Widget.close_all()


def results_like() -> pd.DataFrame:
    reason = "Adobe does not know this order: HTTP 404 (code 2115). Check the customer ID and order ID."
    frame = pd.DataFrame({
        "customerId": ["0001000000", "0001000001", None],
        "orderId": ["0123456000", "0999999999", "0123456002"],
        "status": ["updated", "failed", "invalid"],
        "reason": [None, reason, np.nan],
        "previous_value": [pd.NA, "PO-1", None],
        "http_status": [200.0, 404.0, np.nan],
        "order_json": ['{"orderId": "0123456000"}', None, None],
    })
    frame.index = pd.Index([2, 3, 4], name="line")
    return frame


def test_display_frame_shows_blanks_whole_reasons_and_keeps_zeros() -> None:
    shown = display_frame(results_like())
    cells = shown.to_numpy().ravel().tolist()
    assert not {"None", "nan", "NaN", "<NA>", "NaT", "200.0"} & set(cells)
    assert shown.loc[1, "reason"].endswith("order ID.")  # whole, not cut at 50 characters
    assert shown.loc[0, "customerId"] == "0001000000" and shown.loc[0, "http_status"] == "200"
    assert list(shown["line"]) == ["2", "3", "4"]  # the spreadsheet line is a column of its own
    assert "order_json" not in shown.columns  # the JSON belongs in line_items()/orders()


def test_the_grid_holds_text_cells_and_scrolls_in_its_own_box() -> None:
    grid = data_grid(results_like())
    args = grid._dt_args
    data = json.loads(args["data_json"])
    assert ["2", "0001000000", "0123456000", "updated", "", "", "200"] in data  # the line number, then blanks
    assert args["scrollX"] is True and args["scrollY"] and args["scrollCollapse"] is True
    wrap = args["columnDefs"][0]
    assert "ao-wrap" in wrap["className"] and wrap["targets"] == [4]  # reason wraps whole; IDs never do
    assert args["columnDefs"][-1] == {"targets": "_all", "type": "string", "className": "dt-left"}
    assert "nowrap" in grid.classes


def test_grids_share_one_copy_of_their_javascript() -> None:
    """Each itables grid kept its 600 KB module and 100 KB of CSS in its own state, so every grid added about
    750 KB to a saved notebook. Grids carry a small loader and point at one shared GridCode."""
    from adobe_orders.widgets.grid_widget import GridCode

    first, second = data_grid(results_like()), data_grid(results_like().head(1))
    assert first._code is second._code and isinstance(first._code, GridCode)
    assert len(first._code.esm) > 100_000 and "DataTable" in first._code.esm and first._code.css
    for grid in (first, second):
        state = grid.get_state()
        assert len(json.dumps(state, default=str)) < 20_000
        assert state["_code"] == f"IPY_MODEL_{first._code.model_id}"
    ipywidgets.Widget.close_all()  # a closed GridCode is made again for the next grid
    third = data_grid(results_like())
    assert third._code.comm is not None and third._code is not first._code


def test_show_is_exported_and_is_a_widget() -> None:
    box = ao.show(results_like())
    assert isinstance(box, ipywidgets.VBox) and "adobe-orders" in box._dom_classes


def test_counts_are_badges_in_the_vocabulary_order() -> None:
    html = counts_html(pd.DataFrame({"status": ["failed", "updated", "updated", "not_run"]}))
    assert html.index("updated 2") < html.index("failed 1") < html.index("not_run 1")
    assert html.count("ao-badge") == 3


def test_results_view_is_one_table_with_a_status_filter() -> None:
    view = ResultsView()
    view.show(results_like(), title="Batch b-1", download="results-b-1.csv")
    grid = view.grid
    assert len(view.box.children) == 1
    assert [v for _, v in view.filter.options] == ["all", "problems", "updated", "failed", "invalid"]
    view.filter.value = "failed"
    assert json.loads(grid._dt_args["data_json"]) and len(json.loads(grid._dt_args["data_json"])) == 1
    view.show(results_like().head(1), title="again")
    assert view.grid is grid and len(view.box.children) == 1 and view.filter.value == "all"  # replaced, not added
    assert "Download results-b-1.csv" not in view.download.value


def test_download_link_is_a_real_link_with_the_csv() -> None:
    html = download_html(results_like(), "results-b-1.csv")
    assert 'download="results-b-1.csv"' in html and "text-decoration:underline" in html
    payload = html.split("base64,")[1].split('"')[0]
    text = base64.b64decode(payload).decode("utf-8")
    assert text.splitlines()[0].startswith("customerId,orderId,status,reason") and "0001000000" in text


def test_progress_stops_where_it_stopped_and_says_n_of_n() -> None:
    progress = ProgressView()
    progress.start(360, "Applying")
    for _ in range(64):
        progress.step()
    progress.finish(stopped=True)
    assert progress.bar.value == 64 and progress.bar.max == 360 and progress.bar.bar_style == "warning"
    assert "64 / 360" in progress.text.value and "stopped" in progress.text.value
    progress.start(3, "Applying")
    for _ in range(3):
        progress.step()
    progress.finish(stopped=False)
    assert progress.bar.value == 3 and "3 / 3" in progress.text.value and progress.bar.bar_style == "success"


def test_match_problems_grid_wraps_the_reason_not_the_problem_code() -> None:
    """'problem' is a short code (no_match): as a 36-em wrapped column it pushed value and reason off screen."""
    problems = pd.DataFrame([{"problem": "no_match", "source_row": "line 8", "customerId": "", "orderId": "",
                              "value": "4500012351", "reason": "no order matches Customer='9876500524' " * 3}],
                            dtype="string")
    args = data_grid(problems)._dt_args
    (wrap,) = [d for d in args["columnDefs"] if "ao-wrap" in d["className"]]
    assert wrap["targets"] == [5]  # the reason only
