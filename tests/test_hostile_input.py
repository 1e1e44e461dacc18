"""A corpus of hostile input through the DataFrame API, the CLI and the form.

Each kind gets a clear per-row or up-front message; nothing invalid reaches the wire; one
result row per input row; no traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import ipywidgets
import pandas as pd
import pytest

from adobe_orders import apply_updates, read_updates
from adobe_orders.errors import InputFileError
from adobe_orders.widgets import UpdateOrderForm
from tests.helpers import v3

CUST, ORD = "0001000000", "0123456000"  # a real customer and order of the seeded data
NAN = float("nan")

# (kind, customer, order, value)
CORPUS: list[tuple[str, object, object, object]] = [
    ("excel exponent", "1.23457E+09", ORD, "PO-1"),
    ("excel float", CUST, "123456000.0", "PO-1"),
    ("excel comma float", CUST, "123456000,00", "PO-1"),
    ("lost leading zero as number", 1000000.0, ORD, "PO-1"),
    ("dot-dot path", CUST, "../" + ORD, "PO-1"),
    ("slash", CUST, "01/23", "PO-1"),
    ("encoded slash", CUST, "01%2F23", "PO-1"),
    ("query", CUST, "0123?x=1", "PO-1"),
    ("fragment", CUST, "0123#top", "PO-1"),
    ("backslash", CUST, "01\\23", "PO-1"),
    ("CRLF header injection in value", CUST, ORD, "PO\r\nX-Evil: 1"),
    ("LF in id", CUST, "0123\nX-Evil: 1", "PO-1"),
    ("NUL in id", CUST, "01\x0023", "PO-1"),
    ("NUL in value", CUST, ORD, "PO\x001"),
    ("zero-width space", CUST, "0123\u200b456000", "PO-1"),
    ("right-to-left override", CUST, ORD, "\u202ePO-1"),
    ("BOM inside value", CUST, ORD, "\ufeffPO-1"),
    ("soft hyphen", CUST, ORD, "PO\u00ad1"),
    ("line separator", CUST, ORD, "PO\u20281"),
    ("very long value", CUST, ORD, "P" * 36),
    ("huge value", CUST, ORD, "P" * 100_000),
    ("very long id", "9" * 41, ORD, "PO-1"),
    ("empty value", CUST, ORD, ""),
    ("blank value", CUST, ORD, "   "),
    ("NaN value", CUST, ORD, NAN),
    ("None id", None, ORD, "PO-1"),
    ("empty id", "", ORD, "PO-1"),
    ("emoji in id", CUST, "0123😀", "PO-1"),
    ("space inside id", CUST, "0123 456000", "PO-1"),
    ("underscore id", CUST, "0123_456000", "PO-1"),
    ("SQL-looking id", CUST, "1';DROP TABLE rows;--", "PO-1"),
    ("HTML in id", "<script>", ORD, "PO-1"),
    ("tab in value", CUST, ORD, "PO\t1"),
    ("unknown order", CUST, "0999999999", "PO-1"),
    ("emoji value (allowed)", CUST, ORD, "PO-😀-1"),
    # spreadsheet formulas (OWASP "CSV injection"): never sent, whatever the export does later
    ("formula HYPERLINK value", CUST, ORD, '=HYPERLINK("http://ev.il","Hi")'),
    ("formula at-sign value", CUST, ORD, "@SUM(A1)"),
    ("formula plus cell reference", CUST, ORD, "+A1"),
    ("formula minus word", CUST, ORD, "-cmd"),
    ("formula DDE after a number", CUST, ORD, "-2+3+cmd|' /C calc'!A0"),
    ("formula after leading spaces", CUST, ORD, "  =1+1"),
    # what Excel made of an 18-digit reference, a date, a number, an error
    ("excel scientific value", CUST, ORD, "2.40505E+17"),
    ("excel float value", CUST, ORD, "240717011236827259.0"),
    ("excel short float value", CUST, ORD, "12345.0"),
    ("excel exponent value", CUST, ORD, "1e20"),
    ("excel date value", CUST, ORD, "2026-03-01 00:00:00"),
    ("excel error value", CUST, ORD, "#N/A"),
    ("number cell id", 1000000, ORD, "PO-1"),
    ("float cell value", CUST, ORD, 240505012402240931.0),
    ("date cell value", CUST, ORD, datetime(2026, 3, 1)),
    ("boolean cell value", CUST, ORD, True),
    # digits that are not 0-9: an IME's full-width digits, superscripts, Arabic-Indic digits (the contract's
    # IDs are ^[\p{L}\d\-]{4,40}$ -- letters of any script, but only ASCII digits); they passed and were sent
    ("full-width digits in id", "\uff10\uff10\uff10\uff11000000", ORD, "PO-1"),
    ("superscript digit in id", CUST, "0123456000\u00b2", "PO-1"),
    ("arabic-indic digits in id", CUST, "\u0660\u0661\u0662\u0663", "PO-1"),
    ("conflicting duplicate A", CUST, "911000029", "A"),
    ("conflicting duplicate B", CUST, "911000029", "B"),
]
NOT_INVALID = {"unknown order", "emoji value (allowed)"}
#: A row with no new value is one the analyst left blank: skipped (nothing sent), not invalid.
UNFILLED = {"empty value", "blank value", "NaN value"}


def corpus_frame() -> pd.DataFrame:
    return pd.DataFrame([(c, o, v) for _, c, o, v in CORPUS],
                        columns=["customerId", "orderId", "externalReferenceId"], dtype=object)


def test_corpus_has_at_least_thirty_kinds() -> None:
    assert len({k.rstrip(" AB") for k, *_ in CORPUS}) >= 30


def test_dataframe_api_refuses_each_kind_on_its_row(client, sandbox) -> None:
    results = apply_updates(corpus_frame(), client, progress=False)
    assert len(results) == len(CORPUS) and list(results.index) == list(range(len(CORPUS)))
    for (kind, *_), (_, row) in zip(CORPUS, results.iterrows(), strict=True):
        if kind in NOT_INVALID:
            assert row["status"] in ("updated", "failed"), kind
            continue
        if kind in UNFILLED:
            assert (row["status"], row["reason"]) == ("skipped", "no new value given"), kind
            continue
        assert row["status"] == "invalid", kind
        assert isinstance(row["reason"], str) and 10 < len(row["reason"]) < 400, (kind, row["reason"])
    # only the two rows that passed validation reached the wire: their customer's history page (bulk
    # reads read it once for both) and each of the two orders
    wire = {e["path"] for e in v3(sandbox)}
    assert wire == {f"/v3/customers/{CUST}/orders", f"/v3/customers/{CUST}/orders/0999999999",
                    f"/v3/customers/{CUST}/orders/{ORD}"}


def test_cli_handles_the_corpus_as_a_file(tmp_path, sandbox) -> None:
    path = tmp_path / "hostile.csv"
    corpus_frame().to_csv(path, index=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_VIPM_")}
    env.update(dict(line.split("=", 1) for line in sandbox.env_lines()))
    out = tmp_path / "results.csv"
    proc = subprocess.run([sys.executable, "-m", "adobe_orders.cli", "apply", str(path), "--out", str(out),
                           "--no-progress"], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert proc.returncode in (0, 3), proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    back = read_updates(out)
    assert len(back) == len(pd.read_csv(path, dtype=str, keep_default_na=False))
    assert (back["status"] == "invalid").sum() >= 28


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"\n\n", "empty"), (b"customerId,orderId,externalReferenceId\n", None),
     ("customerId,orderId,externalReferenceId\n1,2,Caf\xe9\n".encode("latin-1"), "not UTF-8"),
     (b"\xff\xfe" + "customerId,orderId,externalReferenceId\n01,02,03\n".encode("utf-16-le"), None),
     (b"\xef\xbb\xbfcustomerId,orderId,externalReferenceId\n01,02,03\n", None),
     (b"PK\x03\x04 this is not really a spreadsheet", "could not be read"),
     (b'customerId,orderId,externalReferenceId\n"01,02,03\n', "line 2: a double quote opens a cell and is never")],
)
def test_bad_files_get_a_clear_message(tmp_path, content, message) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    if message is None:
        frame = read_updates(path)
        assert list(frame.columns) == ["customerId", "orderId", "externalReferenceId"]
        assert all(frame[c].map(type).eq(str).all() for c in frame.columns)
    else:
        with pytest.raises(InputFileError, match=message):
            read_updates(path)


def test_wrong_column_names_are_refused_up_front(tmp_path, client, sandbox) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("cust,ord,val\n1,2,3\n")
    frame = read_updates(path)
    with pytest.raises(KeyError, match="Columns found: 'cust', 'ord', 'val'"):
        apply_updates(frame, client)
    assert sandbox.requests == []


@pytest.mark.slow
def test_a_100_mb_file_is_read_and_its_row_refused(tmp_path, client, sandbox) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write(f"customerId,orderId,externalReferenceId\n{CUST},{ORD},")
        chunk = "X" * (1 << 20)
        for _ in range(100):
            f.write(chunk)
        f.write("\n9876500131,911000029,PO-OK\n")
    assert path.stat().st_size >= 100 * (1 << 20)
    results = apply_updates(read_updates(path), client, progress=False)
    assert list(results["status"]) == ["invalid", "updated"]
    assert list(results.index) == [2, 3] and results.index.name == "line"
    assert "104857600 characters long" in results.loc[2, "reason"] and len(results.loc[2, "reason"]) < 200


def test_a_formula_without_a_saved_value_is_not_sent(tmp_path, client, sandbox) -> None:
    """A workbook written by a script: the value cell is a formula whose result was never computed.
    Its row is refused, saying so; the other row is sent."""
    import openpyxl

    first, second = sandbox.orders[10], sandbox.orders[11]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["customerId", "orderId", "externalReferenceId"])
    sheet.append([first["customerId"], first["orderId"], '="PO-"&B2'])
    sheet.append([second["customerId"], second["orderId"], "PO-TYPED"])
    book.save(tmp_path / "scripted.xlsx")
    results = apply_updates(read_updates(tmp_path / "scripted.xlsx"), client, progress=False)
    assert list(results["status"]) == ["invalid", "updated"]
    assert "formula" in results.loc[2, "reason"] and "no saved value" in results.loc[2, "reason"]
    assert not [e for e in v3(sandbox) if e["method"] == "PATCH" and first["orderId"] in e["path"]]
    assert sandbox.order(first["customerId"], first["orderId"])["externalReferenceId"] == first["externalReferenceId"]
    assert sandbox.order(second["customerId"], second["orderId"])["externalReferenceId"] == "PO-TYPED"


def test_form_refuses_each_invalid_kind(client, sandbox) -> None:
    form = UpdateOrderForm(client)
    for kind, customer, order, value in CORPUS:
        if kind in NOT_INVALID or kind.startswith("conflicting") or not all(
                isinstance(v, str) for v in (customer, order, value)):
            continue
        form.customer_id.value, form.order_id.value, form.reference.value = customer, order, value
        assert form.update_button.disabled, kind
        assert "Update is disabled until" in form.message.value, kind
        form.submit()
    assert sandbox.requests == []
    ipywidgets.Widget.close_all()


def test_file_paths_that_are_not_files(tmp_path) -> None:
    with pytest.raises(InputFileError, match="folder"):
        read_updates(tmp_path)
    with pytest.raises(InputFileError, match="no such file"):
        read_updates(Path(tmp_path) / "nope.xlsx")


def _cli_apply(sandbox, cwd: Path, name: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_VIPM_")}
    env.update(dict(line.split("=", 1) for line in sandbox.env_lines()))
    return subprocess.run([sys.executable, "-m", "adobe_orders.cli", "apply", name, "--no-progress", *extra],
                          capture_output=True, text=True, timeout=120, env=env, cwd=cwd)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("european.csv", "\ufeffcustomerId;orderId;externalReferenceId\r\n{c};{o};PO-EU\r\n".encode()),
        ("unicode.txt", "customerId\torderId\texternalReferenceId\r\n{c}\t{o}\tPO-EU\r\n".encode("utf-16")),
        ("pipes.csv", b"customerId|orderId|externalReferenceId\n{c}|{o}|PO-EU\n"),
    ],
)
def test_cli_applies_the_dialects_excel_writes(tmp_path, sandbox, name, data) -> None:
    order = sandbox.orders[3]
    if isinstance(data, bytes) and data.startswith(b"\xff\xfe"):
        data = data.decode("utf-16").format(c=order["customerId"], o=order["orderId"]).encode("utf-16")
    else:
        data = data.decode("utf-8").format(c=order["customerId"], o=order["orderId"]).encode("utf-8")
    (tmp_path / name).write_bytes(data)
    proc = _cli_apply(sandbox, tmp_path, name)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert sandbox.order(order["customerId"], order["orderId"])["externalReferenceId"] == "PO-EU"


def test_cli_explains_a_file_whose_separator_is_unknown(tmp_path, sandbox) -> None:
    (tmp_path / "odd.csv").write_text("customerId:orderId:externalReferenceId\n1:2:3\n")
    proc = _cli_apply(sandbox, tmp_path, "odd.csv")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "single column" in proc.stderr and "CSV UTF-8" in proc.stderr and "Rename the headers" not in proc.stderr
    assert sandbox.requests == []


def test_cli_refuses_a_number_cell_in_an_id_column_before_sending(tmp_path, sandbox) -> None:
    import openpyxl

    good = sandbox.orders[4]
    book = openpyxl.Workbook()
    book.active.append(["customerId", "orderId", "externalReferenceId"])
    book.active.append([good["customerId"], good["orderId"], "PO-XL"])
    book.active.append([1000000, ORD, "PO-XL"])  # 0001000000 typed as a number: Excel shows 1000000
    book.save(tmp_path / "u.xlsx")
    out = tmp_path / "r.csv"
    proc = _cli_apply(sandbox, tmp_path, "u.xlsx", "--out", str(out))
    assert proc.returncode in (0, 1, 3) and "Traceback" not in proc.stderr, proc.stderr
    assert "line 3" in proc.stdout and "arrived as a number" in proc.stdout
    assert not [e for e in sandbox.requests if "/customers/1000000/" in e["path"]]
    assert sandbox.order(good["customerId"], good["orderId"])["externalReferenceId"] == "PO-XL"


@pytest.mark.slow
def test_cli_reads_a_quoted_header_and_names_a_broken_one(tmp_path, sandbox) -> None:
    """A header with quotes: a well-formed one is applied; a stray quote is named (it was called 'one
    single column'), and nothing is sent."""
    order = sandbox.orders[12]
    (tmp_path / "spaced.csv").write_text('"customerId", "orderId", "externalReferenceId"\n'
                                         f'"{order["customerId"]}", "{order["orderId"]}", "PO-QUOTED"\n')
    proc = _cli_apply(sandbox, tmp_path, "spaced.csv")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert sandbox.order(order["customerId"], order["orderId"])["externalReferenceId"] == "PO-QUOTED"
    sent = len(v3(sandbox))
    (tmp_path / "stray.csv").write_text('"customerId","orderId","externalReferenceId\n'
                                        f'{order["customerId"]},{order["orderId"]},PO-STRAY\n')
    proc = _cli_apply(sandbox, tmp_path, "stray.csv")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "line 1: the double quote that opens the cell" in proc.stderr and "single column" not in proc.stderr
    assert len(v3(sandbox)) == sent


def test_cli_refuses_a_workbook_with_rows_hidden_by_a_filter(tmp_path, sandbox) -> None:
    """Hostile tester: an analyst filters the sheet in Excel to the rows to change and saves; every
    hidden row was read and sent too. A workbook with hidden rows is refused, naming their lines."""
    import openpyxl

    shown, hidden = sandbox.orders[5], sandbox.orders[6]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["customerId", "orderId", "externalReferenceId"])
    sheet.append([shown["customerId"], shown["orderId"], "PO-SEEN"])
    sheet.append([hidden["customerId"], hidden["orderId"], "PO-NOT-SEEN"])
    sheet.auto_filter.ref = "A1:C3"
    sheet.row_dimensions[3].hidden = True
    book.save(tmp_path / "filtered.xlsx")
    with pytest.raises(InputFileError, match=r"line 3 .*hidden"):
        read_updates(tmp_path / "filtered.xlsx")
    proc = _cli_apply(sandbox, tmp_path, "filtered.xlsx")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "hidden" in proc.stderr
    assert v3(sandbox) == []


