"""Messages in languages nobody serves, held out in data/test-unserved/: told apart from the served
ones, never answered as if understood, and still caught when someone is in danger."""

from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.language import open_set
from bot.language.scripts import SCRIPT_LANGUAGE, script_counts

UNSERVED = Path(__file__).resolve().parents[2] / "data" / "test-unserved"


def _messages():
    for path in sorted(UNSERVED.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for kind in ("calm", "urgent"):
            for text in document.get(kind) or ():
                yield document["language"], kind, text


MESSAGES = list(_messages())


def test_the_open_set_model_names_more_than_a_hundred_languages():
    assert len(open_set.languages()) >= 100


def test_there_are_held_out_messages_in_many_other_languages():
    assert len({language for language, _, _ in MESSAGES}) >= 40


def test_other_languages_are_kept_apart(content):
    served = set(content.profile.languages)
    taken = Counter(language for language, _, text in MESSAGES if content.detector.detect(text).detected in served)
    kept = 1 - sum(taken.values()) / len(MESSAGES)
    # a floor against regressions; the goal is 98% (README gives today's figure and the hard pairs:
    # Malay and Javanese read as Indonesian, Cebuano as Tagalog, Bulgarian and Macedonian as Russian)
    assert kept >= 0.80, f"{kept:.3f} kept apart; taken for served: {dict(taken)}"


def test_a_language_with_a_script_of_its_own_is_never_taken_for_a_served_one(content):
    served = set(content.profile.languages)
    own_script = [
        (language, text)
        for language, _, text in MESSAGES
        if script_counts(text)
        and script_counts(text).most_common(1)[0][0] in {*SCRIPT_LANGUAGE, "arabic"}
        and language not in served
    ]
    assert len(own_script) >= 100
    taken = [(language, text) for language, text in own_script if content.detector.detect(text).detected in served]
    assert not taken


@pytest.mark.parametrize("language", ["uk", "tr", "es", "ar", "hi", "fa", "pt", "fr"])
def test_the_safety_net_catches_danger_in_other_languages(content, language):
    urgent = [text for lang, kind, text in MESSAGES if lang == language and kind == "urgent"]
    caught = [text for text in urgent if content.safety.check(text)]
    assert urgent and len(caught) >= len(urgent) - 1, f"{language}: missed {set(urgent) - set(caught)}"
