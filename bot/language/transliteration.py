"""Cyrillic typed in Latin letters, the way people write Russian and Kyrgyz on a Latin keyboard."""

CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "ch", "ш": "sh", "щ": "sch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "ң": "n", "ө": "o", "ү": "u",
}  # fmt: skip


def to_latin(text: str) -> str:
    return "".join(CYRILLIC_TO_LATIN.get(char, char) for char in text.lower())
