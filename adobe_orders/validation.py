"""The input rules, kept in one place: the client, the batch helpers and the form all use them.

Nothing is sent for a value these rules refuse. IDs become URL path segments, so the rules are
also what keeps a pasted ``../`` or ``%2F`` from ever leaving the path.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Callable

from .errors import ValidationError

ID_MAX_LENGTH = 40  # api-contract: IDs are strings of at most 40 characters
REFERENCE_MAX_LENGTH = 35  # api-contract: externalReferenceId at most 35 characters (2126)

# Letters (any script), digits and hyphens, as in the contract's ^[\p{L}\d\-]{4,40}$.
ID_PATTERN = r"(?:[^\W_]|-)+"
# Unicode Cc and Cf (control and invisible formatting: RTL overrides, zero-width, BOM, ...)
# plus the line/paragraph separators. A literal class so vectorised pandas code can use it;
# tests check it against unicodedata for every code point.
FORBIDDEN_CHARS = (
    "\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
FORBIDDEN_PATTERN = f"[{FORBIDDEN_CHARS}]"
# What Excel makes of a long numeric ID: 1.23457E+09, or 123456789.0 after a float round trip.
EXCEL_DAMAGE_PATTERN = r"[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+|[0-9]+[.,]0+"
# A date cell written out as text: 2026-03-01 00:00:00 (pandas/openpyxl), 2026-03-01T00:00:00.
EXCEL_DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
# Excel's error values, which a CSV export writes as text.
EXCEL_ERRORS = ("#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!", "#CALC!",
                "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!")
# A value a spreadsheet would evaluate: = or @ first, or + / - first and then anything but a plain
# number-or-code (digits first, then letters, digits, spaces, dot, slash, hyphen). "-5", "+49 30 1234"
# and "-2026-A" stay valid; "-x", "+A1", "=1+1", "@SUM(A1)" and "-2+3+cmd|' /C calc'!A0" do not.
FORMULA_PATTERN = r"[=@]|[+-](?![0-9][0-9A-Za-z ./-]*$)"

# Strict ASCII subsets of the rules, for validate_updates' vectorised first pass: a cell they match is
# certainly valid and unchanged by the rules; every other cell goes through the rules, which explain.
# (A test checks "fast match => the rules accept it as is" on generated strings.)
# (Possessive quantifiers, Python 3.11+, keep the look-aheads from backtracking: they run on every cell.)
FAST_ID_PATTERN = f"(?![0-9]++[eE])[0-9A-Za-z-]{{1,{ID_MAX_LENGTH}}}"
FAST_REFERENCE_PATTERN = (f"(?![0-9]*+[.,eE][0-9.,eE+]*+$)(?![0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[ T])"
                          f"[0-9A-Za-z](?:[ -~]{{0,{REFERENCE_MAX_LENGTH - 2}}}[!-~])?")

_ID_RE = re.compile(ID_PATTERN)
_FORBIDDEN_RE = re.compile(FORBIDDEN_PATTERN)
_EXCEL_RE = re.compile(EXCEL_DAMAGE_PATTERN)
_DATE_RE = re.compile(EXCEL_DATE_PATTERN)
_FORMULA_RE = re.compile(FORMULA_PATTERN)

FIELD_LABELS = {
    "customer_id": "Customer ID",
    "order_id": "Order ID",
    "external_reference_id": "External reference ID",
}


class UnsavedFormula(str):
    """An .xlsx formula cell that holds no saved result; its text is the formula (``="PO-"&B2``).

    A workbook written by openpyxl, pandas or a script, and never saved by Excel, stores formulas
    without their results, so the value to send is unknown. ``read_updates`` gives such a cell this
    type (instead of the "" an unread result looks like) so the rules can say why on its row.
    """

    __slots__ = ()


def is_forbidden_char(ch: str) -> bool:
    """The category rule; the literal class covers it (tests check every code point) and also
    the few code points newer Unicode versions made Cf, so results never depend on Python's."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") or bool(_FORBIDDEN_RE.fullmatch(ch))


def is_id_char(ch: str) -> bool:
    """The contract's ``[\\p{L}\\d\\-]``: a letter of any script (Unicode category L*), an ASCII digit,
    or a hyphen. Python's ``\\w`` also takes full-width, superscript and Arabic-Indic digits, which
    no Adobe ID holds: an ID typed with an IME's digits would be sent and come back 404."""
    return ch == "-" or "0" <= ch <= "9" or unicodedata.category(ch).startswith("L")


def describe_char(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}{' ' + name if name else ''}"


