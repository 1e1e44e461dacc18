"""The spreadsheet round trip survives Excel: export → an analyst fills *some* rows → apply → undo told honestly.

An analyst opens ``todo.xlsx``, types ``4500012345`` into a few blank cells and leaves the rest blank.
Formatted as General, Excel stores those digits as a number (and ``apply`` must refuse it); a blank row
is no mistake; and an order that had no reference before cannot be put back, because Adobe offers no
way to clear a reference.
"""

from __future__ import annotations

import json
import re

import openpyxl
import pandas as pd
import pytest

from adobe_orders.batch import apply_updates, validate_updates
from adobe_orders.cli import main
from adobe_orders.export import TEXT_FORMAT, write_table
from adobe_orders.sandbox.data import seed_orders
from tests.helpers import v3

BIG = "9876500262"
SEEDED = seed_orders()
BLANK = [o for o in SEEDED if not o["externalReferenceId"]]      # orders with no reference yet
HELD = [o for o in SEEDED if o["externalReferenceId"]]           # orders holding one
ID_COLUMNS = ["customerId", "orderId", "external_reference_id", "reference_order_id", "offer_ids",
              "subscription_ids"]


@pytest.fixture(autouse=True)
def cli_env(sandbox, monkeypatch):
    """The CLI talks to this test's own emulator (the process-wide demo one outlives a test)."""
    for line in sandbox.env_lines():
        name, value = line.split("=", 1)
        monkeypatch.setenv(name, value)
    return sandbox


def _export(tmp_path, monkeypatch) -> tuple[openpyxl.Workbook, list[str]]:
    monkeypatch.chdir(tmp_path)
    assert main(["orders", BIG, "--type", "RENEWAL", "--missing-reference", "--out", "todo.xlsx",
                 "--no-progress"]) == 0
    book = openpyxl.load_workbook("todo.xlsx")
    return book, [str(c.value) for c in book.active[1]]


def test_the_orders_export_writes_id_and_reference_columns_as_text(tmp_path, monkeypatch) -> None:
    book, header = _export(tmp_path, monkeypatch)
    sheet = book.active
    assert sheet.max_row > 3
    for name in ID_COLUMNS:
        column = header.index(name) + 1
        formats = {sheet.cell(row, column).number_format for row in range(2, sheet.max_row + 1)}
        assert formats == {TEXT_FORMAT}, (name, formats)  # blank cells too: that is where POs are typed
    # numbers stay numbers (a count is no ID)
    lines = header.index("line_count") + 1
    assert sheet.cell(2, lines).number_format != TEXT_FORMAT and isinstance(sheet.cell(2, lines).value, int)


