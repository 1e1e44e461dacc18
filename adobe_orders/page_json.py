"""An order-history page decoded as ``json.loads`` would, keeping each order's own JSON text.

``fetch_orders`` shows every order's JSON (``order_json``). Encoding 100 decoded orders again costs
more than decoding the page, on the worker that must send the next request, so the text of each
element of ``items`` is taken from the answer itself: the same characters Adobe sent. The page's
top-level object is walked here, key by key, with ``json``'s own scanner for every value, so the
values are exactly what ``json.loads`` makes. Anything this walk does not expect is left to
``json.loads`` (and its error), and the page then carries no texts: the caller encodes instead.
"""

from __future__ import annotations

import json
import re
from json.scanner import make_scanner
from typing import Any

# json's own (C) scanner: one value at an index. (typeshed types its argument oddly.)
_SCAN = make_scanner(json.JSONDecoder())  # type: ignore[arg-type]
_WHITESPACE = re.compile(r"[ \t\n\r]*")  # what JSON allows between tokens, as json.decoder has it


class PageAnswer(dict[str, Any]):
    """The decoded page (a plain ``dict`` to everything else), with the text of each of its
    ``items`` in ``item_texts``, or ``None`` when they could not be kept."""

    item_texts: list[str] | None = None


def decode_page(body: bytes) -> PageAnswer:
    """``json.loads(body)`` for a JSON object, with ``item_texts``; raises what ``json.loads`` raises.
    A body that is not a JSON object is returned as ``json.loads`` decodes it."""
    text = body.decode(json.detect_encoding(body), "surrogatepass")
    try:
        return _walk(text)
    except (ValueError, StopIteration, IndexError):
        pass
    # The bytes, not ``text``: json.loads refuses a str that starts with a BOM in its own words
    # ("Unexpected UTF-8 BOM"), which two BOMs leave after decoding; for bytes it says what it says.
    decoded = json.loads(body)  # the value, or the error json names, as without this module
    return PageAnswer(decoded) if isinstance(decoded, dict) else decoded


def _skip(text: str, at: int) -> int:
    match = _WHITESPACE.match(text, at)
    return match.end() if match else at


def _walk(text: str) -> PageAnswer:
    at = _skip(text, 0)
    if text[at] != "{":
        raise ValueError("not an object")
    page, at = PageAnswer(), _skip(text, at + 1)
    if text[at] == "}":
        return _end(text, at + 1, page)
    while True:
        if text[at] != '"':
            raise ValueError("a key must be a string")
        key, at = _SCAN(text, at)
        at = _skip(text, at)
        if text[at] != ":":
            raise ValueError("':' expected")
        at = _skip(text, at + 1)
        if key == "items" and text[at] == "[":
            page[key], page.item_texts, at = _items(text, at)
        else:
            page[key], at = _SCAN(text, at)
            if key == "items":
                page.item_texts = None  # a later "items" replaces an earlier one, as in json.loads
        at = _skip(text, at)
        if text[at] == "}":
            return _end(text, at + 1, page)
        if text[at] != ",":
            raise ValueError("',' expected")
        at = _skip(text, at + 1)


def _items(text: str, at: int) -> tuple[list[Any], list[str], int]:
    values: list[Any] = []
    texts: list[str] = []
    at = _skip(text, at + 1)
    if text[at] == "]":
        return values, texts, at + 1
    while True:
        value, end = _SCAN(text, at)
        values.append(value)
        texts.append(text[at:end])
        at = _skip(text, end)
        if text[at] == "]":
            return values, texts, at + 1
        if text[at] != ",":
            raise ValueError("',' expected")
        at = _skip(text, at + 1)


def _end(text: str, at: int, page: PageAnswer) -> PageAnswer:
    if _skip(text, at) != len(text):
        raise ValueError("extra data")
    return page


__all__ = ["PageAnswer", "decode_page"]
