"""Writing-system and letter evidence: the facts langdetect's n-grams cannot see in two words."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

# Letters that only some Cyrillic alphabets have, and the languages that use them.
CYRILLIC_LETTERS: dict[str, frozenset[str]] = {
    "ң": frozenset({"ky", "kk"}),
    "ө": frozenset({"ky", "kk", "mn"}),
    "ү": frozenset({"ky", "kk", "mn"}),
    "ә": frozenset({"kk"}),
    "ұ": frozenset({"kk"}),
    "һ": frozenset({"kk"}),
    "і": frozenset({"kk", "uk", "be"}),
    "қ": frozenset({"uz", "kk", "tg"}),
    "ғ": frozenset({"uz", "kk", "tg"}),
    "ҳ": frozenset({"uz", "tg"}),
    "ў": frozenset({"uz", "be"}),
    "ҷ": frozenset({"tg"}),
    "ӣ": frozenset({"tg"}),
    "ӯ": frozenset({"tg"}),
    "ї": frozenset({"uk"}),
    "є": frozenset({"uk"}),
    "ґ": frozenset({"uk"}),
}

# Latin letters that point to one language.
LATIN_LETTERS: dict[str, frozenset[str]] = {
    "ơ": frozenset({"vi"}),
    "ư": frozenset({"vi"}),
    "ă": frozenset({"vi", "ro"}),
    "đ": frozenset({"vi", "hr"}),
    "ı": frozenset({"tr", "az"}),
    "ğ": frozenset({"tr", "az"}),
    "ə": frozenset({"az"}),
    "ñ": frozenset({"es"}),
    "ß": frozenset({"de"}),
}

# Uzbek Latin writes oʻ and gʻ; phones type the modifier letter as ', `, ‘ or ’.
UZBEK_APOSTROPHE = re.compile(r"(?<![a-z])(?:[a-z]*[og])[ʻʼ'`‘’][a-z]", re.IGNORECASE)
NOT_UZBEK_APOSTROPHE = re.compile(r"o'clock", re.IGNORECASE)


def script_of(char: str) -> str | None:
    """The writing system of a letter, or None for anything that is not a letter."""
    if not char.isalpha():
        return None
    code = ord(char)
    if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "hangul"
    if 0x0400 <= code <= 0x04FF or 0x0500 <= code <= 0x052F:
        return "cyrillic"
    if code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
        return "latin"
    if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F:
        return "arabic"
    if 0x4E00 <= code <= 0x9FFF:
        return "han"
    if 0x3040 <= code <= 0x30FF:
        return "kana"
    if 0x0E00 <= code <= 0x0E7F:
        return "thai"
    if 0x0900 <= code <= 0x097F:
        return "devanagari"
    if 0x10A0 <= code <= 0x10FF:
        return "georgian"
    if 0x0530 <= code <= 0x058F:
        return "armenian"
    if 0x0980 <= code <= 0x09FF:
        return "bengali"
    if 0x1780 <= code <= 0x17FF:
        return "khmer"
    if 0x1000 <= code <= 0x109F:
        return "myanmar"
    return "other"


# Scripts none of the served languages use, and the language they most likely mean.
SCRIPT_LANGUAGE = {
    "arabic": "ar",
    "han": "zh",
    "kana": "ja",
    "thai": "th",
    "devanagari": "hi",
    "georgian": "ka",
    "armenian": "hy",
    "bengali": "bn",
    "khmer": "km",
    "myanmar": "my",
}


def script_counts(text: str) -> Counter[str]:
    return Counter(script for script in map(script_of, text) if script)


def is_vietnamese_letter(char: str) -> bool:
    """Letters with Vietnamese-only shapes: ơ ư ă đ and the tone-marked vowels of U+1EA0–U+1EF9."""
    # Lowering may give more than one character ("İ" becomes "i" and a combining dot): none is Vietnamese.
    lower = char.lower()
    return len(lower) == 1 and (lower in "ơưăđ" or 0x1EA0 <= ord(lower) <= 0x1EF9)


def letter_evidence(text: str, table: dict[str, frozenset[str]]) -> Counter[str]:
    """How many distinctive letters each language explains."""
    votes: Counter[str] = Counter()
    for char in text.lower():
        for language in table.get(char, ()):
            votes[language] += 1
    return votes


def has_uzbek_apostrophe(text: str) -> bool:
    return bool(UZBEK_APOSTROPHE.search(NOT_UZBEK_APOSTROPHE.sub(" ", text)))


def strip_diacritics(text: str) -> str:
    """'Tôi bị mất hộ chiếu' -> 'Toi bi mat ho chieu': how Vietnamese is often typed."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


# Frequent words of unserved languages that share an alphabet with served ones and are often
# typed without their own letters (Tajik on a Russian keyboard).
TAJIK_WORDS = """
ман ту мо шумо вай дар ба аз ки чи чӣ барои бо ҳам ҳаст аст нест мекунам мекунад кардам кардан
намедонам мехоҳам метавонам шуд шудам мешавад кунам гум куҷо чаро лутфан ташаккур салом ҳуҷҷат
шиносномаам шиносномаи корфармо пули музд
"""
UNSERVED_WORDS: dict[str, frozenset[str]] = {"tg": frozenset(TAJIK_WORDS.split())}
