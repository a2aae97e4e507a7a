"""Country variants in the catalogs: 'answer:work_permit@RU' for migrants in Russia, falling back
to the general answer in the reader's language."""

import pytest
from babel.messages.pofile import read_po

from bot.answers import Answers, Translation


@pytest.fixture(scope="module")
def answers(paths):
    return Answers.load(paths.locales)


def catalog_text(paths, language, context):
    with (paths.locales / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return next(message for message in read_po(handle) if message.context == context)


def test_the_variant_is_served_where_it_is_written(answers, paths):
    text = answers.text("answer:work_permit@RU", "ky", {"hotline": "1899", "hours": "9–18"})
    assert text == catalog_text(paths, "ky", "answer:work_permit@RU").string.format(hotline="1899", hours="9–18")
    assert text != answers.text("answer:work_permit", "ky", {"hotline": "1899", "hours": "9–18"})


def test_a_language_without_the_variant_gets_its_own_general_answer_not_the_english_variant(answers):
    assert "answer:work_permit@RU" not in answers.translations["vi"]
    assert answers.resolve("answer:work_permit@RU", "vi") == "answer:work_permit"
    values = {"hotline": "1899", "hours": "9–18"}
    assert answers.text("answer:work_permit@RU", "vi", values) == answers.text("answer:work_permit", "vi", values)


def test_an_unreviewed_variant_is_not_served_when_the_profile_serves_only_reviewed_texts(answers):
    source = {"answer:x": "general {hotline}", "answer:x@RU": "Russia {hotline}"}
    translations = {
        "ky": {"answer:x": Translation("жалпы {hotline}", False), "answer:x@RU": Translation("Россия {hotline}", True)}
    }
    strict = Answers(source, translations, serve_fuzzy=False)
    assert strict.text("answer:x@RU", "ky", {"hotline": "1"}) == "жалпы 1"
    assert Answers(source, translations).text("answer:x@RU", "ky", {"hotline": "1"}) == "Россия 1"
    assert strict.countries_of("answer:x") == frozenset({"RU"})


def test_every_variant_names_its_source_for_translators(paths):
    with (paths.locales / "messages.pot").open("rb") as handle:
        variants = [message for message in read_po(handle) if "@" in (message.context or "")]
    assert {message.context.split("@")[1] for message in variants} == {"RU", "KZ", "KR", "TR"}
    assert all(any("Source" in comment for comment in message.user_comments) for message in variants)


def test_the_kyrgyz_russia_variant_gives_the_eaeu_rule(paths):
    # Kyrgyz citizens in Russia need no patent: the whole point of the variant
    text = catalog_text(paths, "ky", "answer:work_permit@RU").string
    assert "патент" in text.casefold() and "ЕАЭБ" in text
