"""Support numbers become links a phone can dial, and only real numbers do (schemas/resources.py; the
form reads them the same way)."""

import pytest

from schemas.resources import dial_numbers, dial_uri


@pytest.mark.parametrize(
    ("line", "uris"),
    [
        ("112 in many countries, 911 in the US and Canada, 999 in the UK", ["tel:112", "tel:911", "tel:999"]),
        ("(212) 555-1234", ["tel:2125551234"]),
        ("+44 (0)20 7946 0000", ["tel:+442079460000"]),
        ("116 123, ext. 204", ["tel:116123"]),
        ("0800 123 4567 (free), x 12", ["tel:08001234567"]),
        ("Text HOME to 741741", ["tel:741741"]),
        ("Day and night", []),
        ("24/7", []),
    ],
)
def test_numbers_in_a_phone_line(line, uris):
    assert [dial_uri(number) for number in dial_numbers(line)] == uris


def test_text_lines_dial_as_sms():
    assert [dial_uri(n, "sms") for n in dial_numbers("Text 85258")] == ["sms:85258"]
