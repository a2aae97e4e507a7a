"""The register of licensed agencies: names typed as migrants type them."""

import datetime as dt

import pytest

from bot.agencies import Register


@pytest.fixture(scope="module")
def register(paths):
    loaded = Register.load(paths.agencies("kg-1899"))
    assert loaded is not None
    return loaded


@pytest.mark.parametrize(
    "typed",
    [
        "Ала-Тоо Жумуш Сервис",
        "ала-тоо жумуш сервис",
        "Ala Too Jumush Servis",
        "ОсОО «Ала-Тоо Жумуш Сервис»",
        "Ала-Тоо Жумуш Сервиз",
    ],
)
def test_a_misspelt_or_transliterated_name_finds_the_agency(register, typed):
    assert register.lookup(typed).agency.licence == "PEA-0001"


def test_a_partial_name_asks_which_one_with_the_right_agency_first(register):
    lookup = register.lookup("alatoo jumush")
    assert lookup.agency is None
    assert lookup.similar[0].licence == "PEA-0001"


def test_an_unknown_name_is_not_found(register):
    lookup = register.lookup("Golden Visa Express")
    assert lookup.agency is None and lookup.similar == ()


def test_an_agency_named_inside_a_question_is_recognised(register):
    assert register.mentioned_in("Ала-Тоо Жумуш Сервис лицензиясы барбы?").licence == "PEA-0001"
    assert register.mentioned_in("жумуш издеп жатам, Кореяга кантип барсам болот") is None


def test_an_expired_licence_is_told_apart(register):
    expired = next(agency for agency in register.agencies if agency.licence == "PEA-0003")
    assert not expired.licensed_on(dt.date(2026, 12, 3))
    assert expired.licensed_on(expired.valid_until)
