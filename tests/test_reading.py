"""read_updates: spreadsheet line numbers, the dialects Excel writes, typed Excel cells, and the two
CSV parsers (pandas' fast one and the exact one) agreeing on generated files."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adobe_orders import read_updates, validate_updates
from adobe_orders.batch import reading
from adobe_orders.errors import InputFileError
from adobe_orders.export import restore_cell
from adobe_orders.validation import UnsavedFormula

HEADER = "customerId,orderId,externalReferenceId"


def reason_column(checked: pd.DataFrame) -> str:
    """The column validate_updates explains a row in (``reason`` in the shared vocabulary)."""
    return "reason" if "reason" in checked else "problem"


def read_bytes(data: bytes, name: str = "in.csv") -> pd.DataFrame:
    buffer = io.BytesIO(data)
    buffer.name = name
    return read_updates(buffer)


def test_index_is_the_spreadsheet_line_counting_blank_lines_and_a_title_block() -> None:
    text = ("Updates for March,,\n\n" + HEADER + "\n0001,0002,A\n\n\n0003,0004,B\n   \n0005,0006,C\n")
    frame = read_bytes(text.encode())
    assert frame.index.name == "line"
    assert list(frame.index) == [4, 7, 9]
    assert list(frame["externalReferenceId"]) == ["A", "B", "C"]


def test_a_quoted_value_over_two_lines_moves_the_following_line_numbers() -> None:
    frame = read_bytes(f'{HEADER}\n0001,0002,"two\nlines"\n0003,0004,B\n'.encode())
    assert list(frame.index) == [2, 4]
    assert frame.loc[2, "externalReferenceId"] == "two\nlines"


@pytest.mark.parametrize(
    ("data", "what"),
    [
        ("\ufeffcustomerId;orderId;externalReferenceId\r\n0001;0002;PO-1\r\n".encode(), "European CSV UTF-8"),
        ("customerId\torderId\texternalReferenceId\r\n0001\t0002\tPO-1\r\n".encode("utf-16"), "Unicode text"),
        (b"customerId|orderId|externalReferenceId\n0001|0002|PO-1\n", "pipes"),
        (b'"customerId";"orderId";"externalReferenceId"\n"0001";"0002";"PO-1"\n', "quoted semicolons"),
    ],
)
def test_the_dialects_excel_writes_are_recognised(data: bytes, what: str) -> None:
    frame = read_bytes(data)
    assert list(frame.columns) == ["customerId", "orderId", "externalReferenceId"], what
    assert frame.loc[2].tolist() == ["0001", "0002", "PO-1"], what


def test_a_value_holding_a_comma_in_a_semicolon_file_stays_whole() -> None:
    frame = read_bytes(b"customerId;orderId;externalReferenceId\n0001;0002;PO 1,5\n")
    assert frame.loc[2, "externalReferenceId"] == "PO 1,5"


def test_an_unknown_separator_is_named_with_how_to_save() -> None:
    with pytest.raises(InputFileError) as info:
        read_bytes(b"customerId:orderId:externalReferenceId\n1:2:3\n")
    message = str(info.value)
    assert "customerId:orderId:externalReferenceId" in message and "single column" in message
    assert "CSV UTF-8 (Comma delimited)" in message and "Rename the headers" not in message


@pytest.mark.parametrize("data", [
    'customerId,"orderId",externalReferenceId\n0001000000,0123456000,"PO 1,5"\n',
    '"customer id","order id","PO number"\r\n"0001000000","0123456000","PO 1,5"\r\n',
    '\ufeff"customerId";"orderId";"externalReferenceId"\n0001000000;0123456000;"PO 1,5"\n',
    # a space after each separator, as some tools (and hands) write: was read as the header ' "orderId"'
    '"customerId", "orderId", "externalReferenceId"\n"0001000000", "0123456000", "PO 1,5"\n',
])
def test_a_well_formed_quoted_header_is_read(data: str) -> None:
    frame = read_bytes(data.encode())
    assert [c.replace(" ", "").lower() for c in frame.columns][:2] == ["customerid", "orderid"]
    assert '"' not in "".join(frame.columns)
    assert frame.loc[2].tolist() == ["0001000000", "0123456000", "PO 1,5"]


@pytest.mark.parametrize(("data", "said"), [
    ('"customer id","order id","new reference\n1,2,3\n',
     """line 1: the double quote that opens the cell '"new reference' is not closed"""),
    ('customerId,"orderId,externalReferenceId\n1,2,3\n',
     """line 1: the double quote that opens the cell '"orderId,externalReferenceId' is not closed"""),
    ('"customerId";"orderId;"externalReferenceId"\n1;2;3\n',
     """line 1: the cell '"orderId;"' ends with a double quote that is followed by 'e' instead of a semicolon"""),
    ('"customerId" ,"orderId" ,"externalReferenceId"\n1,2,3\n',
     """line 1: the cell '"customerId"' ends with a double quote that is followed by ' ' instead of a comma"""),
    ('March updates\n"customerId,orderId,externalReferenceId"\n"1,2,3"\n',
     "line 2: the whole header line is one cell in double quotes ('customerId,orderId,externalReferenceId'), so "
     "the commas inside it do not separate cells"),
])
def test_a_damaged_header_names_the_broken_quote_not_a_single_column(data: str, said: str) -> None:
    """A stray or unbalanced quote in the header made csv read no header at all, and the file was called
    'one single column: its cells are not separated by commas' although they were."""
    with pytest.raises(InputFileError) as info:
        read_bytes(data.encode())
    message = str(info.value)
    assert message.startswith(f"in.csv, {said}"), message
    assert "single column" not in message and ("Text to Columns" in message or "written twice" in message)


def test_a_broken_quote_in_a_row_names_the_cell() -> None:
    with pytest.raises(InputFileError) as info:
        read_bytes(f'{HEADER}\n0001000000,"0123456000"x,PO-1\n'.encode())
    assert str(info.value).startswith("in.csv, line 2: the cell '\"0123456000\"' ends with a "
                                      "double quote that is followed by 'x' instead of a comma"), str(info.value)


def test_a_quote_never_closed_names_its_line_and_says_what_to_do() -> None:
    """It said 'in.csv, could not be read: a double quote opened on line 2 is never closed', and no more."""
    with pytest.raises(InputFileError) as info:
        read_bytes(f'{HEADER}\n0001000000,0123456000,"PO-1\n'.encode())
    assert str(info.value).startswith("in.csv, line 2: a double quote opens a cell and is never closed. A double "
                                      "quote may only enclose a whole cell"), str(info.value)


def test_a_row_with_too_many_cells_names_its_line() -> None:
    with pytest.raises(InputFileError, match=r"line 3: 4 cells but the header has 3.*double quotes"):
        read_bytes(f"{HEADER}\n1,2,3\n1,2,3,4\n".encode())
    trailing = read_bytes(f"{HEADER}\n1,2,3,,\n".encode())  # Excel's empty trailing cells are fine
    assert trailing.loc[2].tolist() == ["1", "2", "3"]


def test_windows_1252_is_explained() -> None:
    with pytest.raises(InputFileError, match=r"not UTF-8.*Windows-1252.*CSV UTF-8"):
        read_bytes(f"{HEADER}\n1,2,Caf\xe9\n".encode("cp1252"))


def test_xls_that_is_not_a_workbook_is_refused_with_what_to_do(tmp_path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0 old compound file")
    with pytest.raises(InputFileError, match=r"97-2003.*\.xlsx"):
        read_updates(path)


def workbook(tmp_path, rows: list[list[object]], *, text_format: bool = False, merge: str | None = None):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    path = tmp_path / "updates.xlsx"
    book.save(path)
    return path


def test_number_and_date_cells_in_a_workbook_keep_their_type_and_are_refused(tmp_path) -> None:
    path = workbook(tmp_path, [
        ["customerId", "orderId", "externalReferenceId", "note"],
        ["0001000000", "0123456000", "PO-1", "text cells: kept exactly"],
        [1000000, "0123456000", "PO-2", 5],
        ["0001000000", 123456000, "PO-3", None],
        ["0001000000", "0123456000", 240505012402240931, None],
        ["0001000000", "0123456000", dt.datetime(2026, 3, 1), None],
        ["0001000000", "0123456000", True, None],
    ])
    frame = read_updates(path)
    assert list(frame.index) == [2, 3, 4, 5, 6, 7]
    assert frame.loc[2].tolist()[:3] == ["0001000000", "0123456000", "PO-1"]
    assert frame.loc[3, "customerId"] == 1000000 and frame.loc[3, "note"] == 5
    checked = validate_updates(frame)
    assert list(checked["status"]) == ["ready"] + ["invalid"] * 5
    problems = checked[reason_column(checked)].tolist()
    assert "Customer ID 1000000 arrived as a number" in problems[1] and "leading zeros" in problems[1]
    assert "Order ID 123456000 arrived as a number" in problems[2]
    assert "External reference ID 2.40505012402241E+17 arrived as a number" in problems[3]
    assert "date cell" in problems[4]
    assert "TRUE/FALSE" in problems[5]


def test_a_title_block_and_merged_cells_in_a_workbook(tmp_path) -> None:
    path = workbook(tmp_path, [
        ["March renewals", None, None],
        [None, None, None],
        ["customerId", "orderId", "externalReferenceId"],
        ["0001000000", "0123456000", "PO-1"],
        ["0001000000", "0123456001", "PO-2"],
    ], merge="A4:A5")
    frame = read_updates(path)
    assert list(frame.index) == [4, 5]
    assert frame.loc[4, "customerId"] == "0001000000"
    assert frame.loc[5, "customerId"] == ""  # a merged cell's other rows are empty, and refused as such
    checked = validate_updates(frame)
    assert checked.loc[5, reason_column(checked)] == "Customer ID is empty."


def test_excel_error_cells_are_refused(tmp_path) -> None:
    path = workbook(tmp_path, [["customerId", "orderId", "externalReferenceId"], ["0001", "0002", "#N/A"]])
    checked = validate_updates(read_updates(path))
    assert "spreadsheet error" in checked.loc[2, reason_column(checked)]


def test_a_formula_with_no_saved_value_is_named_not_called_empty(tmp_path) -> None:
    """A workbook written by openpyxl or pandas (never saved in Excel) holds formulas without results;
    they were read as "" and refused as "empty", which sent the analyst looking for a blank cell."""
    path = workbook(tmp_path, [
        ["customerId", "orderId", "externalReferenceId"],
        ["0001000000", "0123456000", '="PO-"&B2'],
        ["=A2", "0123456001", "PO-3"],
        ["=A2", "=B2", '="PO-"&B4'],  # only formulas: was dropped as a blank row, silently
        ["0001000000", "0123456002", None],  # a truly empty cell is still empty: no new value, skipped
    ])
    frame = read_updates(path)
    assert list(frame.index) == [2, 3, 4, 5]
    assert frame.loc[2, "externalReferenceId"] == '="PO-"&B2'
    checked = validate_updates(frame)
    assert list(checked["status"]) == ["invalid"] * 3 + ["skipped"]
    reasons = checked[reason_column(checked)]
    assert reasons[2].startswith("""External reference ID is a formula ('="PO-"&B2') with no saved value""")
    assert reasons[3].startswith("Customer ID is a formula ('=A2') with no saved value")
    for line in (2, 3, 4):
        assert "Open the file in Excel and save it" in reasons[line] and "Paste Special > Values" in reasons[line]
        assert "empty" not in reasons[line]
    assert reasons[5] == "no new value given"


def _with_saved_results(path, results: dict[str, tuple[str, str]]) -> None:
    """Give formula cells the results Excel saves (``<c r=.. t=..><f>..</f><v>..</v></c>``), which
    openpyxl cannot write."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    for ref, (kind, value) in results.items():
        xml, n = re.subn(rf'<c r="{ref}"><f>(.*?)</f><v ?/>', rf'<c r="{ref}" t="{kind}"><f>\1</f><v>{value}</v>', xml)
        assert n == 1, ref
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)


