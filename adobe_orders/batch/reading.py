"""``read_updates``: a CSV or Excel file as a table whose text cells are exactly as typed.

Three promises, because analysts' files come from Excel:

- **Text stays text.** Every CSV cell and every Excel *text* cell is read as the string it holds:
  leading zeros stay, ``NA``/``NULL`` stay the strings they are. An Excel cell that is a *number*,
  a *date* or a *boolean* keeps its Python type (int, float, datetime, bool): its true text is not
  known (Excel drops leading zeros and digits past the 15th), so validation refuses it on its row
  and says why, instead of sending ``1000000`` for customer ``0001000000``. A formula cell with
  no saved result (a workbook written by a script, never saved in Excel) is an ``UnsavedFormula``
  holding the formula, not "": validation refuses it as such, and says to save the file in Excel.
- **Rows are named by their spreadsheet line.** The index holds each row's line number in the
  file (header = its own line; blank lines and lines above the header are counted), and is named
  ``line``, so "line 22" in any message is line 22 in Excel or an editor.
- **The separators Excel writes are recognised:** ``,`` (CSV UTF-8), ``;`` (European "CSV UTF-8",
  often with a BOM), tab (UTF-16 "Unicode text") and ``|``, with or without double quotes (and a
  space after each separator, ``"a", "b"``). A file in which none of them splits the header is
  refused, naming the broken double quote when that is why (``csv_quotes``), else saying what the
  header line holds and how to save the file.

CSV cells that an export neutralised against formula injection (``'=…``) are restored here, so a
results file read back holds exactly the values that were written (see ``adobe_orders.export``);
an .xlsx text cell is its exact value already.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from ..errors import InputFileError, UsageError, type_name
from ..export import restore_cell
from ..validation import UnsavedFormula
from .columns import ALIASES
from .csv_quotes import CELL_RULE, header_problem, physical_lines, quote_problem

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
DELIMITERS = (",", ";", "\t", "|")
MAX_FIELD = 2**31 - 1  # csv's field limit, raised: a cell is as large as the file allows
HEADER_SEARCH_ROWS = 30  # a title block above the header is at most this many rows
SAVE_AS_CSV = "In Excel use File > Save As > 'CSV UTF-8 (Comma delimited)', then read it again."
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r]")


def _name(source: object) -> str:
    return str(getattr(source, "name", source if isinstance(source, str | os.PathLike) else "the data"))


def _is_excel(source: object, head: bytes) -> bool:
    suffix = Path(_name(source)).suffix.lower()
    return suffix in EXCEL_SUFFIXES or head.startswith(b"PK\x03\x04")


def _load(source: str | os.PathLike[str] | IO[bytes] | IO[str], name: str) -> bytes:
    try:
        if isinstance(source, str | os.PathLike):
            return Path(source).read_bytes()
        raw = source.read()
        return raw.encode("utf-8") if isinstance(raw, str) else raw
    except FileNotFoundError:
        raise InputFileError(f"{name}: no such file.") from None
    except IsADirectoryError:
        raise InputFileError(f"{name} is a folder, not a file.") from None
    except PermissionError:
        raise InputFileError(f"{name} cannot be read (permission denied).") from None


def read_updates(path_or_buffer: str | os.PathLike[str] | IO[bytes] | IO[str]) -> pd.DataFrame:
    """Read updates from CSV or .xlsx, headers as typed (the results give the user's columns back
    unchanged; ``apply_updates`` recognises ``Customer ID``, ``PO Number`` and the like, and refuses
    to guess between two candidates).

    The index is each row's line in the file (named ``line``). Excel number, date and boolean
    cells keep their type so validation can refuse them in ID and value columns.
    """
    return read_table(path_or_buffer)


def read_table(path_or_buffer: str | os.PathLike[str] | IO[bytes] | IO[str]) -> pd.DataFrame:
    """Any table an analyst's spreadsheet holds (a PO list, an ERP export), read by the same rules
    as ``read_updates`` — text exactly, typed Excel cells, line-number index, Excel's dialects —
    with its headers left as they are."""
    if not isinstance(path_or_buffer, str | os.PathLike) and not hasattr(path_or_buffer, "read"):
        raise UsageError(f"Expected a file path (.csv or .xlsx) or an open file, not {type_name(path_or_buffer)}.")
    name = _name(path_or_buffer)
    data = _load(path_or_buffer, name)
    if not data.strip():
        raise InputFileError(f"{name} is empty: expected a header row (customerId, orderId, "
                             "externalReferenceId) and one row per order.")
    if _is_excel(path_or_buffer, data[:4]):
        if Path(name).suffix.lower() == ".xls" and not data.startswith(b"PK\x03\x04"):
            raise InputFileError(f"{name} is an old Excel 97-2003 (.xls) workbook, which cannot be read here. "
                                 "In Excel use File > Save As > 'Excel Workbook (.xlsx)' or 'CSV UTF-8'.")
        header, lines, rows = _excel_table(data, name)
        apostrophes = False  # an .xlsx text cell holds its exact value; exports never prefix it
    else:
        text = _decode(data, name)
        header, lines, rows = _csv_table(text, name)
        apostrophes = "'" in text
    return _frame(header, lines, rows, restore=apostrophes)


# -- building the frame ------------------------------------------------------------------------

def _frame(header: list[str], lines: list[int] | np.ndarray, rows: list[list[Any]] | pd.DataFrame, *,
           restore: bool = True) -> pd.DataFrame:
    columns = [str(c).strip() or f"Unnamed: {j}" for j, c in enumerate(header)]
    if restore:  # exports neutralise headers as they do cells (export.write_table)
        columns = [restore_cell(c) if _NEUTRALISED.match(c) else c for c in columns]
    if isinstance(rows, pd.DataFrame):
        frame = rows
        frame.columns = pd.Index(columns)
    else:
        frame = pd.DataFrame(rows, columns=columns, dtype=object)
    frame.index = pd.Index(np.asarray(lines, dtype=np.int64), name="line")
    frame = frame.astype(object)
    for j in range(frame.shape[1] if restore else 0):  # by position: a header may repeat
        column = frame.iloc[:, j]
        try:
            quoted = np.flatnonzero(column.str.startswith("'", na=False).to_numpy(bool))
        except AttributeError:  # no text cell in this column
            continue
        if len(quoted):
            values = column.to_numpy(dtype=object, copy=True)
            for k in quoted:
                if _NEUTRALISED.match(values[k]):
                    values[k] = restore_cell(values[k])
            frame.isetitem(j, values)
    return frame


def _is_blank(row: list[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)


def _header_index(rows: list[list[Any]]) -> int | None:
    """The first row that names at least two of the three fields; else the first non-blank row.

    A title block ("Updates for March") above the header is common in analysts' sheets.
    """
    first = None
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if _is_blank(row):
            continue
        if first is None:
            first = i
        keys = {re.sub(r"[^0-9a-z]", "", str(c).lstrip("\ufeff").lower()) for c in row if isinstance(c, str)}
        if sum(1 for aliases in ALIASES.values() if keys & aliases) >= 2:
            return i
    return first


def _shape(name: str, header: list[Any], lines: list[int], rows: list[list[Any]],
           delimiter: str | None) -> list[list[Any]]:
    """Pad short rows; drop trailing empty cells; refuse a row with more cells than the header."""
    width = len(header)
    out = []
    for line, row in zip(lines, rows, strict=True):
        if len(row) > width:
            extra = row[width:]
            if not _is_blank(extra):
                hint = (f"; a value that contains {delimiter!r} must be in double quotes" if delimiter else "")
                raise InputFileError(f"{name}, line {line}: {len(row)} cells but the header has {width}{hint}.")
            row = row[:width]
        elif len(row) < width:
            row = [*row, *([""] * (width - len(row)))]
        out.append(row)
    return out


# -- CSV ---------------------------------------------------------------------------------------

def _decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")  # Excel's "Unicode text" export (tab-separated)
        except UnicodeDecodeError:
            raise InputFileError(f"{name} starts like UTF-16 text but is damaged. {SAVE_AS_CSV}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{name} is not UTF-8 (byte 0x{data[exc.start]:02x} at position {exc.start}); it looks like "
            f"Windows-1252 ('CSV (Comma delimited)'). {SAVE_AS_CSV}"
        ) from None


def _records(text: str, delimiter: str, limit: int | None = None,
             tolerant: bool = False, spaced: bool = False) -> tuple[list[int], list[list[str]]]:
    """(first line of each record, record) with Python's csv module, which follows quotes over lines.

    ``spaced``: the file puts a space after each separator (``"a", "b"``); the space is skipped, so
    a quoted cell after it is read as quoted.
    """
    # A results file's order_json of a 499-line order is far above csv's default 128 KiB per field.
    if csv.field_size_limit() < MAX_FIELD:
        csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True, skipinitialspace=spaced)
    lines: list[int] = []
    rows: list[list[str]] = []
    start = 1
    try:
        for row in reader:
            lines.append(start)
            rows.append(row)
            start = reader.line_num + 1
            if limit is not None and len(rows) >= limit:
                break
    except csv.Error as exc:
        if tolerant:
            return lines, rows
        if "end of data" in str(exc):
            raise InputFileError(f"line {start}: a double quote opens a cell and is never closed. "
                                 f"{CELL_RULE}") from None
        physical = physical_lines(text)
        for line in dict.fromkeys((start, reader.line_num)):  # where the record starts, where it broke
            problem = quote_problem(physical[line - 1], delimiter, spaced=spaced) if line <= len(physical) else None
            if problem:
                raise InputFileError(f"line {line}: {problem}. {CELL_RULE}") from None
        raise InputFileError(f"line {start} could not be read: {exc}") from None
    return lines, rows


def _sniff(text: str, name: str) -> tuple[str, bool]:
    """The separator that splits the header into recognised names (else into the most cells), and
    whether the header puts a space before quoted cells (``"a", "b"``: read with the space skipped).

    When none splits it, a broken double quote is the usual reason, and is named (``csv_quotes``)."""
    head = text[: 64 * 1024]
    best: tuple[tuple[int, int], str, list[str]] | None = None
    for delimiter in DELIMITERS:
        _, rows = _records(head, delimiter, limit=HEADER_SEARCH_ROWS, tolerant=True)
        i = _header_index(rows)
        if i is None:
            continue
        header = rows[i]
        keys = {re.sub(r"[^0-9a-z]", "", c.lstrip("\ufeff").lower()) for c in header}
        recognised = sum(1 for aliases in ALIASES.values() if keys & aliases)
        score = (recognised, len(header))
        if best is None or score > best[0]:
            best = (score, delimiter, header)
    if best is None or best[0][1] < 2:
        broken = header_problem(head, DELIMITERS, HEADER_SEARCH_ROWS)
        if broken:
            raise InputFileError(f"{name}, line {broken[0]}: {broken[1]}")
        first = next((line for line in head.splitlines() if line.strip()), "")
        shown = first if len(first) <= 80 else first[:80] + "…"
        raise InputFileError(
            f"{name}: the header line {shown!r} is one single column: its cells are not separated by commas, "
            f"semicolons, tabs or vertical bars. {SAVE_AS_CSV}"
        )
    spaced = any(_SPACED_QUOTED.fullmatch(cell) for cell in best[2])
    return best[1], spaced


_SPACED_QUOTED = re.compile(r' +".*" *', re.DOTALL)  # a header cell as ` "orderId"` (a space after the separator)


def _csv_table(text: str, name: str) -> tuple[list[str], Any, Any]:
    delimiter, spaced = _sniff(text, name)
    try:
        return _csv_fast(text, delimiter, name)  # never for a spaced file: it has quotes
    except _NotFast:
        pass
    try:
        lines, rows = _records(text, delimiter, spaced=spaced)
    except InputFileError as exc:
        raise InputFileError(f"{name}, {exc}") from None
    i = _header_index(rows)
    if i is None:
        raise InputFileError(f"{name} has no rows.")
    header = rows[i]
    kept = [(ln, r) for ln, r in zip(lines[i + 1:], rows[i + 1:], strict=True) if not _is_blank(r)]
    body_lines = [ln for ln, _ in kept]
    body = _shape(name, header, body_lines, [r for _, r in kept], delimiter)
    return header, body_lines, body


class _NotFast(Exception):
    """The file needs the exact (csv module) path: quotes, blank lines, odd line ends."""


def _csv_fast(text: str, delimiter: str, name: str) -> tuple[list[str], Any, Any]:
    """pandas' C parser for the common case: no quotes, no blank lines, \\n or \\r\\n line ends.

    Then record k is line header_line + k, and the exact path would give the same frame (a test
    compares both on generated files). Anything else raises _NotFast.
    """
    if '"' in text:
        raise _NotFast
    text = text.replace("\r\n", "\n")
    if "\r" in text:
        raise _NotFast
    first_lines = text.split("\n", HEADER_SEARCH_ROWS + 1)[:HEADER_SEARCH_ROWS]
    rows = [line.split(delimiter) for line in first_lines]
    i = _header_index(rows)
    if i is None:
        raise _NotFast
    header = rows[i]
    start = sum(len(line) + 1 for line in first_lines[: i + 1])
    body = text[start:]
    if body.endswith("\n"):
        body = body[:-1]
    blank = f"[ \t{re.escape(delimiter)}]*(?:\n|\\Z)"
    # A blank first line, or a line break followed by one: the search jumps from break to break
    # (a literal first character), where "(?m)^...$" tried every character of a million rows.
    if not body or re.match(blank, body) or re.search("\n" + blank, body):
        raise _NotFast  # a blank row (or only separators): the exact path drops it and counts its line
    encoded = body.encode("utf-8")
    raw = np.frombuffer(encoded, dtype=np.uint8)
    breaks = np.flatnonzero(raw == ord("\n"))
    cuts = np.flatnonzero(raw == ord(delimiter))
    per_line = np.bincount(np.searchsorted(breaks, cuts), minlength=len(breaks) + 1)
    if len(per_line) != len(breaks) + 1 or (per_line != len(header) - 1).any():
        raise _NotFast  # a short or long row: the exact path pads it or names its line
    try:
        frame = pd.read_csv(io.BytesIO(encoded), encoding="utf-8", sep=delimiter, header=None, names=range(len(header)),
                            dtype=str, keep_default_na=False, na_filter=False, quoting=csv.QUOTE_NONE,
                            skip_blank_lines=False, engine="c", index_col=False)
    except (pd.errors.ParserError, ValueError):
        raise _NotFast from None
    if len(frame) != len(breaks) + 1:
        raise _NotFast
    # every line has exactly the header's cells (checked above), so no cell is missing
    header_line = i + 1
    return header, np.arange(header_line + 1, header_line + 1 + len(frame)), frame


# -- Excel -------------------------------------------------------------------------------------

def _excel_table(data: bytes, name: str) -> tuple[list[str], list[int], list[list[Any]]]:
    """The first sheet through openpyxl, so each cell's type is known (text, number, date, error).

    Loaded whole, not read-only: only a whole sheet has ``row_dimensions`` (which rows are hidden).
    It is loaded with its formulas, so a formula cell is known as one; only a sheet that has formulas
    is read a second time, read-only, for the results Excel saved (``_saved_results``)."""
    import openpyxl  # openpyxl loads only for an .xlsx file

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged zip or workbook
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputFileError(f"{name} could not be read as an Excel workbook: {first}") from None
    sheet = book.worksheets[0]
    if sheet.sheet_state != "visible":  # last month's sheet, hidden, in front of this month's
        raise InputFileError(
            f"{name}: its first sheet {sheet.title!r} is hidden, and the first sheet is the one read, so "
            "values you cannot see would be sent. Move the sheet with the updates to the front (or delete "
            "the hidden one) and save again.")
    grid = list(sheet.iter_rows(min_row=1, min_col=1, max_row=sheet.max_row, max_col=sheet.max_column))
    formulas = {(line, column): cell.value for line, row in enumerate(grid, 1)
                for column, cell in enumerate(row, 1) if cell.data_type == "f"}
    saved = _saved_results(data, formulas) if formulas else {}
    rows = [[saved.get((line, column), cell.value) if (line, column) in formulas else _cell_value(cell)
             for column, cell in enumerate(row, 1)] for line, row in enumerate(grid, 1)]
    # An AutoFilter or Hide: an analyst who filters a sheet to the rows to change expects those rows,
    # not the hidden ones, to be sent.
    hidden = {line for line, dimension in sheet.row_dimensions.items() if dimension.hidden}
    book.close()
    lines = list(range(1, len(rows) + 1))
    i = _header_index(rows)
    if i is None:
        raise InputFileError(f"{name} has no rows.")
    header = ["" if c is None else str(c) for c in rows[i]]
    while header and not header[-1].strip():
        header.pop()
    kept = [(ln, r) for ln, r in zip(lines[i + 1:], rows[i + 1:], strict=True) if not _is_blank(r)]
    body_lines = [ln for ln, _ in kept]
    unseen = [ln for ln in body_lines if ln in hidden]
    if unseen:
        named = ", ".join(map(str, unseen[:5])) + (f" and {len(unseen) - 5} more" if len(unseen) > 5 else "")
        raise InputFileError(
            f"{name}: line{'s' if len(unseen) > 1 else ''} {named} {'are' if len(unseen) > 1 else 'is'} hidden in "
            "the workbook (filtered out or hidden), so they would be sent although you cannot see them. Clear "
            "the filter and unhide the rows, delete the rows that must not be sent, and save again.")
    body = _shape(name, header, body_lines, [r for _, r in kept], None)
    return header, body_lines, body


_TEXT_TYPES = ("s", "str", "inlineStr")  # a formula whose result is text may have saved "" (read as None)


def _saved_results(data: bytes, formulas: dict[tuple[int, int], Any]) -> dict[tuple[int, int], Any]:
    """Each formula cell's value: the result Excel saved with it, or an ``UnsavedFormula``.

    A workbook written by a program that does not calculate (openpyxl, pandas) and never saved in
    Excel holds formulas with no result, which ``data_only`` reads as None, i.e. as an empty cell;
    such a cell is not "empty" but "not computed", and validation says to save the file in Excel.
    """
    import openpyxl  # openpyxl loads only for an .xlsx file
    from openpyxl.worksheet.formula import ArrayFormula

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    results: dict[tuple[int, int], Any] = {}
    try:
        for line, row in enumerate(book.worksheets[0].iter_rows(), 1):
            for column, cell in enumerate(row, 1):
                if (line, column) in formulas and (cell.value is not None or cell.data_type in _TEXT_TYPES):
                    results[(line, column)] = _cell_value(cell)
    finally:
        book.close()
    unsaved = {where: formula.text if isinstance(formula, ArrayFormula) else str(formula)
               for where, formula in formulas.items() if where not in results}
    return results | {where: UnsavedFormula(text or "=") for where, text in unsaved.items()}


def _cell_value(cell: Any) -> Any:
    """Text cells as their exact string; empty as ""; numbers, dates and booleans keep their type."""
    value = cell.value
    if value is None:
        return ""
    if cell.data_type == "e":  # #N/A, #REF!: the value rules refuse these texts
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)  # openpyxl gives 1000000.0 for an integer-valued number cell
    return value


__all__ = ["DELIMITERS", "InputFileError", "read_table", "read_updates"]
