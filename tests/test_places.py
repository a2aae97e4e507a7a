"""Knowing where the migrant is from what they write, in the served languages."""

import pytest

from bot.places import Gazetteer, Whereabouts


@pytest.fixture(scope="module")
def places(paths):
    return Gazetteer.load(paths.places)


@pytest.mark.parametrize(
    ("text", "country", "region"),
    [
        ("I'm in Moscow, do I need a patent?", "RU", "moscow"),
        ("Москвада иштейм, патент керекпи?", "RU", "moscow"),
        ("Россияда жүрөм", "RU", None),
        ("Men Qozogʻistonda ishlayman", "KZ", None),
        ("한국에서 일해요", "KR", None),
        ("Tôi đang ở Ansan, không có bảo hiểm", "KR", "ansan"),
        ("我在安山工作", "KR", "ansan"),
        ("Питерде иштейм", "RU", "st_petersburg"),
        ("Алматыда жүрөм", "KZ", "almaty"),
        ("Стамбулда жашайм", "TR", "istanbul"),
    ],
)
def test_a_place_named_in_a_message_is_found(places, text, country, region):
    assert places.find(text, home="KG") == Whereabouts(country, region)


def test_the_country_abroad_wins_over_the_home_country(places):
    assert places.find("Я из Кыргызстана, работаю в России", home="KG") == Whereabouts("RU", None)
    # the home country alone is where they come from; a city there is where they are
    assert places.find("Кыргызстандан келгендерге патент керекпи", home="KG") is None
    assert places.find("Бишкекке кайткым келет", home="KG") == Whereabouts("KG", "bishkek")


@pytest.mark.parametrize(
    "text", ["hello, how are you", "ош жерде иштейм", "my boss did not pay me", "визам бүтүп жатат"]
)
def test_ordinary_messages_name_no_place(places, text):
    assert places.find(text, home="KG") is None


def test_a_city_lies_within_its_province(places):
    assert places.areas_of("ansan") == ("ansan", "gyeonggi")
    assert places.areas_of(None) == ()
