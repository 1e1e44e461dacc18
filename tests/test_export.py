"""Exports never hand a spreadsheet a live formula, and read back exactly through read_updates."""

from __future__ import annotations

import base64
import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adobe_orders import read_updates
from adobe_orders.export import ExportError, neutralise_cell, restore_cell, write_table
from adobe_orders.sandbox import Sandbox
from tests.helpers import v3

DANGEROUS = ['=HYPERLINK("http://evil.example","Hi")', "=1+1", "+A1", "-x", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)",
             "\tTAB", "\rCR", "'=quoted", "''=twice", "'plain apostrophe", "-5", "+49 30 1234"]
FORMULA_START = tuple("=+-@\t\r")


@given(st.text())
def test_neutralising_is_reversible_and_leaves_no_formula_start(text: str) -> None:
    cell = neutralise_cell(text)
    assert restore_cell(cell) == text
    assert not cell.startswith(FORMULA_START)
    if not text.startswith(("'", *FORMULA_START)):
        assert cell == text  # every other value is written as it is


def frame_with(values: list[str]) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame({"customerId": ["0001000000"] * n, "orderId": [f"0{i:09d}" for i in range(n)],
                         "externalReferenceId": values, "note": list(reversed(values))}, dtype=object)


def csv_cells(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def test_csv_export_neutralises_and_reads_back_exactly(tmp_path: Path) -> None:
    frame = frame_with(DANGEROUS)
    path = write_table(frame, tmp_path / "out.csv")
    assert not [c for c in csv_cells(path) if c.startswith(FORMULA_START)]
    back = read_updates(path)
    assert list(back.columns) == list(frame.columns)
    assert back.to_numpy().tolist() == frame.to_numpy().tolist()


def test_xlsx_export_has_text_cells_only_and_reads_back_exactly(tmp_path: Path) -> None:
    frame = frame_with([v for v in DANGEROUS if "\r" not in v])  # XML turns a carriage return into \n
    path = write_table(frame, tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(path).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type == "s" for c in cells)  # no formula cell ("f") at all
    assert all(c.quotePrefix for c in cells if str(c.value).startswith((*FORMULA_START, "'")))
    back = read_updates(path)
    assert list(back.columns) == list(frame.columns)
    assert back.to_numpy().tolist() == frame.to_numpy().tolist()


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)
                       .filter(lambda v: v.strip() == v and v and "\r" not in v), min_size=1, max_size=5))
def test_generated_values_round_trip_through_csv(tmp_path_factory, values: list[str]) -> None:
    path = write_table(frame_with(values), tmp_path_factory.mktemp("rt") / "out.csv")
    back = read_updates(path)
    assert list(back["externalReferenceId"]) == values and list(back["note"]) == list(reversed(values))


@pytest.mark.parametrize("name", ["r.xls", "r.txt", "r", "r.json"])
def test_names_that_promise_another_format_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ExportError, match=r"\.csv or \.xlsx|use \.xlsx"):
        write_table(frame_with(["A"]), tmp_path / name)
    assert not (tmp_path / name).exists()


