"""The keyword safety net: urgent words are caught even when the NLU is unsure or down.

Phrases live in data/safety/<language>.yml. Every message is checked against every language's
phrases, because a misdetected language must not hide someone in danger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.intents import URGENT_INTENTS
from bot.language.scripts import strip_diacritics
from bot.language.transliteration import uzbek_loose

APOSTROPHES = str.maketrans({"ʻ": "'", "ʼ": "'", "`": "'", "‘": "'", "’": "'"})
# Scripts written without spaces between a word and its particles match anywhere in a word.
NO_WORD_START = {"ko", "zh", "th", "km", "my"}
# Extra spellings in which a language's phrases match, across scripts (see uzbek_loose): Uzbek
# folded to Latin before diacritics are stripped (ў -> oʻ, as in Latin script), and after (ў -> u,
# as on a Russian keyboard without ў).
FOLDS = {
    "uz-latin": lambda text: normalise(uzbek_loose(text.casefold())),
    "uz-keyboard": lambda text: uzbek_loose(normalise(text)),
}
FOLDS_OF = {"uz": ("uz-latin", "uz-keyboard")}


# How many first letters index a phrase.
PREFIX = 2


def _is_word_letter(char: str) -> bool:
    # what \w matches: a phrase starts a word when the character before it is not one
    return char.isalnum() or char == "_"


def normalise(text: str) -> str:
    folded = strip_diacritics(text.casefold().translate(APOSTROPHES)).replace("ё", "е")
    return re.sub(r"\s+", " ", folded)


@dataclass(frozen=True)
class SafetyMatch:
    intent: str
    language: str


class SafetyNet:
    def __init__(self, phrases: dict[str, dict[str, list[str]]]):
        """``phrases``: language -> urgent intent -> phrases."""
        self._matches: list[SafetyMatch] = []
        # spelling key -> first letters -> (phrase as spelled, phrase number, matches inside a word).
        # Thousands of phrases in sixteen languages: looked up by their first letters at each
        # position rather than tried one regular expression after another.
        self._index: dict[str | None, dict[str, list[tuple[str, int, bool]]]] = {}
        for language, by_intent in phrases.items():
            anywhere = language in NO_WORD_START
            for intent, items in by_intent.items():
                if intent not in URGENT_INTENTS:
                    raise ValueError(f"safety phrases for {intent!r}: not an urgent intent")
                for phrase in items:
                    number = len(self._matches)
                    self._matches.append(SafetyMatch(intent, language))
                    spellings = {None: normalise(str(phrase))}
                    spellings |= {key: FOLDS[key](str(phrase)) for key in FOLDS_OF.get(language, ())}
                    for key, folded in spellings.items():
                        folded = folded.strip()
                        if folded:
                            table = self._index.setdefault(key, {})
                            table.setdefault(folded[:PREFIX], []).append((folded, number, anywhere))

    @classmethod
    def load(cls, folder: Path) -> SafetyNet:
        phrases = {}
        for path in sorted(folder.glob("*.yml")):
            with path.open(encoding="utf-8") as handle:
                document = yaml.safe_load(handle) or {}
            phrases[str(document.get("language", path.stem))] = document.get("urgent") or {}
        return cls(phrases)

    def check(self, text: str) -> SafetyMatch | None:
        """The urgent intent most phrases point to (the first listed wins a tie), or None."""
        matched: set[int] = set()
        for key, table in self._index.items():
            spelled = normalise(text) if key is None else FOLDS[key](text)
            for start in range(len(spelled)):
                at_word_start = start == 0 or not _is_word_letter(spelled[start - 1])
                for prefix in {spelled[start : start + PREFIX], spelled[start : start + 1]}:
                    for phrase, number, anywhere in table.get(prefix, ()):
                        if (anywhere or at_word_start) and spelled.startswith(phrase, start):
                            matched.add(number)
        if not matched:
            return None
        votes: dict[str, list[int]] = {}
        for number in sorted(matched):
            votes.setdefault(self._matches[number].intent, []).append(number)
        best = max(votes.values(), key=lambda numbers: (len(numbers), -numbers[0]))
        return self._matches[best[0]]