def shown(text: str, limit: int = 40) -> str:
    """A value as quoted in a message: repr'd (so invisible characters show) and cut short."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"… ({len(text)} characters)"


def _text(value: object, field: str) -> str:
    label = FIELD_LABELS[field]
    # None, NaN and pandas' NA/NaT all mean an empty cell (pandas is not imported for this)
    if value is None or (isinstance(value, float) and value != value) or type(value).__name__ in ("NAType",
                                                                                                     "NaTType"):
        raise ValidationError(field, "required", f"{label} is empty.")
    if isinstance(value, UnsavedFormula):
        raise _unsaved_formula(value, field)
    if not isinstance(value, str):
        raise _not_text(value, field)
    text = str(value)
    bad = _FORBIDDEN_RE.search(text)
    if bad:
        raise ValidationError(
            field, "invisible",
            f"{label} contains an invisible or control character ({describe_char(bad.group())}); "
            "retype it rather than pasting.",
        )
    text = text.strip()
    if not text:
        raise ValidationError(field, "required", f"{label} is empty.")
    return text


def _unsaved_formula(formula: UnsavedFormula, field: str) -> ValidationError:
    label = FIELD_LABELS[field]
    which = f" ({shown(str(formula))})" if len(formula) > 1 else ""  # a shared formula's copies hold no text
    return ValidationError(
        field, "unsaved_formula",
        f"{label} is a formula{which} with no saved value: the file was written by a program that does not "
        "calculate formulas and was never saved in Excel, so its result is unknown. Open the file in Excel and "
        "save it (or copy the column and use Paste Special > Values), then read it again.",
    )


def _not_text(value: object, field: str) -> ValidationError:
    """Why a cell that is not text is refused: its true text is not known.

    A spreadsheet number cell has lost leading zeros (customer 0001000000 shows as 1000000) and
    every digit past the 15th; a date cell is no longer what was typed. ``read_updates`` keeps such
    cells' types so this rule can see them.
    """
    label = FIELD_LABELS[field]
    if isinstance(value, bool):
        return ValidationError(field, "text", f"{label} is a TRUE/FALSE cell, not text; type the value again "
                                              "in a column formatted as Text.")
    if isinstance(value, int | float) or type(value).__module__ == "numpy":
        if isinstance(value, float):  # as Excel shows it: 15 significant digits
            shown_number = f"{value:.0f}" if value.is_integer() and abs(value) < 1e15 else f"{value:.15G}"
        else:
            shown_number = str(value)
        return ValidationError(
            field, "number",
            f"{label} {shown_number} arrived as a number, not text, so its leading zeros (and any digits past "
            "the 15th) may be lost; format the column as Text in the spreadsheet and type the value again, "
            "or read the column as text (dtype=str).",
        )
    if isinstance(value, _dt.date | _dt.time):
        return ValidationError(
            field, "date",
            f"{label} is a date cell ({value}), not the text that was typed; the spreadsheet turned the value "
            "into a date. Format the column as Text and type the value again.",
        )
    return ValidationError(field, "text", f"{label} must be text, not {type(value).__name__}.")


def _spreadsheet_damage(text: str, field: str) -> ValidationError | None:
    """Text that is what a spreadsheet made of a value, not the value: 2.40505E+17, 12345.0,
    2026-03-01 00:00:00, #N/A. The true value cannot be recovered from it, so it is refused."""
    label = FIELD_LABELS[field]
    if _EXCEL_RE.fullmatch(text):
        return ValidationError(
            field, "excel",
            f"{label} {shown(text)} looks like a number Excel reformatted (scientific notation or a "
            "trailing .0), so the real value is lost; format the column as Text, type the value again and "
            "re-export.",
        )
    if _DATE_RE.fullmatch(text):
        return ValidationError(
            field, "excel",
            f"{label} {shown(text)} looks like a date Excel made of the value; format the column as "
            "Text, type the value again and re-export.",
        )
    if text.upper() in EXCEL_ERRORS:
        return ValidationError(
            field, "excel", f"{label} {shown(text)} is a spreadsheet error value, not a reference; fix the cell."
        )
    return None


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet opening this value would evaluate it (see FORMULA_PATTERN)."""
    return bool(_FORMULA_RE.match(text)) or text[:1] in ("\t", "\r")


def check_id(value: object, field: str = "order_id") -> str:
    """Return the ID, surrounding spaces removed, or raise ValidationError saying why not."""
    text = _text(value, field)
    label = FIELD_LABELS[field]
    damage = _spreadsheet_damage(text, field)
    if damage is not None:
        raise damage
    if len(text) > ID_MAX_LENGTH:
        raise ValidationError(
            field, "length", f"{label} is {len(text)} characters long; at most {ID_MAX_LENGTH} are allowed."
        )
    bad = None if text.isascii() and _ID_RE.fullmatch(text) else next((c for c in text if not is_id_char(c)), None)
    if bad is not None:
        raise ValidationError(
            field, "characters",
            f"{label} {shown(text)} contains {bad!r}; IDs are letters, digits and hyphens only.",
        )
    return text


def check_customer_id(value: object) -> str:
    return check_id(value, "customer_id")


def check_order_id(value: object) -> str:
    return check_id(value, "order_id")


def check_external_reference_id(value: object, *, allow_formula: bool = False) -> str:
    """The value as it will be sent, or ValidationError.

    ``allow_formula=True`` is for restoring a value Adobe already held (undo): a value another tool
    set that looks like a formula is put back as it was; a *new* value never may look like one.
    """
    text = _text(value, "external_reference_id")
    if len(text) > REFERENCE_MAX_LENGTH:
        raise ValidationError(
            "external_reference_id", "length",
            f"External reference ID is {len(text)} characters long; Adobe allows at most "
            f"{REFERENCE_MAX_LENGTH}.",
        )
    damage = _spreadsheet_damage(text, "external_reference_id")
    if damage is not None:
        raise damage
    if not allow_formula and is_formula_like(text):
        raise ValidationError(
            "external_reference_id", "formula",
            f"External reference ID {shown(text)} starts like a spreadsheet formula ({text[0]!r}); whoever opens "
            "the reconciliation file in Excel would run it. Remove the leading character.",
        )
    return text


def check_update(customer_id: object, order_id: object, value: object) -> tuple[str, str, str]:
    return check_customer_id(customer_id), check_order_id(order_id), check_external_reference_id(value)


def problems(customer_id: object, order_id: object, value: object | None = None) -> list[str]:
    """Every problem at once, for a form that explains while the analyst types."""
    found = []
    checks: list[tuple[Callable[[object], str], object]] = [(check_customer_id, customer_id),
                                                            (check_order_id, order_id)]
    if value is not None:
        checks.append((check_external_reference_id, value))
    for check, raw in checks:
        try:
            check(raw)
        except ValidationError as exc:
            found.append(exc.message)
    return found
