import datetime as dt

import pytest

from bot.profile import ProfileError, load_profile, parse_profile

BISHKEK = dt.timezone(dt.timedelta(hours=6))


@pytest.fixture(scope="module")
def profile(paths):
    return load_profile(paths.profile)


def test_demo_profile_is_the_1899_hotline(profile):
    assert profile.hotline == "1899"
    assert profile.emergency["general"] == "112"
    # the sixteen languages, the 1899 line's own first, in the order of the menu
    assert profile.languages[:4] == ("ru", "ky", "uz", "en")
    assert sorted(profile.languages) == sorted(
        ["en", "ru", "ky", "uz", "vi", "ko", "zh", "tl", "th", "km", "mn", "ne", "id", "tg", "kk", "my"]
    )


def test_open_on_a_weekday_afternoon_in_bishkek(profile):
    assert profile.hours.is_open(dt.datetime(2026, 11, 23, 10, 0, tzinfo=BISHKEK))  # Monday
    # 18:30 in Bishkek is after closing even though it is 12:30 UTC
    assert not profile.hours.is_open(dt.datetime(2026, 11, 23, 12, 30, tzinfo=dt.UTC))


def test_next_opening_after_friday_evening_is_monday_morning(profile):
    friday_evening = dt.datetime(2026, 11, 27, 19, 0, tzinfo=BISHKEK)
    opening = profile.hours.next_opening(friday_evening)
    assert opening.weekday() == 0 and opening.hour == 9
    assert opening.astimezone(BISHKEK).date() == dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Mon–Fri 9:00 AM–6:00 PM (Bishkek time)"),
        ("ru", "пн–пт 09:00–18:00 (по времени Бишкека)"),
    ],
)
def test_hours_are_formatted_for_the_locale(profile, language, expected):
    assert profile.format_hours(language).replace("\u202f", " ") == expected


def test_korean_hours_name_morning_and_afternoon_in_korean(profile):
    # CLDR has written Korean day periods both as "AM/PM" and as 오전/오후 across releases; what must hold
    # is the meaning: Monday to Friday, 9 in the morning to 6 in the afternoon, Bishkek time, in Korean.
    text = profile.format_hours("ko")
    assert text.startswith("월–금 ")
    assert "오전 9:00" in text and "오후 6:00" in text
    assert "AM" not in text and "PM" not in text
    assert text.endswith("(비슈케크 시간)")


def test_unserved_languages_fall_back_to_the_closest_served_one(profile):
    assert profile.closest_served("uk") == "ru"
    assert profile.closest_served("ms") == "id"
    assert profile.closest_served("es") == "en"
    assert profile.closest_served("ky") == "ky"


def test_a_profile_without_emergency_number_is_rejected():
    with pytest.raises(ProfileError, match="general"):
        parse_profile({"id": "x", "timezone": "UTC", "hotline": "1", "emergency": {}, "languages": ["en"]})


def test_malformed_hours_are_rejected_with_the_day_named():
    raw = {
        "id": "x",
        "timezone": "UTC",
        "hotline": "1",
        "emergency": {"general": "112"},
        "languages": ["en"],
        "opening_hours": {"mon": "9 to 5"},
    }
    with pytest.raises(ProfileError, match="opening_hours.mon"):
        parse_profile(raw)
