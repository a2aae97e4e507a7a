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
NO_WORD_START = {"ko"}
# Languages whose phrases match in one folded spelling across scripts (see uzbek_loose).
FOLDS = {"uz": uzbek_loose}


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
        self._patterns: list[tuple[str | None, re.Pattern[str], SafetyMatch]] = []
        for language, by_intent in phrases.items():
            for intent, items in by_intent.items():
                if intent not in URGENT_INTENTS:
                    raise ValueError(f"safety phrases for {intent!r}: not an urgent intent")
                fold = FOLDS.get(language)
                for phrase in items:
                    folded = fold(normalise(str(phrase))) if fold else normalise(str(phrase))
                    body = re.escape(folded.strip()).replace(r"\ ", r"\s+")
                    prefix = "" if language in NO_WORD_START else r"(?<!\w)"
                    key = language if fold else None
                    self._patterns.append((key, re.compile(prefix + body), SafetyMatch(intent, language)))

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
        plain = normalise(text)
        folded = {None: plain, **{language: fold(plain) for language, fold in FOLDS.items()}}
        votes: dict[str, list[SafetyMatch]] = {}
        for key, pattern, match in self._patterns:
            if pattern.search(folded[key]):
                votes.setdefault(match.intent, []).append(match)
        if not votes:
            return None
        return max(votes.values(), key=len)[0]
