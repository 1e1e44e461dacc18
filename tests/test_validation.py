from __future__ import annotations

import re
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adobe_orders.errors import ValidationError
from adobe_orders.validation import (
    FAST_ID_PATTERN,
    FAST_REFERENCE_PATTERN,
    FORBIDDEN_PATTERN,
    check_customer_id,
    check_external_reference_id,
    check_order_id,
    is_forbidden_char,
    is_formula_like,
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


# -- value rules: formulas and spreadsheet damage, decided in validation.py and tried on generated values --

printable = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30)
digits = st.text(alphabet="0123456789", min_size=1, max_size=18)


@given(first=st.sampled_from("=@"), rest=printable)
def test_values_starting_with_equals_or_at_are_refused(first: str, rest: str) -> None:
    value = (first + rest)[:35]
    with pytest.raises(ValidationError) as info:
        check_external_reference_id("  " + value)
    assert info.value.rule in ("formula", "excel"), value
    if info.value.rule == "formula" and value.strip() == value:  # undo may put back what Adobe held
        assert check_external_reference_id(value, allow_formula=True) == value


@given(sign=st.sampled_from("+-"), second=st.characters(min_codepoint=0x21, max_codepoint=0x7E).filter(
    lambda c: not c.isdigit()), rest=printable)
def test_plus_or_minus_before_a_non_digit_is_refused(sign: str, second: str, rest: str) -> None:
    value = (sign + second + rest)[:35].rstrip()
    with pytest.raises(ValidationError) as info:
        check_external_reference_id(value)
    assert info.value.rule in ("formula", "excel")
    assert "formula" in info.value.message or "Excel" in info.value.message


@given(sign=st.sampled_from("+-"), number=digits, code=st.text(alphabet="0123456789ABCXYZ -./", max_size=10))
def test_a_signed_number_or_code_stays_valid(sign: str, number: str, code: str) -> None:
    value = (sign + number + code)[:35].rstrip()
    if value.endswith(("-", ".", "/")) or not value[-1].isalnum():
        return
    try:
        assert check_external_reference_id(value) == value
    except ValidationError as exc:  # only spreadsheet damage may still refuse it (e.g. "-1.0")
        assert exc.rule == "excel", (value, exc.message)


@given(mantissa=digits, fraction=st.text(alphabet="0123456789", max_size=6), exponent=st.integers(0, 30),
       letter=st.sampled_from("eE"), sign=st.sampled_from(["", "+", "-"]))
def test_scientific_notation_is_spreadsheet_damage(mantissa, fraction, exponent, letter, sign) -> None:
    value = f"{mantissa[:3]}{'.' + fraction if fraction else ''}{letter}{sign}{exponent}"
    with pytest.raises(ValidationError) as info:
        check_external_reference_id(value)
    assert info.value.rule == "excel" and "Excel" in info.value.message
    with pytest.raises(ValidationError, match="Excel"):
        check_order_id(value)


@given(number=digits, zeros=st.integers(1, 3))
def test_a_trailing_point_zero_is_spreadsheet_damage(number: str, zeros: int) -> None:
    with pytest.raises(ValidationError, match="Excel reformatted"):
        check_external_reference_id(f"{number}.{'0' * zeros}")


@given(st.dates(), st.times())
def test_a_date_written_out_by_pandas_or_openpyxl_is_damage(day, time) -> None:
    import datetime as dt

    stamp = dt.datetime.combine(day, time.replace(microsecond=0))
    with pytest.raises(ValidationError, match="date"):
        check_external_reference_id(str(stamp))
    with pytest.raises(ValidationError, match="date cell"):
        check_external_reference_id(stamp)


@given(digits)
def test_a_number_typed_as_text_is_kept_exactly(number: str) -> None:
    """Adobe's samples carry 18-digit references; as text (a CSV cell, a text cell) they are certain."""
    assert check_external_reference_id(number) == number
    assert check_external_reference_id(f"PO {number}.5") == f"PO {number}.5"


@settings(max_examples=500)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=40))
def test_the_fast_patterns_never_pass_what_the_rules_refuse(text: str) -> None:
    """validate_updates trusts these patterns without calling the rules: they must be strictly narrower."""
    if re.fullmatch(FAST_REFERENCE_PATTERN, text):
        assert check_external_reference_id(text) == text
        assert not is_formula_like(text)
    if re.fullmatch(FAST_ID_PATTERN, text):
        assert check_order_id(text) == text


@pytest.mark.parametrize("value", [1000000, 240505012402240931.0, True, 12345.0])
def test_cells_that_are_not_text_are_refused_with_what_happened(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        check_customer_id(value)
    assert "not text" in info.value.message or "TRUE/FALSE" in info.value.message
