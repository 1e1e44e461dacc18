"""``read_updates``: a CSV or Excel file as text, every cell exactly as typed.

Everything is read as strings: leading zeros stay, ``NA``/``NULL``/``N/A`` stay the strings they
are, no ID becomes a float. Files that cannot be read give a message that says how to fix them.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import IO

import pandas as pd

from ..errors import AdobeOrdersError
from .columns import canonical_headers

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}


class InputFileError(AdobeOrdersError, ValueError):
    """The file could not be read as a table of updates."""


def _name(source: object) -> str:
    return str(getattr(source, "name", source if isinstance(source, str | os.PathLike) else "the data"))


def _is_excel(source: object, head: bytes) -> bool:
    suffix = Path(_name(source)).suffix.lower()
    return suffix in EXCEL_SUFFIXES or head.startswith(b"PK\x03\x04")


def read_updates(path_or_buffer: str | os.PathLike[str] | IO[bytes] | IO[str]) -> pd.DataFrame:
    """Read updates from CSV or .xlsx; recognised headers are renamed to the API's names."""
    name = _name(path_or_buffer)
    try:
        if isinstance(path_or_buffer, str | os.PathLike):
            data = Path(path_or_buffer).read_bytes()
        else:
            raw = path_or_buffer.read()
            data = raw.encode("utf-8") if isinstance(raw, str) else raw
    except FileNotFoundError:
        raise InputFileError(f"{name}: no such file.") from None
    except IsADirectoryError:
        raise InputFileError(f"{name} is a folder, not a file.") from None
    if not data.strip():
        raise InputFileError(f"{name} is empty: expected a header row (customerId, orderId, "
                             "externalReferenceId) and one row per order.")
    try:
        if _is_excel(path_or_buffer, data[:4]):
            frame = pd.read_excel(io.BytesIO(data), dtype=str, keep_default_na=False, na_filter=False)
        else:
            frame = pd.read_csv(io.StringIO(_decode(data, name)), dtype=str, keep_default_na=False,
                                na_filter=False, skip_blank_lines=True)
    except InputFileError:
        raise
    except pd.errors.EmptyDataError:
        raise InputFileError(f"{name} has no rows.") from None
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputFileError(f"{name} could not be read as a CSV or Excel table: {first}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return canonical_headers(frame).astype(object)


def _decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")  # Excel's "Unicode text" export
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{name} is not UTF-8 (byte 0x{data[exc.start]:02x} at position {exc.start}). In Excel use "
            "File > Save As > 'CSV UTF-8 (Comma delimited)', then read it again."
        ) from None
