"""The catalogs: every intent answered in every launch language, placeholders intact."""

import pytest

from bot.answers import VARIANT_MARK, Answers, placeholders_of
from bot.intents import INTENTS
from bot.profile import load_profile
from tests.served import SERVED, TRANSLATED


@pytest.fixture(scope="module")
def answers(paths):
    return Answers.load(paths.locales)


@pytest.fixture(scope="module")
def profile(paths):
    return load_profile(paths.profile)


def test_every_intent_has_a_source_answer(answers):
    assert {f"answer:{intent}" for intent in INTENTS} <= set(answers.source)


@pytest.mark.parametrize("language", SERVED)
def test_every_text_is_translated(answers, language):
    """Country variants are the exception: one missing in a language falls back to the general
    answer in that language (tests/test_answers_variants.py)."""
    translated = answers.translations.get(language, {})
    missing = sorted(context for context in set(answers.source) - set(translated) if VARIANT_MARK not in context)
    assert not missing, f"{language}: untranslated {missing}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders(answers, language):
    broken = [
        context
        for context, translation in answers.translations.get(language, {}).items()
        if placeholders_of(translation.text) != placeholders_of(answers.source[context])
    ]
    assert not broken, f"{language}: placeholders differ in {broken}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_differ_from_the_english_source(answers, language):
    same = [
        context
        for context, translation in answers.translations.get(language, {}).items()
        if translation.text == answers.source[context] and context.startswith("answer:")
    ]
    assert not same, f"{language}: copied English in {same}"


def test_answers_are_filled_with_the_profile(answers, profile):
    text = answers.text("answer:trafficking", "en", profile.placeholders("en"))
    assert "102" in text and "189" in text and "{" not in text


def test_a_broken_translation_falls_back_to_the_source(answers, profile):
    from bot.answers import Translation

    broken = Answers(answers.source, {"xx": {"answer:thanks": Translation("{nonsense", False)}})
    assert broken.text("answer:thanks", "xx", profile.placeholders("en")) == answers.source["answer:thanks"]


def test_fuzzy_translations_are_served_only_when_the_profile_allows(answers):
    from bot.answers import Translation

    catalogs = {"xx": {"answer:thanks": Translation("Unreviewed", True)}}
    assert Answers(answers.source, catalogs, serve_fuzzy=True).raw("answer:thanks", "xx") == "Unreviewed"
    assert (
        Answers(answers.source, catalogs, serve_fuzzy=False).raw("answer:thanks", "xx")
        == (answers.source["answer:thanks"])
    )
