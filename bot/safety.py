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
from bot.language.scripts import is_vietnamese_letter, is_word_character, strip_diacritics
from bot.language.transliteration import uzbek_loose

APOSTROPHES = str.maketrans({"ʻ": "'", "ʼ": "'", "`": "'", "‘": "'", "’": "'"})
# Scripts written without spaces between a word and its particles match anywhere in a word.
NO_WORD_START = {"ko", "zh", "ja", "th", "lo", "km", "my"}
# Extra spellings in which a language's phrases match, across scripts (see uzbek_loose): Uzbek
# folded to Latin before diacritics are stripped (ў -> oʻ, as in Latin script), and after (ў -> u,
# as on a Russian keyboard without ў).
# Vietnamese typed with its marks is matched with them: stripped, "tự tử" (suicide) would be "từ từ"
# (slowly). Typed without marks, it can only be matched without them.
FOLDS = {
    "uz-latin": lambda text: normalise(uzbek_loose(text.casefold())),
    "uz-keyboard": lambda text: uzbek_loose(normalise(text)),
    "vi-marked": lambda text: re.sub(r"\s+", " ", text.casefold().translate(APOSTROPHES)),
}
FOLDS_OF = {"uz": ("uz-latin", "uz-keyboard"), "vi": ("vi-marked",)}
MARKED_FOLD = "vi-marked"


# How many first letters index a phrase.
PREFIX = 2


def _has_vietnamese_marks(text: str) -> bool:
    return any(is_vietnamese_letter(char) for char in text)


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
        self._index: dict[str | None, dict[str, list[tuple[str, int, bool, bool | None]]]] = {}
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
                    # None: any text; True: only a text typed with Vietnamese marks; False: only without
                    marked = _has_vietnamese_marks(str(phrase))
                    for key, folded in spellings.items():
                        folded = folded.strip()
                        if key == MARKED_FOLD and not marked:
                            continue  # a phrase written without marks matches stripped text only
                        when = (key == MARKED_FOLD) if key in (None, MARKED_FOLD) and marked else None
                        if folded:
                            table = self._index.setdefault(key, {})
                            table.setdefault(folded[:PREFIX], []).append((folded, number, anywhere, when))

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
        marked = _has_vietnamese_marks(text)
        for key, table in self._index.items():
            spelled = normalise(text) if key is None else FOLDS[key](text)
            for start in range(len(spelled)):
                at_word_start = start == 0 or not is_word_character(spelled[start - 1])
                for prefix in {spelled[start : start + PREFIX], spelled[start : start + 1]}:
                    for phrase, number, anywhere, when in table.get(prefix, ()):
                        applies = (when is None or when == marked) and (anywhere or at_word_start)
                        if applies and spelled.startswith(phrase, start):
                            matched.add(number)
        if not matched:
            return None
        votes: dict[str, list[int]] = {}
        for number in sorted(matched):
            votes.setdefault(self._matches[number].intent, []).append(number)
        best = max(votes.values(), key=lambda numbers: (len(numbers), -numbers[0]))
        return self._matches[best[0]]
