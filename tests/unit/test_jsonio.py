"""Strict JSON input: what json.loads accepts, minus NaN, Infinity and repeated keys; the body as sent."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.core.json_input import JsonInputError, parse_json

scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(documents, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "utf-32-be"]))
def test_parses_what_json_loads_parses_in_every_json_encoding(document, encoding):
    body = json.dumps(document, ensure_ascii=False).encode(encoding, "surrogatepass")
    assert parse_json(body) == json.loads(body)
    assert parse_json(body.decode(encoding, "surrogatepass")) == json.loads(body)


@pytest.mark.parametrize(
    "body, message",
    [
        (b'{"a": 1, "a": 2}', "repeats a key"),
        (b'{"x": [{"a": 1, "a": 1}]}', "repeats a key"),
        (b'{"a": NaN}', "NaN and Infinity"),
        (b"[-Infinity]", "NaN and Infinity"),
        (b'{"a": }', "line 1, column 7"),
        (b"", "Not valid JSON"),
        (b'{"a": "\xff"}', "not UTF-8"),
        ('\ufeff{"a": 1}', "BOM"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b"1" * 5000, "too many digits"),
    ],
)
def test_refuses_with_a_message_that_never_quotes_the_input(body, message):
    with pytest.raises(JsonInputError, match=message) as refused:
        parse_json(body)
    assert "\xff" not in str(refused.value) and "1111" not in str(refused.value)