def test_a_partly_filled_export_applies_with_exit_0(tmp_path, monkeypatch, capsys, cli_env) -> None:
    book, header = _export(tmp_path, monkeypatch)
    sheet = book.active
    value, order = header.index("external_reference_id") + 1, header.index("orderId") + 1
    # What Excel does when the analyst types digits into a Text cell: it stores the text "4500012345".
    for row, po in ((2, "4500012345"), (3, "0045000123")):
        assert sheet.cell(row, value).value is None and sheet.cell(row, value).number_format == TEXT_FORMAT
        sheet.cell(row, value).value = po
    book.save("todo.xlsx")
    filled = {str(sheet.cell(r, order).value): sheet.cell(r, value).value for r in (2, 3)}
    left = sheet.max_row - 3
    capsys.readouterr()
    assert main(["apply", "todo.xlsx", "--dry-run", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "would_update: 2" in out and f"skipped: {left}" in out
    assert main(["apply", "todo.xlsx", "--no-progress"]) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert "updated: 2" in out and f"skipped: {left}" in out
    # the blank rows are one line, not one per row, and no row is "invalid"
    assert out.count("[skipped]") == 1 and "no new value given" in out and "invalid" not in out
    for order_id, po in filled.items():
        assert cli_env.order(BIG, order_id)["externalReferenceId"] == po


def test_blank_new_values_are_skipped_by_validate_apply_and_the_cli(client, sandbox, tmp_path, capsys) -> None:
    rows = [(BLANK[0]["customerId"], BLANK[0]["orderId"], "PO-FILLED"),
            (BLANK[1]["customerId"], BLANK[1]["orderId"], ""),
            (BLANK[2]["customerId"], BLANK[2]["orderId"], "   "),
            (BLANK[3]["customerId"], BLANK[3]["orderId"], None)]
    frame = pd.DataFrame(rows, columns=["customerId", "orderId", "externalReferenceId"], dtype=object)
    checked = validate_updates(frame)
    assert list(checked["status"]) == ["ready", "skipped", "skipped", "skipped"]
    assert list(checked["reason"][1:]) == ["no new value given"] * 3
    results = apply_updates(frame, client, progress=False)
    assert list(results["status"]) == ["updated", "skipped", "skipped", "skipped"]
    assert set(results["reason"][1:]) == {"no new value given"}
    touched = {e["path"].rsplit("/", 1)[1] for e in v3(sandbox)}  # nothing sent (not even read) for blank rows
    assert touched == {BLANK[0]["orderId"]}
    # a blank value does not hide a damaged row: that one is still invalid
    damaged = pd.DataFrame([("1.23457E+09", BLANK[4]["orderId"], "")], columns=frame.columns, dtype=object)
    assert list(validate_updates(damaged)["status"]) == ["invalid"]


def test_cli_exit_codes_for_partly_filled_and_empty_files(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    partly = pd.DataFrame({"customerId": [o["customerId"] for o in BLANK[:3]],
                           "orderId": [o["orderId"] for o in BLANK[:3]],
                           "externalReferenceId": ["PO-1", "", ""]})
    partly.to_csv("partly.csv", index=False)
    assert main(["apply", "partly.csv", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "updated: 1" in out and "skipped: 2" in out and "(line 3 … line 4): no new value given" in out
    partly.assign(externalReferenceId="").to_csv("empty.csv", index=False)
    assert main(["apply", "empty.csv", "--no-progress"]) == 4  # nothing at all to send: not "done"
    err = capsys.readouterr().err
    # the rows are fine, only unfilled: "no row of the file is valid" sent the analyst looking for a mistake
    assert "Nothing was sent: no row has a new value (all 3 are blank)" in err and "valid" not in err


def test_undo_is_not_offered_when_no_changed_order_held_a_reference(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    pd.DataFrame({"customerId": [o["customerId"] for o in BLANK[:2]], "orderId": [o["orderId"] for o in BLANK[:2]],
                  "externalReferenceId": ["PO-NEW-1", "PO-NEW-2"]}).to_csv("new.csv", index=False)
    assert main(["apply", "new.csv", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "updated: 2" in out and "Undo with" not in out and "restore" not in out
    assert "Adobe offers no way to clear a reference" in out and "the 2 orders that had no reference before" in out


def test_undo_is_offered_for_what_it_can_restore_and_says_what_it_cannot(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    pd.DataFrame({"customerId": [BLANK[0]["customerId"], HELD[0]["customerId"]],
                  "orderId": [BLANK[0]["orderId"], HELD[0]["orderId"]],
                  "externalReferenceId": ["PO-NEW-1", "PO-NEW-2"]}).to_csv("mixed.csv", index=False)
    assert main(["apply", "mixed.csv", "--no-progress"]) == 0
    out = capsys.readouterr().out
    printed = re.search(r"^Undo with: .+ undo (\S+)$", out, re.M)
    assert printed is not None, out
    assert "the 1 order that had no reference before" in out and "no way to clear" in out
    assert main(["undo", printed.group(1), "--no-progress"]) == 3  # the order with no reference before: skipped
    assert "updated: 1" in capsys.readouterr().out


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_write_table_keeps_text_columns_text(tmp_path, suffix) -> None:
    frame = pd.DataFrame({"customerId": ["0001000000"], "note": [None], "count": [3]})
    written = write_table(frame, tmp_path / f"t{suffix}")
    if suffix == ".xlsx":
        sheet = openpyxl.load_workbook(written).active
        assert sheet["A2"].number_format == TEXT_FORMAT and sheet["B2"].number_format == TEXT_FORMAT
        assert sheet["C2"].number_format == "General" and sheet.column_dimensions["B"].number_format == TEXT_FORMAT
    else:
        assert written.read_text(encoding="utf-8").splitlines()[1] == "0001000000,,3"


def test_update_of_an_order_with_no_reference_offers_no_undo(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    first, second = BLANK[0], BLANK[1]
    assert main(["update", first["customerId"], first["orderId"], "PO-ONE"]) == 0
    out = capsys.readouterr().out
    assert "Undo with" not in out and "Adobe offers no way to clear a reference" in out
    assert main(["update", second["customerId"], second["orderId"], "PO-ONE", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["undo_command"] is None
    # once it holds a reference, a change can be undone: the command is printed again
    assert main(["update", first["customerId"], first["orderId"], "PO-TWO"]) == 0
    assert "Undo with: " in capsys.readouterr().out


def test_a_reference_of_spaces_counts_as_none_when_undo_is_offered_and_run(tmp_path, monkeypatch, capsys,
                                                                             cli_env) -> None:
    """Another tool left ``" "`` on an order: no reference anyone can restore (a new value of spaces is
    refused as empty). Undo is not offered for it, and an undo of the batch says why it is not
    restored: skipped, never a failure of the undo."""
    monkeypatch.chdir(tmp_path)
    spaced, other = BLANK[0], BLANK[1]
    for order in (spaced, other):
        cli_env.state.set_reference(order["customerId"], order["orderId"], "  ")
    pd.DataFrame({"customerId": [spaced["customerId"]], "orderId": [spaced["orderId"]],
                  "externalReferenceId": ["PO-NEW-1"]}).to_csv("spaced.csv", index=False)
    assert main(["apply", "spaced.csv", "--no-progress"]) == 0
    out = capsys.readouterr().out
    batch = re.search(r"^Batch (\S+)", out, re.M)
    assert batch and "Undo with" not in out and "the 1 order that had no reference before" in out
    assert main(["undo", batch.group(1), "--no-progress"]) == 3
    out = capsys.readouterr().out
    assert "skipped: 1" in out and "failed" not in out and "had no externalReferenceId before" in out
    assert main(["update", other["customerId"], other["orderId"], "PO-ONE"]) == 0
    out = capsys.readouterr().out
    assert "Undo with" not in out and "Adobe offers no way to clear a reference" in out


def test_cli_a_file_with_a_header_and_no_rows_says_so(tmp_path, monkeypatch, capsys) -> None:
    """It said 'no row has a new value (all 0 are blank)'."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "header.csv").write_text("customerId,orderId,externalReferenceId\n", encoding="utf-8")
    assert main(["apply", "header.csv", "--no-progress"]) == 4
    err = capsys.readouterr().err
    assert "Nothing was sent: header.csv has no rows under its header line" in err and "all 0" not in err
