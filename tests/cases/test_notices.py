"""Call-back numbers written inside a sentence, in the served languages."""

import pytest

from bot.cases.notices import phone_number


@pytest.mark.parametrize(
    "text",
    [
        "my number is +996 555 123 456",
        "my number is +996 555 123 456.",
        "мой номер +996 (555) 123-456.",
        "менин номерим +996 555 123 456, чалыңыз",
        "raqamim +996-555-123-456. Rahmat",
        "số của tôi là +996 555 123 456.",
    ],
)
def test_a_number_inside_a_sentence_is_found_whole(text):
    assert phone_number(text) == "+996555123456"


def test_a_date_after_a_number_is_still_not_a_phone():
    assert phone_number("my visa ends 12.05.2026") is None
