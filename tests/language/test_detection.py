"""Language identification on the held-out messages, short messages and the conversation prior."""

from collections import Counter

import pytest
from langdetect import DetectorFactory, detect

from bot.answers import Answers
from bot.helpline import detection_samples
from bot.language import LanguageDetector
from bot.profile import load_profile
from bot.training_data import read_examples
from tests.served import SERVED

LANGUAGES = SERVED


@pytest.fixture(scope="module")
def detector(paths):
    profile = load_profile(paths.profile)
    samples = detection_samples(paths, Answers.load(paths.locales))
    return LanguageDetector(samples, profile.languages, profile.closest_served)


@pytest.fixture(scope="module")
def heldout(paths):
    return read_examples(paths.heldout)


@pytest.mark.parametrize("language", LANGUAGES)
def test_heldout_messages_are_identified(detector, heldout, language):
    examples = [e for e in heldout if e.language == language]
    wrong = Counter(detector.detect(e.text).language for e in examples if detector.detect(e.text).language != language)
    accuracy = 1 - sum(wrong.values()) / len(examples)
    # a floor against regressions; the goal is 98% in every language (README gives the figures)
    assert accuracy >= 0.96, f"{language}: {accuracy:.3f}, mistaken for {dict(wrong)}"


def test_better_than_plain_langdetect_on_kyrgyz_and_uzbek(detector, heldout):
    DetectorFactory.seed = 0
    examples = [e for e in heldout if e.language in ("ky", "uz")]
    ours = sum(detector.detect(e.text).language == e.language for e in examples)
    plain = sum(_plain(e.text) == e.language for e in examples)
    assert plain == 0  # langdetect has no profiles for them at all
    assert ours / len(examples) >= 0.95


def _plain(text):
    try:
        return detect(text)
    except Exception:
        return None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("visa extension", "en"),
        ("продлить патент", "ru"),
        ("патент алыш", "ky"),
        ("ish haqi", "uz"),
        ("ишим йўқ", "uz"),
        ("gia hạn", "vi"),
        ("mat ho chieu", "vi"),
        ("비자 연장", "ko"),
        ("护照丢了", "zh"),
        ("護照被老闆扣了", "zh"),
        ("sahod ko po", "tl"),
        ("gaji belum dibayar", "id"),
        ("ผมทำพาสปอร์ตหาย", "th"),
        ("លិខិតឆ្លងដែនបាត់", "km"),
        ("ပတ်စ်ပို့ပျောက်", "my"),
        ("виз сунгах", "mn"),
        ("паспортамро гум кардам", "tg"),
        ("жұмыс керек", "kk"),
        ("राहदानी हरायो", "ne"),
        ("mero talab aayena", "ne"),
    ],
)
def test_two_word_messages(detector, text, language):
    assert detector.detect(text).language == language


@pytest.mark.parametrize(
    ("text", "language"), [("hi", "en"), ("no", "en"), ("hello", "en"), ("да", "ru"), ("нет", "ru")]
)
def test_a_first_message_only_of_english_or_russian_words_is_english_or_russian(detector, text, language):
    # these words are also common inside Vietnamese, Kyrgyz and Uzbek chat, never the reverse
    assert detector.detect(text).language == language


@pytest.mark.parametrize("text", ["ok", "да", "5", "👍", "спасибо", "yes"])
@pytest.mark.parametrize("conversation", ["ky", "ru", "uz"])
def test_short_ambiguous_messages_keep_the_conversation_language(detector, text, conversation):
    assert detector.detect(text, conversation_language=conversation).language == conversation


def test_a_real_sentence_overturns_the_conversation_language(detector):
    detection = detector.detect("my employer did not pay my salary for two months", conversation_language="ru")
    assert detection.language == "en"


def test_the_channel_hint_is_a_prior_not_an_answer(detector):
    assert detector.detect("да", channel_hint="ky").language == "ky"
    assert detector.detect("у меня забрали паспорт на работе", channel_hint="ky").language == "ru"


@pytest.mark.parametrize(
    ("text", "detected", "answer_in"),
    [
        ("Я працюю в Москві, загубив паспорт, що мені робити?", "uk", "ru"),
        ("Perdí mi pasaporte y no sé qué hacer, ¿me pueden ayudar?", "es", "en"),
        ("Patronum maaşımı iki aydır ödemiyor, ne yapmalıyım?", "tr", "en"),
        ("मुझे मेरे मालिक ने तीन महीने से वेतन नहीं दिया है", "hi", "en"),
        ("Γεια σας, έχασα το διαβατήριό μου", "el", "en"),
        ("パスポートをなくしました", "ja", "en"),
    ],
)
def test_other_languages_are_kept_apart_and_answered_in_the_closest_served_one(detector, text, detected, answer_in):
    detection = detector.detect(text)
    assert (detection.detected, detection.language) == (detected, answer_in)
    assert not detection.served


@pytest.mark.parametrize(
    "text",
    ["İstanbul'da çalışıyorum, pasaportumu kaybettim", "İŞ YERİNDE maaşımı vermediler", "Men İsmayılam", "İ"],
)
def test_a_dotted_capital_i_is_detected_without_error(detector, text):
    # "İ".lower() is two characters; detection once raised TypeError on it and the message went unanswered
    detection = detector.detect(text)
    assert detection.language in detector.served
