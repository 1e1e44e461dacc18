"""How the CLI names itself and this environment in the commands it prints.

A command the tool prints ("Undo with: …", "install with: …") must run as printed, pasted into
the same shell. After the README's Quickstart the venv is not activated, so plain
``adobe-orders`` is not on PATH; the right spelling is the one the user just typed:
``.venv/bin/adobe-orders`` or ``.venv/bin/python -m adobe_orders``.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .render import is_blank

if TYPE_CHECKING:
    import pandas as pd


def _shown_path(path: str | os.PathLike[str]) -> str:
    """``path`` relative to the working folder when it lies below it (``.venv/bin/python``), else absolute."""
    absolute = Path(path).absolute()
    try:
        relative = absolute.relative_to(Path.cwd().absolute())
    except ValueError:
        return shlex.quote(str(absolute))
    return shlex.quote(str(relative) if "/" in str(relative) else f"./{relative}")


def this_python() -> str:
    """This interpreter, spelled so it runs from the working folder (the venv's python, not PATH's)."""
    return _shown_path(sys.executable)


def command_prefix(argv0: str | None = None) -> str:
    """How to run this CLI again from this shell: the way it was started, shortened when that is safe."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    name = Path(argv0).name
    if name == "adobe-orders":
        on_path = shutil.which("adobe-orders")
        if on_path and Path(on_path).resolve() == Path(argv0).resolve():
            return "adobe-orders"
        return _shown_path(argv0)
    return f"{this_python()} -m adobe_orders"


def pip_install_extra(extra: str) -> str:
    """A pip command that adds an optional extra to *this* environment (``pip`` on PATH may be another)."""
    source = Path(__file__).resolve().parent.parent
    if (source / "pyproject.toml").is_file():  # an editable install from a checkout, as the README does it
        where = "." if source == Path.cwd().resolve() else _shown_path(source)
        return f"{this_python()} -m pip install -e {shlex.quote(f'{where}[{extra}]')}"
    return f"{this_python()} -m pip install {shlex.quote(f'adobe-orders[{extra}]')}"




# -- what reaches the terminal ---------------------------------------------------------------------------
# C0 and C1 control characters (but line feed, carriage return and tab, which the progress bar and the
# layout use) and the bidirectional overrides. A cell holding ESC]0;…BEL or ESC[2J — from a file someone
# sent, or a reference another tool set at Adobe — would otherwise be obeyed by the terminal (retitle,
# clear, hide text, reorder a line) instead of shown.
_UNPRINTABLE = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)] if c not in (0x09, 0x0A, 0x0D)}
_UNPRINTABLE.update({c: f"\\u{c:04x}" for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]})


def printable(text: str) -> str:
    """``text`` with control characters shown escaped (``\\x1b``), never obeyed by a terminal."""
    return text.translate(_UNPRINTABLE)


class PrintableStream:
    """A text stream that writes ``printable(text)`` to the stream it wraps (``cli.console.Console``)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(printable(text))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name: str) -> object:  # flush, isatty, fileno, encoding: the real stream's
        return getattr(self.stream, name)


# -- tables that fit a terminal -------------------------------------------------------------------------
WIDTH = 100


def _cell(value: object) -> str:
    return "" if is_blank(value) else " ".join(str(value).split())


def fit_table(rows: list[dict[str, object]], columns: list[str], *, width: int = WIDTH,
              shrink: tuple[str, ...] = ()) -> str:
    """A plain-text table no wider than ``width``: blanks for missing values; the ``shrink`` columns
    (free text, not IDs) are cut with "…" when the line would be too long, widest first."""
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    while sum(widths) + 2 * (len(columns) - 1) > width:
        candidates = [i for i, c in enumerate(columns) if c in shrink and widths[i] > max(len(c), 8)]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: widths[i])
        widths[widest] -= 1

    def fit(text: str, w: int) -> str:
        return text if len(text) <= w else text[: w - 1] + "…"

    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(fit(v, w).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)


def history_text(frame: pd.DataFrame, *, last: int | None) -> str:
    """The journal for a terminal: rows grouped under their batch, "30 of 38" said plainly, <= 100 columns."""
    total = len(frame)
    shown = frame if last is None or last >= total else frame.tail(last)
    previous = "previous_value" if "previous_value" in frame else "previous"
    target = "target_value" if "target_value" in frame else "target"
    if len(shown) < total:
        head = f"The last {len(shown)} of {total} journaled rows (--all shows every row; --out FILE saves them whole):"
    else:
        head = f"All {total} journaled rows:"
    blocks = [head]
    records = shown.to_dict("records")
    for batch in dict.fromkeys(r.get("batch_id") for r in records):
        rows = [r for r in records if r.get("batch_id") == batch]
        first = rows[0]
        when = _cell(first.get("created_at") or first.get("updated_at"))[:16].replace("T", " ")
        parent = _cell(first.get("parent_batch"))
        who = _cell(first.get("who")) + (f"@{_cell(first.get('host'))}" if _cell(first.get("host")) else "")
        about = " · ".join(x for x in (_cell(first.get("kind")), f"of {parent}" if parent else "",
                                       _cell(first.get("environment")), f"{when} UTC" if when else "",
                                       f"by {who}" if who else "") if x)
        table = fit_table([{"customer": r.get("customer_id"), "order": r.get("order_id"), "status": r.get("status"),
                            "previous → target": f"{_cell(r.get(previous))} → {_cell(r.get(target))}"}
                           for r in rows], ["customer", "order", "status", "previous → target"],
                          width=WIDTH - 2, shrink=("previous → target",))
        blocks.append(f"\nBatch {_cell(batch)} ({about})\n" + "\n".join("  " + line for line in table.splitlines()))
    return "\n".join(blocks)


__all__ = ["command_prefix", "fit_table", "history_text", "pip_install_extra", "this_python"]