def run_cli(sb: Sandbox, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_VIPM_")}
    env.update(dict(line.split("=", 1) for line in sb.env_lines()))
    return subprocess.run([sys.executable, "-m", "adobe_orders.cli", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)


@pytest.mark.parametrize("out", ["r.xls", "results.txt"])
def test_cli_refuses_an_out_name_before_sending_anything(tmp_path: Path, sandbox, out: str) -> None:
    (tmp_path / "u.csv").write_text("customerId,orderId,externalReferenceId\n0001000000,0123456000,PO-1\n")
    proc = run_cli(sandbox, tmp_path, "apply", "u.csv", "--out", out, "--no-progress")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert out in proc.stderr and ".xlsx" in proc.stderr
    assert v3(sandbox) == [] and not (tmp_path / out).exists()
    proc = run_cli(sandbox, tmp_path, "history", "--out", out)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and not (tmp_path / out).exists()


@pytest.mark.slow
def test_formula_injection_end_to_end_through_the_cli(tmp_path: Path, sandbox) -> None:
    customer, order = "0001000000", "0123456000"
    evil = '=HYPERLINK("http://ev.il","Hi")'
    # another tool left a formula in Adobe: it shows up as the previous value in results and history
    other = next(o for o in sandbox.orders if o["customerId"] == customer and o["orderId"] != order)
    sandbox.state.set_reference(customer, other["orderId"], evil)
    (tmp_path / "u.csv").write_text(
        "customerId,orderId,externalReferenceId,note\n"
        f'{customer},{order},"{evil.replace(chr(34), chr(34) * 2)}",=1+1\n'
        f"{customer},{other['orderId']},+49 30 1234,@SUM(A1)\n")
    for out in ("results.csv", "results.xlsx"):
        sandbox.clear_log()
        proc = run_cli(sandbox, tmp_path, "apply", "u.csv", "--out", out, "--no-progress")
        assert "Traceback" not in proc.stderr, proc.stderr
        back = read_updates(tmp_path / out)
        assert list(back["externalReferenceId"]) == [evil, "+49 30 1234"]
        assert list(back["note"]) == ["=1+1", "@SUM(A1)"]
        assert back.iloc[0]["status"] == "invalid" and "formula" in back.iloc[0].get("reason", back.iloc[0].get(
            "error", ""))
        assert not any(e["path"].endswith(f"/orders/{order}") and e["method"] == "PATCH" for e in v3(sandbox))
    assert not [c for c in csv_cells(tmp_path / "results.csv") if c.startswith(FORMULA_START)]
    book = openpyxl.load_workbook(tmp_path / "results.xlsx")
    assert all(c.data_type != "f" for row in book.active.iter_rows() for c in row)
    for out in ("history.csv", "history.xlsx"):
        proc = run_cli(sandbox, tmp_path, "history", "--out", out)
        assert proc.returncode == 0, proc.stderr
    assert not [c for c in csv_cells(tmp_path / "history.csv") if c.startswith(FORMULA_START)]
    assert evil in read_updates(tmp_path / "history.csv").to_numpy().tolist().__str__()
    assert "'" + evil in (tmp_path / "history.csv").read_text().replace('""', '"')
    book = openpyxl.load_workbook(tmp_path / "history.xlsx")
    assert all(c.data_type != "f" for row in book.active.iter_rows() for c in row)


def test_panel_download_is_neutralised(client, sandbox) -> None:
    import ipywidgets

    from adobe_orders.widgets import BatchUpdatePanel

    frame = frame_with(["PO-1"])
    frame["orderId"] = ["0123456000"]
    frame["note"] = ["=1+1"]
    panel = BatchUpdatePanel(client, frame)
    panel.start(dry_run=True)
    panel.wait(30)
    download = panel.view.download.value if hasattr(panel, "view") else panel.download.value
    links = re.findall(r'href="data:text/csv;base64,([^"]+)"', download)
    assert links, download
    text = base64.b64decode(links[0]).decode("utf-8")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert "'=1+1" in cells and not [c for c in cells if c.startswith(FORMULA_START)]
    ipywidgets.Widget.close_all()


def test_undo_may_restore_a_formula_like_value_adobe_held_but_a_new_value_never(client, sandbox) -> None:
    from adobe_orders.errors import ValidationError

    with pytest.raises(ValidationError, match="formula"):
        client.update("0001000000", "0123456000", "=1+1")
    assert v3(sandbox) == []
    reply = client.update("0001000000", "0123456000", "=1+1", restoring=True)
    assert reply.order.external_reference_id == "=1+1"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_formula_in_a_header_or_a_category_cell_is_neutralised_too(tmp_path: Path, suffix: str) -> None:
    """Hostile tester: a column *named* ``=1+1`` (from a file someone sent) was written as a live
    formula header cell in XLSX and raw in CSV; category-typed cells skipped the CSV escaping."""
    frame = frame_with(["PO-1", "PO-2"]).rename(columns={"note": "=1+1"})
    frame["@SUM(A1)"] = pd.Categorical(["=2+2", "-x"])
    path = write_table(frame, tmp_path / f"out{suffix}")
    if suffix == ".csv":
        assert not [c for c in csv_cells(path) if c.startswith(FORMULA_START)]
    else:
        cells = [c for row in openpyxl.load_workbook(path).active.iter_rows() for c in row if c.value is not None]
        assert all(c.data_type == "s" for c in cells)
        assert all(c.quotePrefix for c in cells if str(c.value).startswith(FORMULA_START))
    back = read_updates(path)
    assert list(back.columns) == list(frame.columns)
    assert back.to_numpy().tolist() == frame.astype(object).to_numpy().tolist()


@pytest.mark.slow
def test_out_naming_the_input_file_is_refused_before_sending(tmp_path: Path, sandbox) -> None:
    """Hostile tester: ``apply book.xlsx --out book.xlsx`` replaced the analyst's workbook (its other
    sheets lost) with the results."""
    order = sandbox.orders[7]
    book = openpyxl.Workbook()
    book.active.append(["customerId", "orderId", "externalReferenceId"])
    book.active.append([order["customerId"], order["orderId"], "PO-SAME"])
    book.create_sheet("Notes").append(["notes the analyst keeps here"])
    book.save(tmp_path / "book.xlsx")
    for out in ("book.xlsx", str(tmp_path / "." / "book.xlsx")):
        proc = run_cli(sandbox, tmp_path, "apply", "book.xlsx", "--out", out, "--no-progress")
        assert proc.returncode == 1 and "input file" in proc.stderr and "Traceback" not in proc.stderr
    assert openpyxl.load_workbook(tmp_path / "book.xlsx").sheetnames == ["Sheet", "Notes"]
    assert v3(sandbox) == []
