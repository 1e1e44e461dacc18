"""Option values checked while the command line is parsed, so a wrong one is a usage error (exit 2).

argparse prints an ``ArgumentTypeError``'s message after the option's name before anything else runs:
for a mistyped ``--workers`` or ``--since`` no settings are read and no request is sent.
"""

from __future__ import annotations

import argparse
from datetime import date


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


ORDER_TYPE_NAMES = ("NEW", "RENEWAL", "RETURN", "TRANSFER", "SWITCH", "REVERT_SWITCH")


def order_types(text: str) -> list[str]:
    values = [v.strip().upper() for v in text.split(",") if v.strip()]
    wrong = [v for v in values if v not in ORDER_TYPE_NAMES]
    if wrong or not values:
        raise argparse.ArgumentTypeError(f"{text!r}: use {', '.join(ORDER_TYPE_NAMES)}")
    return values


def status_codes(text: str) -> list[str]:
    values = [v.strip() for v in text.split(",") if v.strip()]
    if not values or not all(v.isdigit() and len(v) == 4 for v in values):
        raise argparse.ArgumentTypeError(f"{text!r}: a 4-digit status code such as 1000 (complete) or 1002")
    return values


def iso_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day as YYYY-MM-DD") from None
