"""`adobe-orders orders`: the order history of several customers in a terminal, filtered."""

from __future__ import annotations

import pandas as pd
import pytest

from adobe_orders.cli import main
from adobe_orders.sandbox.data import seed_orders

BIG, SMALL = "9876500262", "0001000000"
SEEDED = seed_orders()


def test_lists_every_order_newest_first(capsys) -> None:
    assert main(["orders", SMALL, "--no-progress"]) == 0
    out, err = capsys.readouterr()
    mine = sorted((o for o in SEEDED if o["customerId"] == SMALL), key=lambda o: o["creationDate"], reverse=True)
    assert f"{len(mine)} orders of 1 customer" in out and "API: local emulator" in err
    lines = [line for line in out.splitlines() if line.startswith(SMALL)]
    assert [line.split()[1] for line in lines] == [o["orderId"] for o in mine]
    assert max(len(line) for line in out.splitlines()) <= 120 and "None" not in out and "nan" not in out


def test_filters_missing_reference_and_a_failing_customer(capsys) -> None:
    code = main(["orders", BIG, "NOPE1", "--type", "renewal", "--missing-reference", "--since", "2022-01-01",
                 "--until", "2026-12-31", "--no-progress"])
    out, err = capsys.readouterr()
    expected = [o["orderId"] for o in SEEDED if o["customerId"] == BIG and o["orderType"] == "RENEWAL"
                and not o["externalReferenceId"] and o["creationDate"] >= "2022-01-01"]
    assert code == 3 and "customer NOPE1 not read: HTTP 404 1116: Invalid Customer" in err
    assert sorted(line.split()[1] for line in out.splitlines() if line.startswith(BIG)) == sorted(expected)
    assert main(["orders", "NOPE1", "NOPE2", "--no-progress"]) == 1


def test_wrong_arguments_exit_2_and_send_nothing(capsys) -> None:
    for argv in (["orders"], ["orders", SMALL, "--type", "RENEWALS"], ["orders", SMALL, "--status", "done"],
                 ["orders", SMALL, "--since", "28.11.2026"]):
        with pytest.raises(SystemExit) as e:
            main(argv)
        assert e.value.code == 2
    assert main(["orders", SMALL, "--since", "2026-02-01", "--until", "2026-01-01"]) == 1
    assert "is after" in capsys.readouterr().err


def test_out_writes_a_spreadsheet_that_keeps_leading_zeros(tmp_path, capsys) -> None:
    target = tmp_path / "orders.xlsx"
    assert main(["orders", SMALL, "--status", "1000,1002", "--price", "--out", str(target), "--no-progress"]) == 0
    back = pd.read_excel(target, dtype=str)
    assert set(back["customerId"]) == {SMALL} and "order_json" not in back.columns
    assert "total_price" in back.columns and back["total_price"].notna().any()
    assert main(["orders", SMALL, "--out", str(tmp_path / "orders.xls")]) == 1
    assert ".xls is the old Excel" in capsys.readouterr().err


def test_the_orders_export_with_references_filled_in_is_an_apply_input(tmp_path, monkeypatch, capsys) -> None:
    """The terminal's find → tag: `orders --missing-reference --out todo.xlsx`, type the POs into
    external_reference_id, `apply todo.xlsx`. Apply refused it: its 'status' column (Adobe's order status)
    has a result column's name. The export calls it order_status."""
    import openpyxl

    monkeypatch.chdir(tmp_path)
    assert main(["orders", SMALL, "--type", "RENEWAL", "--missing-reference", "--out", "todo.xlsx",
                 "--no-progress"]) == 0
    book = openpyxl.load_workbook("todo.xlsx")
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert "order_status" in header and "status" not in header
    column = header.index("external_reference_id") + 1
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, column).value = f"PO-TODO-{row}"
    book.save("todo.xlsx")
    capsys.readouterr()
    assert main(["apply", "todo.xlsx", "--dry-run", "--no-progress"]) == 0, capsys.readouterr().err
    assert f"would_update: {sheet.max_row - 1}" in capsys.readouterr().out


def test_no_customer_read_says_so_and_writes_no_empty_file(capsys, isolated) -> None:
    """'No orders found for 0 customers with these filters.' blamed the filters, and --out wrote an empty
    file with 'type the new references into external_reference_id, then: ... apply'."""
    assert main(["orders", "NOPE1", "NOPE2", "--no-progress"]) == 1
    out, err = capsys.readouterr()
    assert "0 customers" not in out + err and "filters" not in out + err
    assert "no customer could be read" in err and "customer NOPE1 not read" in err
    assert main(["orders", "NOPE1", "--no-progress", "--out", str(isolated / "todo.xlsx")]) == 1
    out, err = capsys.readouterr()
    assert not (isolated / "todo.xlsx").exists() and "apply" not in out and "nothing written" in err
