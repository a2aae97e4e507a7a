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
        # (phrase number, spelling key, pattern); a phrase may have several spellings
        self._patterns: list[tuple[int, str | None, re.Pattern[str]]] = []
        self._matches: list[SafetyMatch] = []
        for language, by_intent in phrases.items():
            prefix = "" if language in NO_WORD_START else r"(?<!\w)"
            for intent, items in by_intent.items():
                if intent not in URGENT_INTENTS:
                    raise ValueError(f"safety phrases for {intent!r}: not an urgent intent")
                for phrase in items:
                    number = len(self._matches)
                    self._matches.append(SafetyMatch(intent, language))
                    spellings = {None: normalise(str(phrase))}
                    spellings |= {key: FOLDS[key](str(phrase)) for key in FOLDS_OF.get(language, ())}
                    for key, folded in spellings.items():
                        body = re.escape(folded.strip()).replace(r"\ ", r"\s+")
                        self._patterns.append((number, key, re.compile(prefix + body)))

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
        spellings = {None: normalise(text), **{key: fold(text) for key, fold in FOLDS.items()}}
        matched = {number for number, key, pattern in self._patterns if pattern.search(spellings[key])}
        if not matched:
            return None
        votes: dict[str, list[int]] = {}
        for number in sorted(matched):
            votes.setdefault(self._matches[number].intent, []).append(number)
        best = max(votes.values(), key=lambda numbers: (len(numbers), -numbers[0]))
        return self._matches[best[0]]