@pytest.mark.slow
def test_terminal_control_sequences_in_cells_are_shown_not_obeyed(tmp_path, sandbox) -> None:
    """Hostile tester: an ID holding ``ESC]0;title BEL`` or ``ESC[2J`` (from a file someone sent, or a
    reference another tool set at Adobe) reached the terminal raw through the summary, ``history`` and
    ``get``: the terminal obeyed it (retitled, cleared, recoloured). The CLI shows such characters escaped."""
    order = sandbox.orders[8]
    sandbox.state.set_reference(order["customerId"], order["orderId"], "PO\x1b[8mHIDDEN\u202e")
    (tmp_path / "esc.csv").write_text("customerId,orderId,externalReferenceId\n"
                                      f"{CUST},0123\x1b]0;pwned\x07,PO-1\n"
                                      f"{order['customerId']},{order['orderId']},PO\x1b[2J\n")
    outputs = [_cli_apply(sandbox, tmp_path, "esc.csv")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOBE_VIPM_")}
    env.update(dict(line.split("=", 1) for line in sandbox.env_lines()))
    for args in (["history", "--all"], ["get", order["customerId"], order["orderId"]]):
        outputs.append(subprocess.run([sys.executable, "-m", "adobe_orders", *args], capture_output=True,
                                      text=True, timeout=120, env=env, cwd=tmp_path))
    for proc in outputs:
        text = proc.stdout + proc.stderr
        assert "Traceback" not in text, text
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text, repr(text)
    assert "\\x1b" in outputs[0].stdout and "\\x1b" in outputs[2].stdout


def test_cli_refuses_a_workbook_whose_first_sheet_is_hidden(tmp_path, sandbox) -> None:
    """Hostile tester: last month's sheet hidden, this month's visible: the hidden first sheet was read
    and its old values sent. Such a workbook is refused, naming the sheet."""
    import openpyxl

    order = sandbox.orders[9]
    book = openpyxl.Workbook()
    old = book.active
    old.title = "March (old)"
    for sheet, value in ((old, "PO-OLD-MARCH"), (book.create_sheet("April"), "PO-APRIL")):
        sheet.append(["customerId", "orderId", "externalReferenceId"])
        sheet.append([order["customerId"], order["orderId"], value])
    old.sheet_state = "hidden"
    book.active = 1
    book.save(tmp_path / "months.xlsx")
    with pytest.raises(InputFileError, match=r"'March \(old\)' is hidden"):
        read_updates(tmp_path / "months.xlsx")
    proc = _cli_apply(sandbox, tmp_path, "months.xlsx")
    assert proc.returncode == 1 and "hidden" in proc.stderr and "Traceback" not in proc.stderr
    assert v3(sandbox) == []
