"""The keyword safety net, on its own: it must work when the NLU server is down."""

from collections import Counter

import pytest

from bot.intents import URGENT_INTENTS
from bot.language.scripts import analysable
from bot.safety import SafetyNet
from bot.training_data import read_examples
from tests.served import SERVED

LANGUAGES = SERVED


@pytest.fixture(scope="module")
def net(paths):
    return SafetyNet.load(paths.safety)


@pytest.fixture(scope="module")
def heldout(paths):
    return read_examples(paths.heldout)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("the boss took my passport and won't let me go", "trafficking"),
        ("rabotodatel zabral pasport", "trafficking"),
        ("хочу покончить с собой", "self_harm"),
        ("chong toi danh toi", "domestic_violence"),
        ("남편이 때려요", "domestic_violence"),
    ],
)
def test_urgent_phrases_are_caught_in_any_language(net, text, intent):
    match = net.check(text)
    assert match is not None and match.intent == intent


def test_phrases_match_at_word_start_only(net):
    assert net.check("I want to improve my skills at work") is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_net_alone_catches_most_urgent_heldout_messages(net, heldout, language):
    urgent = [e for e in heldout if e.language == language and e.intent in URGENT_INTENTS]
    caught = sum(1 for e in urgent if net.check(e.text))
    # a backup for when the NLU is unsure or down: new phrasings escape a phrase list, so the floor
    # is modest; the whole pipeline (tests/test_triage.py) is what must catch nearly everyone
    assert urgent and caught / len(urgent) >= 0.3, f"{language}: {caught}/{len(urgent)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_net_rarely_raises_false_alarms(net, heldout, language):
    calm = [e for e in heldout if e.language == language and e.intent not in URGENT_INTENTS]
    alarms = Counter(e.intent for e in calm if net.check(e.text))
    assert sum(alarms.values()) / len(calm) <= 0.05, f"{language}: {dict(alarms)}"


def test_non_urgent_intents_are_refused_in_the_phrase_file():
    with pytest.raises(ValueError, match="not an urgent intent"):
        SafetyNet({"en": {"greet": ["hello"]}})


def test_words_separated_by_zero_width_spaces_are_matched(net):
    # Khmer and Thai keyboards separate words with an invisible U+200B instead of a space
    assert net.check("i want to kill\u200bmyself") is None
    match = net.check(analysable("i want to kill\u200bmyself"))
    assert match is not None and match.intent == "self_harm"


def test_vietnamese_typed_with_its_marks_is_matched_with_them(net):
    # stripped of its marks "tự tử" (suicide) is "tu tu", as is "từ từ" (slowly)
    assert net.check("từ từ thôi anh ơi, em hỏi về visa") is None
    assert net.check("tôi muốn tự tử").intent == "self_harm"
    assert net.check("toi muon tu tu").intent == "self_harm"  # typed without marks: both read alike
    assert net.check("chồng tôi đánh tôi").intent == "domestic_violence"
