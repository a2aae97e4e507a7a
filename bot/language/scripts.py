"""Writing-system and letter evidence: the facts langdetect's n-grams cannot see in two words."""

from __future__ import annotations

import bisect
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


# Unicode blocks of the writing systems a chat message may use: (first, last code point, script).
SCRIPT_BLOCKS: tuple[tuple[int, int, str], ...] = (
    (0x0000, 0x02AF, "latin"),  # with IPA extensions (ɛ ɔ ŋ of West African alphabets)
    (0x0370, 0x03FF, "greek"),
    (0x0400, 0x052F, "cyrillic"),
    (0x0530, 0x058F, "armenian"),
    (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"),
    (0x0700, 0x074F, "syriac"),
    (0x0750, 0x077F, "arabic"),
    (0x0780, 0x07BF, "thaana"),
    (0x0900, 0x097F, "devanagari"),
    (0x0980, 0x09FF, "bengali"),
    (0x0A00, 0x0A7F, "gurmukhi"),
    (0x0A80, 0x0AFF, "gujarati"),
    (0x0B00, 0x0B7F, "oriya"),
    (0x0B80, 0x0BFF, "tamil"),
    (0x0C00, 0x0C7F, "telugu"),
    (0x0C80, 0x0CFF, "kannada"),
    (0x0D00, 0x0D7F, "malayalam"),
    (0x0D80, 0x0DFF, "sinhala"),
    (0x0E00, 0x0E7F, "thai"),
    (0x0E80, 0x0EFF, "lao"),
    (0x0F00, 0x0FFF, "tibetan"),
    (0x1000, 0x109F, "myanmar"),
    (0x10A0, 0x10FF, "georgian"),
    (0x1100, 0x11FF, "hangul"),
    (0x1200, 0x139F, "ethiopic"),
    (0x1780, 0x17FF, "khmer"),
    (0x1800, 0x18AF, "mongolian"),
    (0x19E0, 0x19FF, "khmer"),
    (0x1C80, 0x1C8F, "cyrillic"),
    (0x1E00, 0x1EFF, "latin"),
    (0x1F00, 0x1FFF, "greek"),
    (0x2D00, 0x2D2F, "georgian"),
    (0x2DE0, 0x2DFF, "cyrillic"),
    (0x2E80, 0x2FDF, "han"),
    (0x3040, 0x30FF, "kana"),
    (0x3100, 0x312F, "bopomofo"),
    (0x3130, 0x318F, "hangul"),
    (0x31F0, 0x31FF, "kana"),
    (0x3400, 0x4DBF, "han"),
    (0x4E00, 0x9FFF, "han"),
    (0xA640, 0xA69F, "cyrillic"),
    (0xA9E0, 0xA9FF, "myanmar"),
    (0xAA60, 0xAA7F, "myanmar"),
    (0xAC00, 0xD7AF, "hangul"),
    (0xF900, 0xFAFF, "han"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
    (0xFF21, 0xFF5A, "latin"),  # full-width Latin, typed on Chinese and Japanese keyboards
    (0xFF66, 0xFF9F, "kana"),
    (0x20000, 0x3134F, "han"),
)
_BLOCK_STARTS = [start for start, _last, _script in SCRIPT_BLOCKS]


def script_of(char: str) -> str | None:
    """The writing system of a letter, or of a vowel sign (Thai, Devanagari and Khmer write vowels
    as combining marks); None for anything else, Latin accents included."""
    category = unicodedata.category(char)
    if not (char.isalpha() or category in ("Mn", "Mc")):
        return None
    code = ord(char)
    index = bisect.bisect_right(_BLOCK_STARTS, code) - 1
    if index < 0 or code > SCRIPT_BLOCKS[index][1]:
        return None if category in ("Mn", "Mc") else "other"
    script = SCRIPT_BLOCKS[index][2]
    if category in ("Mn", "Mc") and script in ("latin", "greek", "cyrillic"):
        return None
    return script


# Writing systems that, in a chat, mean one language.
SCRIPT_LANGUAGE = {
    "hangul": "ko",
    "han": "zh",
    "bopomofo": "zh",
    "kana": "ja",
    "thai": "th",
    "lao": "lo",
    "khmer": "km",
    "myanmar": "my",
    "greek": "el",
    "hebrew": "he",
    "georgian": "ka",
    "armenian": "hy",
    "bengali": "bn",
    "gurmukhi": "pa",
    "gujarati": "gu",
    "oriya": "or",
    "tamil": "ta",
    "telugu": "te",
    "kannada": "kn",
    "malayalam": "ml",
    "sinhala": "si",
    "tibetan": "bo",
    "ethiopic": "am",
    "thaana": "dv",
    "syriac": "syr",
    "mongolian": "mn",
}


def _mark_class() -> str:
    """A regular-expression class of every combining mark: Devanagari, Thai, Khmer and Burmese
    write vowels as marks, which \\w does not match, so words would break at every vowel."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x0300, 0x20000):
        if unicodedata.category(chr(code)) in ("Mn", "Mc", "Me"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "".join(f"\\U{first:08x}-\\U{last:08x}" for first, last in ranges)


MARKS = _mark_class()
# A word: letters and the marks written on them, joined by an apostrophe as in Uzbek oʻ or "don't".
LETTER_OR_MARK = rf"(?:[^\W\d_]|[{MARKS}])"
WORD = re.compile(rf"{LETTER_OR_MARK}+(?:['ʻʼ`‘’]{LETTER_OR_MARK}+)*")


def is_word_character(char: str) -> bool:
    """What a word is made of: letters, digits, the underscore, and the marks written on letters."""
    return char.isalnum() or char == "_" or unicodedata.category(char) in ("Mn", "Mc", "Me")


def script_counts(text: str) -> Counter[str]:
    return Counter(script for script in map(script_of, text) if script)


def is_vietnamese_letter(char: str) -> bool:
    """Letters with Vietnamese-only shapes: ơ ư ă đ and the tone-marked vowels of U+1EA0–U+1EF9."""
    # Lowering may give more than one character ("İ" becomes "i" and a combining dot): none is Vietnamese.
    lower = char.lower()
    return len(lower) == 1 and (lower in "ơưăđ" or 0x1EA0 <= ord(lower) <= 0x1EF9)


# Old Mongolian fonts had no ө and ү, so much Mongolian text online still writes є and ї for them.
# Ukrainian writes і in almost every sentence; without it, є and ї are Mongolian.
MONGOLIAN_SUBSTITUTES = str.maketrans("єїЄЇ", "өүӨҮ")


def undo_mongolian_substitutes(text: str) -> str:
    if ("є" in text or "ї" in text or "Є" in text or "Ї" in text) and not any(c in text for c in "іІґҐ"):
        return text.translate(MONGOLIAN_SUBSTITUTES)
    return text


def letter_evidence(text: str, table: dict[str, frozenset[str]]) -> Counter[str]:
    """How many distinctive letters each language explains."""
    votes: Counter[str] = Counter()
    for char in text.lower():
        for language in table.get(char, ()):
            votes[language] += 1
    return votes


def has_uzbek_apostrophe(text: str) -> bool:
    return bool(UZBEK_APOSTROPHE.search(NOT_UZBEK_APOSTROPHE.sub(" ", text)))


# Khmer, Thai and Burmese keyboards put invisible zero-width spaces between words; a byte-order
# mark or word joiner is just as invisible. All separate words as a space does.
INVISIBLE_SPACES = str.maketrans({"\u200b": " ", "\ufeff": " ", "\u2060": " "})


def analysable(text: str) -> str:
    """The text as the detector, the NLU and the safety net read it: composed (NFC), with
    invisible word separators made visible spaces. What was stored stays as it was sent."""
    return unicodedata.normalize("NFC", text.translate(INVISIBLE_SPACES))


def strip_diacritics(text: str) -> str:
    """'Tôi bị mất hộ chiếu' -> 'Toi bi mat ho chieu': how Vietnamese is often typed."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    # only the accents of Latin and Cyrillic letters: Thai, Khmer or Devanagari vowel signs are letters
    return unicodedata.normalize("NFC", "".join(char for char in decomposed if not _is_accent(char)))


def _is_accent(char: str) -> bool:
    code = ord(char)
    return 0x0300 <= code <= 0x036F or 0x1AB0 <= code <= 0x1AFF or 0x1DC0 <= code <= 0x1DFF


# Frequent words of unserved languages that share an alphabet with served ones and are often
# typed without their own letters (Tajik on a Russian keyboard).
TAJIK_WORDS = """
ман ту мо шумо вай дар ба аз ки чи чӣ барои бо ҳам ҳаст аст нест мекунам мекунад кардам кардан
намедонам мехоҳам метавонам шуд шудам мешавад кунам гум куҷо чаро лутфан ташаккур салом ҳуҷҷат
шиносномаам шиносномаи корфармо пули музд
"""
UNSERVED_WORDS: dict[str, frozenset[str]] = {"tg": frozenset(TAJIK_WORDS.split())}
