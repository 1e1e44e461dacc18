"""What is wrong with a CSV line's double quotes, in words an analyst can act on.

Python's csv module stops at a broken quote with "',' expected after '\"'", or reads on to the
end of the file; when that happens on the header, no separator splits it, and the file was called
"one single column". These helpers find the quote that breaks the rule (a double quote opens a
cell and closes it right before the separator or the line's end) and name it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence

from ..validation import shown
from .columns import ALIASES

DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}
SEPARATOR_WORDS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
CELL_RULE = 'A double quote may only enclose a whole cell (a quote inside a cell is written twice: "").'
QUOTE_RULE = (f"{CELL_RULE} Correct the quotes in a text editor, or retype the header in Excel and use File > "
              "Save As > 'CSV UTF-8 (Comma delimited)'; then read the file again.")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the line ends csv counts (io.StringIO with newline="")


def physical_lines(text: str) -> list[str]:
    """The file's lines, numbered as the csv module numbers them (``lines[n - 1]`` is line n)."""
    return _LINE_BREAK.split(text)


def quote_problem(line: str, delimiter: str, *, spaced: bool = False) -> str | None:
    """Where ``line`` breaks the quoting rule, or None. ``spaced``: spaces after a separator are skipped
    (``"a", "b"``), as the reader does for a file written that way."""
    i, n = 0, len(line)
    while True:
        if spaced:
            while i < n and line[i] == " ":
                i += 1
        if i < n and line[i] == '"':
            opened = i
            i += 1
            while True:
                close = line.find('"', i)
                if close < 0:
                    return f"the double quote that opens the cell {shown(line[opened:])} is not closed on that line"
                if line[close + 1:close + 2] != '"':
                    break
                i = close + 2  # "" is a quote inside the cell
            i = close + 1
            if i < n and line[i] != delimiter:
                return (f"the cell {shown(line[opened:close + 1])} ends with a double quote that is followed by "
                        f"{shown(line[i])} instead of a {SEPARATOR_WORDS.get(delimiter, repr(delimiter))}")
        else:
            found = line.find(delimiter, i)
            i = n if found < 0 else found
        if i >= n:
            return None
        i += 1  # past the separator


def _names_fields(line: str) -> bool:
    """True when the line, quotes and separators aside, names at least two of the three fields."""
    keys = {re.sub(r"[^0-9a-z]", "", token.lower()) for token in re.split(r'[,;\t|"]+', line.lstrip("\ufeff"))}
    return sum(1 for aliases in ALIASES.values() if keys & aliases) >= 2


def header_problem(head: str, delimiters: Sequence[str], limit: int) -> tuple[int, str] | None:
    """(line, what is wrong) when quotes are why no separator splits the header, else None.

    The lines checked are those down to the header (the first naming two fields, else the first
    non-blank one): a broken quote in a title line above it breaks the header too.
    """
    numbered = [(n, line) for n, line in enumerate(physical_lines(head)[:limit], 1) if line.strip()]
    if not numbered:
        return None
    target = next((n for n, line in numbered if _names_fields(line)), numbered[0][0])
    for n, line in numbered:
        if n > target:
            break
        delimiter = max(delimiters, key=line.count)  # the most frequent one (the first on a tie)
        problem = quote_problem(line, delimiter)
        if problem:
            return n, f"{problem}. {QUOTE_RULE}"
        cells = next(csv.reader([line], delimiter=delimiter))
        if n == target and len(cells) == 1 and line.strip().startswith('"') and delimiter in cells[0]:
            return n, (f"the whole header line is one cell in double quotes ({shown(cells[0], 60)}), so the "
                       f"{DELIMITER_NAMES[delimiter]} inside it do not separate cells. This happens when lines of a "
                       "CSV file are pasted into one Excel column: in Excel select that column, use Data > Text to "
                       f"Columns (Delimited, {SEPARATOR_WORDS[delimiter]}) and save as 'CSV UTF-8 (Comma "
                       "delimited)'; or remove the outer quotes of each line in a text editor. Then read the file "
                       "again.")
    return None
