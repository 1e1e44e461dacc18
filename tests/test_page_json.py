"""decode_page is json.loads for a history page, plus each order's own text: tried against json.loads
on generated pages in every layout json can write, and on broken ones."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adobe_orders.page_json import decode_page

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner,
                                                                                           max_size=4), max_leaves=12)
orders = st.dictionaries(st.text(max_size=8), values, max_size=5)
pages = st.fixed_dictionaries({"totalCount": st.integers(0, 500), "items": st.lists(orders, max_size=6)},
                              optional={"links": values, "count": st.integers(), "limit": st.integers()})
layouts = st.sampled_from([{}, {"separators": (",", ":")}, {"indent": 2}, {"indent": "\t", "ensure_ascii": False},
                           {"ensure_ascii": False}, {"sort_keys": True}])


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(pages, layouts, st.sampled_from(["utf-8", "utf-16", "utf-32"]), st.sampled_from(["", " \n\t", "\r\n "]))
def test_same_as_json_loads_and_each_item_its_own_text(page, layout, encoding, pad) -> None:
    text = pad + json.dumps(page, **layout) + pad
    body = text.encode(encoding)
    decoded = decode_page(body)
    assert decoded == json.loads(body)
    assert decoded.item_texts is not None and len(decoded.item_texts) == len(page["items"])
    for item, item_text in zip(decoded["items"], decoded.item_texts, strict=True):
        assert json.loads(item_text) == item and item_text in text  # the characters sent, not re-encoded


@pytest.mark.parametrize("body", [
    b"", b"   ", b"{", b'{"items": [1, 2}', b'{"items": [1 2]}', b'{"items": []} extra', b'{"a" 1}', b"{'a': 1}",
    b'{"items": [01]}', b'{"items": [1,]}', b'{"items": [1],}', b"\xff\xfe\x00",
    b"\xef\xbb\xbf\xef\xbb\xbf{}",  # two BOMs: json.loads(bytes) names the second as no value, not as a BOM
])
def test_broken_answers_raise_what_json_loads_raises(body: bytes) -> None:
    with pytest.raises(ValueError) as ours:
        decode_page(body)
    with pytest.raises(ValueError) as theirs:
        json.loads(body)
    assert type(ours.value) is type(theirs.value) and str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("body,texts", [
    (b'[{"orderId": "1"}]', None),  # not an object: decoded as json.loads does, no texts
    (b'"text"', None),
    (b'{"items": {"not": "a list"}}', None),
    (b'{"items": [{"a": 1}], "items": 5}', None),  # the last "items" wins, as in json.loads
    (b'{"items": 5, "items": [ {"a" : 1} ]}', ['{"a" : 1}']),
    (b'\xef\xbb\xbf{"items": [{"a": NaN}]}', ['{"a": NaN}']),  # a BOM, and json's NaN
    (b'{"x": {"items": [1]}, "items": []}', []),  # a nested "items" is a value, not the page's
])
def test_odd_pages(body: bytes, texts: list[str] | None) -> None:
    decoded = decode_page(body)
    expected = json.loads(body)
    assert repr(decoded) == repr(expected) and getattr(decoded, "item_texts", None) == texts