def test_formulas_excel_saved_are_read_as_their_results(tmp_path) -> None:
    path = workbook(tmp_path, [
        ["customerId", "orderId", "externalReferenceId"],
        ["0001000000", "0123456000", '="PO-"&B2'],
        ["0001000000", "0123456001", '=""'],  # Excel saved its result: an empty text
        ["0001000000", "0123456002", '="PO-"&B4'],  # not saved: still named
    ])
    _with_saved_results(path, {"C2": ("str", "PO-0123456000"), "C3": ("str", "")})
    frame = read_updates(path)
    assert frame["externalReferenceId"].tolist() == ["PO-0123456000", "", '="PO-"&B4']
    reasons = validate_updates(frame)[reason_column(validate_updates(frame))]
    assert reasons[2] is None and reasons[3] == "no new value given" and "no saved value" in reasons[4]


def test_formulas_below_blank_lines_and_columns_keep_their_places(tmp_path) -> None:
    """Formula cells are found in one load and their saved results read in another: the two must
    agree on every cell's line and column, also when the sheet starts below blank lines and to the
    right of a blank column."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["B3"], sheet["C3"], sheet["D3"] = "customerId", "orderId", "externalReferenceId"
    sheet["B5"], sheet["C5"], sheet["D5"] = "0001000000", "0123456000", '="PO-"&C5'
    sheet["B6"], sheet["C6"], sheet["D6"] = "0001000000", "0123456001", '="PO-"&C6'
    sheet["B7"], sheet["C7"], sheet["D7"] = "0001000000", "0123456002", "PO-TYPED"
    path = tmp_path / "updates.xlsx"
    book.save(path)
    _with_saved_results(path, {"D5": ("str", "PO-0123456000")})
    frame = read_updates(path)
    assert list(frame.index) == [5, 6, 7]
    assert frame["externalReferenceId"].tolist()[0::2] == ["PO-0123456000", "PO-TYPED"]
    unsaved = frame.loc[6, "externalReferenceId"]
    assert isinstance(unsaved, UnsavedFormula) and str(unsaved) == '="PO-"&C6'


# -- the fast and the exact CSV paths agree -------------------------------------------------------

cell = st.text(alphabet=st.sampled_from(list("0aZ -.;,|\t'=+@\"\n\r")), max_size=6)
line_end = st.sampled_from(["\n", "\r\n"])


def _render(rows: list[list[str]], delimiter: str, end: str, blank_after: set[int]) -> str:
    def quote(value: str) -> str:
        if any(ch in value for ch in (delimiter, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value

    out = [delimiter.join(["customerId", "orderId", "externalReferenceId"])]
    for i, row in enumerate(rows):
        out.append(delimiter.join(quote(c) for c in row))
        if i in blank_after:
            out.append("")
    return end.join(out) + end


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=6),
       delimiter=st.sampled_from(reading.DELIMITERS), end=line_end,
       blank_after=st.sets(st.integers(0, 5), max_size=2))
def test_generated_csv_files_round_trip_exactly_with_their_lines(rows, delimiter, end, blank_after) -> None:
    text = _render(rows, delimiter, end, blank_after)
    frame = read_bytes(text.encode())
    kept = [r for r in rows if any(c.strip() for c in r)]
    assert frame.to_numpy().tolist() == [[restore_cell(c) for c in r] for r in kept]
    # each row's line: the header is line 1; quoted line breaks and blank lines take lines too
    line, lines = 2, []
    for i, row in enumerate(rows):
        if any(c.strip() for c in row):
            lines.append(line)
        line += 1 + sum(_physical_breaks(c) for c in row) + (1 if i in blank_after else 0)
    assert list(frame.index) == lines


def _physical_breaks(value: str) -> int:
    """Line breaks inside a quoted cell as csv counts them: \\r\\n, \\r and \\n each end a line."""
    return value.replace("\r\n", "\n").replace("\r", "\n").count("\n")


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.lists(st.text(alphabet="0aZ -.'=", max_size=6), min_size=3, max_size=3),
                     min_size=1, max_size=8), end=line_end)
def test_fast_path_and_exact_path_give_the_same_frame(rows, end) -> None:
    rows = [r for r in rows if any(c.strip() for c in r)] or [["1", "2", "3"]]
    text = end.join([HEADER, *(",".join(r) for r in rows)]) + end
    fast = reading._csv_fast(text, ",", "x")
    exact_lines, exact_rows = reading._records(text, ",")
    fast_frame = reading._frame(fast[0], fast[1], fast[2])
    exact_frame = reading._frame(exact_rows[0], exact_lines[1:], exact_rows[1:])
    pd.testing.assert_frame_equal(fast_frame, exact_frame)


def test_a_po_list_is_read_by_the_same_rules_with_its_headers_kept(tmp_path) -> None:
    from adobe_orders.discovery.matching import read_source

    path = tmp_path / "erp.csv"
    path.write_bytes("\ufeffCustomer;PO Number;Note\r\n\r\n0001000000;=1+1;a\r\n0001000001;240505012402240931;b\r\n"
                     .encode())
    frame = read_source(path)
    assert list(frame.columns) == ["Customer", "PO Number", "Note"]  # not renamed
    assert list(frame.index) == [3, 4] and frame.loc[4, "PO Number"] == "240505012402240931"


def test_a_quoted_cell_larger_than_csvs_default_limit_reads_back() -> None:
    """A results file's order_json for an order with hundreds of line items is far above 128 KiB."""
    big = '{"lineItems": [' + ",".join('{"offerId": "80004567EA01A12"}' for _ in range(9000)) + "]}"
    frame = read_bytes(f'{HEADER},order_json\n0001,0002,PO,"{big.replace(chr(34), chr(34) * 2)}"\n'.encode())
    assert len(big) > 131072 and frame.loc[2, "order_json"] == big
