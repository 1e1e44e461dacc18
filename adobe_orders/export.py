"""Writing tables for spreadsheets: every export (CLI ``--out``, ``history --out``, the panel's
download) goes through ``write_table``, so none of them can hand Excel a live formula.

A cell a spreadsheet would evaluate — one starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return (OWASP, "CSV Injection") — could run ``=HYPERLINK(…)`` or worse when a colleague opens the
file. The two formats are made safe differently, both reversibly, so ``read_updates`` reads back
exactly the values written:

- **CSV**: such a cell gets a leading apostrophe, OWASP's advice (``=1+1`` → ``'=1+1``). To keep the
  scheme reversible, a cell that already starts with apostrophes before one of those characters
  gets one more (``'=x`` → ``''=x``); ``restore_cell`` removes exactly one. No other cell changes.
- **XLSX**: every string is written as a *text* cell (never a formula) and the dangerous ones also
  carry Excel's "quote prefix" style, so editing the cell in Excel keeps it text. The stored value
  is the exact string; nothing needs restoring. Every column of text (IDs, references), blank cells
  included, is formatted as Text (``@``), so digits an analyst types there stay text.

``.xls`` (Excel 97-2003) cannot be written by any library we trust here; it is refused with the
names that can be. Other suffixes are refused too, so a results file is never CSV text under a
name that promises something else.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import AdobeOrdersError

if TYPE_CHECKING:  # pandas loads only when a table is written, so the CLI starts fast
    import pandas as pd  # see TYPE_CHECKING above: the CLI starts without pandas

FORMULA_START = "=+-@\t\r"
TEXT_FORMAT = "@"  # Excel's "Text" number format
_NEEDS_PREFIX = re.compile(r"'*[=+\-@\t\r]")
WRITABLE = {".csv": "CSV", ".xlsx": "Excel workbook", ".xlsm": "Excel workbook"}


class ExportError(AdobeOrdersError, ValueError):
    """The results cannot be written where or how asked; raised before anything is written."""


def neutralise_cell(value: str) -> str:
    """``value`` as a CSV cell no spreadsheet evaluates; ``restore_cell`` undoes it exactly."""
    return "'" + value if _NEEDS_PREFIX.match(value) else value


def restore_cell(text: str) -> str:
    """The inverse of ``neutralise_cell``: one apostrophe off a neutralised cell, else unchanged."""
    return text[1:] if text[:1] == "'" and _NEEDS_PREFIX.match(text, 1) else text


def starts_like_formula(text: str) -> bool:
    """OWASP's test: a spreadsheet may evaluate a cell starting with = + - @ tab or CR. (Broader than
    the *value* rule in validation.py, which lets "-5" and "+49 30 1234" through: exports neutralise
    every such cell anyway.)"""
    return text[:1] in FORMULA_START and text != ""


def check_output_path(path: str | os.PathLike[str]) -> Path:
    """The path if its suffix names a format we write; ExportError otherwise. Call it *before* a batch."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".xls":
        raise ExportError(f"{target}: .xls is the old Excel 97-2003 format, which is not written here; "
                          "use .xlsx (Excel) or .csv.")
    if suffix not in WRITABLE:
        raise ExportError(f"{target}: cannot tell the format from {suffix or 'a name without a suffix'!r}; "
                          "use a name ending in .csv or .xlsx.")
    if target.is_dir():
        raise ExportError(f"{target} is a folder; give a file name ending in .csv or .xlsx.")
    return target


def _cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell *and header* neutralised, whatever the column's dtype (object, string, category)."""
    import pandas as pd  # see TYPE_CHECKING above: the CLI starts without pandas

    out = frame.copy()
    out.columns = pd.Index([neutralise_cell(c) if isinstance(c, str) else c for c in out.columns], dtype=object)
    for j in range(out.shape[1]):
        column = out.iloc[:, j]
        if not (pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_datetime64_any_dtype(column.dtype)):
            out.isetitem(j, [neutralise_cell(v) if isinstance(v, str) else v for v in column.to_numpy(dtype=object)])
    return out


def write_table(frame: pd.DataFrame, path: str | os.PathLike[str], *, index: bool = False) -> Path:
    """Write ``frame`` as CSV (UTF-8) or XLSX, chosen by the suffix, with formula cells neutralised.

    The file appears complete or not at all (written beside it, then renamed).
    """
    target = check_output_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.partial{target.suffix}")
    try:
        if target.suffix.lower() == ".csv":
            # CRLF, as Excel writes it: the csv writer then quotes any cell holding \r or \n
            table = frame.reset_index() if index else frame  # the index is cells too
            _cells(table).to_csv(temporary, index=False, encoding="utf-8", lineterminator="\r\n")
        else:
            _write_xlsx(frame, temporary, index=index)
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise ExportError(f"{target} could not be written: {exc.strerror or exc}.") from None
    return target


def text_columns(frame: pd.DataFrame) -> set[int]:
    """The 1-based positions of the columns written as Text (``@``): every column that is not numbers,
    dates or booleans. IDs and references are text, and a blank cell of such a column is where an
    analyst types a PO: formatted as General, Excel would store ``4500012345`` as a number (and
    ``0012`` as 12), which ``apply`` then has to refuse."""
    import pandas as pd  # the CLI exports without loading pandas for every command

    types = pd.api.types
    return {j for j, dtype in enumerate(frame.dtypes, start=1)
            if not (types.is_numeric_dtype(dtype) or types.is_datetime64_any_dtype(dtype))}


def _write_xlsx(frame: pd.DataFrame, path: Path, *, index: bool) -> None:
    """Every string a text cell (data type "s"), never a formula; dangerous ones quote-prefixed."""
    import pandas as pd  # see TYPE_CHECKING above: the CLI starts without pandas and openpyxl
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=False)
    sheet = book.active
    table = frame.reset_index() if index else frame
    text = text_columns(table)
    for c in text:  # the whole column, so a cell typed below the last row is text too
        sheet.column_dimensions[get_column_letter(c)].number_format = TEXT_FORMAT
    rows = enumerate([tuple(str(c) for c in table.columns), *table.itertuples(index=False, name=None)], start=1)
    for r, row in rows:  # the header row too: a column named "=1+1" must not become a formula
        for c, value in enumerate(row, start=1):
            blank = value is None or (not isinstance(value, str) and pd.isna(value) is True)
            if blank and (r == 1 or c not in text):
                continue
            cell = sheet.cell(row=r, column=c)
            if r > 1 and c in text:
                cell.number_format = TEXT_FORMAT  # what the analyst types here stays text (4500012345, 0012)
            if blank:
                continue
            if isinstance(value, datetime) and value.tzinfo is not None:
                value = value.isoformat()  # Excel has no time zones
            elif not isinstance(value, str | int | float | bool | datetime | date):
                value = value.item() if hasattr(value, "item") else str(value)
            if isinstance(value, str):
                # XML cannot hold most control characters; show them escaped rather than fail
                value = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
                cell.value = value
                cell.data_type = "s"  # openpyxl would make "=…" a formula; this keeps it text
                if starts_like_formula(value) or value[:1] == "'":
                    cell.quotePrefix = True
            else:
                cell.value = value
    book.save(path)


__all__ = ["TEXT_FORMAT", "ExportError", "check_output_path", "neutralise_cell", "restore_cell", "starts_like_formula",
           "text_columns", "write_table"]
