"""Option values checked while the command line is parsed, so a wrong one is a usage error (exit 2).

argparse prints an ``ArgumentTypeError``'s message after the option's name before anything else runs:
for a mistyped ``--workers`` or ``--since`` no settings are read and no request is sent.
"""

from __future__ import annotations

import argparse
import math
from datetime import date

from ..batch.plan import MIN_MAX_RATE


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def port(text: str) -> int:
    """A TCP port, 1 to 65535 (a server whose address is printed before it starts needs a real one)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port; use 1 to 65535")
    return value


def port_or_any(text: str) -> int:
    """A TCP port, or 0 for any free one."""
    try:
        return 0 if text.strip() == "0" else port(text)
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(f"{exc} (or 0 for any free port)") from None


MAX_SECONDS = 3600.0


def seconds(text: str) -> float:
    """A finite delay from 0 to an hour: nan or inf would be accepted, then fail inside every request."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value <= MAX_SECONDS:  # also false for nan
        raise argparse.ArgumentTypeError(f"{text!r}: use a number of seconds from 0 to {MAX_SECONDS:g}, e.g. 0.2")
    return value


def requests_per_second(text: str) -> float:
    """A pace the run can keep; checked here, since a batch once started before a wrong one was refused."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < MIN_MAX_RATE:
        raise argparse.ArgumentTypeError(f"{text!r}: use a number of requests per second of at least "
                                         f"{MIN_MAX_RATE:.6f} (one an hour), e.g. 5; leave --max-rate out for no limit")
    return value


def nonblank(text: str) -> str:
    """An ID to look up: '' (an unset shell variable) would look up nothing and say nothing was found."""
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty; give the ID")
    return text.strip()


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
