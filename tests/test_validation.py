from __future__ import annotations

import re
import sys
import unicodedata

import pytest

from adobe_orders.errors import ValidationError
from adobe_orders.validation import (
    FORBIDDEN_PATTERN,
    check_customer_id,
    check_external_reference_id,
    check_order_id,
    is_forbidden_char,
)


def test_forbidden_class_covers_every_control_and_format_code_point() -> None:
    rx = re.compile(FORBIDDEN_PATTERN)
    missed = [hex(cp) for cp in range(sys.maxunicode + 1)
              if unicodedata.category(chr(cp)) in ("Cc", "Cf", "Zl", "Zp") and not rx.fullmatch(chr(cp))]
    assert missed == []
    extra = [cp for cp in range(sys.maxunicode + 1) if rx.fullmatch(chr(cp))
             and unicodedata.category(chr(cp)) not in ("Cc", "Cf", "Zl", "Zp")]
    # only the Egyptian hieroglyph format controls that Unicode 15 added
    assert all(0x13439 <= cp <= 0x1343F for cp in extra)
    assert is_forbidden_char("\u200b") and not is_forbidden_char("a")


@pytest.mark.parametrize("good", ["0123456789", "D9200008262", "911000833", "abc-DEF-1", "Ünïcode1"])
def test_ids_that_pass(good: str) -> None:
    assert check_order_id(f"  {good} ") == good


@pytest.mark.parametrize(
    ("bad", "rule"),
    [("", "required"), ("   ", "required"), (None, "required"), (float("nan"), "required"),
     ("../0123", "characters"), ("a/b", "characters"), ("a?b", "characters"), ("a#b", "characters"),
     ("a%2Fb", "characters"), ("a b", "characters"), ("a_b", "characters"), ("x" * 41, "length"),
     ("1.23457E+09", "excel"), ("123456789.0", "excel"), ("12\u200b34", "invisible"),
     ("12\r\nX-Evil: 1", "invisible"), ("\u202e1234", "invisible"), ("12\x0034", "invisible"),
     (123456789.0, "number"), (["a"], "text")],
)
def test_ids_that_are_refused(bad: object, rule: str) -> None:
    with pytest.raises(ValidationError) as info:
        check_customer_id(bad)
    assert info.value.rule == rule
    assert "Customer ID" in str(info.value)


def test_reference_rules() -> None:
    assert check_external_reference_id("PO 123/ä") == "PO 123/ä"
    assert check_external_reference_id("x" * 35) == "x" * 35
    with pytest.raises(ValidationError, match="36 characters long; Adobe allows at most 35"):
        check_external_reference_id("x" * 36)
    with pytest.raises(ValidationError, match="invisible"):
        check_external_reference_id("PO\ufeff1")
    with pytest.raises(ValidationError, match="empty"):
        check_external_reference_id(" ")
