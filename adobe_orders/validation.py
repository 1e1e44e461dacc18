"""The input rules, kept in one place: the client, the batch helpers and the form all use them.

Nothing is sent for a value these rules refuse. IDs become URL path segments, so the rules are
also what keeps a pasted ``../`` or ``%2F`` from ever leaving the path.
"""

from __future__ import annotations

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

_ID_RE = re.compile(ID_PATTERN)
_FORBIDDEN_RE = re.compile(FORBIDDEN_PATTERN)
_EXCEL_RE = re.compile(EXCEL_DAMAGE_PATTERN)

FIELD_LABELS = {
    "customer_id": "Customer ID",
    "order_id": "Order ID",
    "external_reference_id": "External reference ID",
}


def is_forbidden_char(ch: str) -> bool:
    """The category rule; the literal class covers it (tests check every code point) and also
    the few code points newer Unicode versions made Cf, so results never depend on Python's."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") or bool(_FORBIDDEN_RE.fullmatch(ch))


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
    if isinstance(value, float):
        raise ValidationError(
            field, "text",
            f"{label} {value!r} arrived as a number, which loses leading zeros; read the column as text.",
        )
    if not isinstance(value, str | int):
        raise ValidationError(field, "text", f"{label} must be text, not {type(value).__name__}.")
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


def check_id(value: object, field: str = "order_id") -> str:
    """Return the ID, surrounding spaces removed, or raise ValidationError saying why not."""
    text = _text(value, field)
    label = FIELD_LABELS[field]
    if _EXCEL_RE.fullmatch(text):
        raise ValidationError(
            field, "excel",
            f"{label} {shown(text)} looks like a number Excel reformatted; re-export the column as text.",
        )
    if len(text) > ID_MAX_LENGTH:
        raise ValidationError(
            field, "length", f"{label} is {len(text)} characters long; at most {ID_MAX_LENGTH} are allowed."
        )
    if not _ID_RE.fullmatch(text):
        bad = next(ch for ch in text if not _ID_RE.fullmatch(ch))
        raise ValidationError(
            field, "characters",
            f"{label} {shown(text)} contains {bad!r}; IDs are letters, digits and hyphens only.",
        )
    return text


def check_customer_id(value: object) -> str:
    return check_id(value, "customer_id")


def check_order_id(value: object) -> str:
    return check_id(value, "order_id")


def check_external_reference_id(value: object) -> str:
    text = _text(value, "external_reference_id")
    if len(text) > REFERENCE_MAX_LENGTH:
        raise ValidationError(
            "external_reference_id", "length",
            f"External reference ID is {len(text)} characters long; Adobe allows at most "
            f"{REFERENCE_MAX_LENGTH}.",
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
