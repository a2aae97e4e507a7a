"""How people type on a keyboard made for another language: Cyrillic in Latin letters, Kyrgyz in Russian."""

CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "ch", "ш": "sh", "щ": "sch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "ң": "n", "ө": "o", "ү": "u",
}  # fmt: skip


def to_latin(text: str) -> str:
    return "".join(CYRILLIC_TO_LATIN.get(char, char) for char in text.lower())


UZBEK_CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "x", "ц": "s", "ч": "ch", "ш": "sh", "ъ": "'",
    "ь": "", "э": "e", "ю": "yu", "я": "ya", "ў": "o'", "қ": "q", "ғ": "g'", "ҳ": "h",
}  # fmt: skip

# Letters Uzbek phones often type interchangeably: q/k and x/h. The apostrophe of oʻ and gʻ stays:
# without it "oʻlmoq" (to die) would read as "olmoq" (to take).
UZBEK_LOOSE = str.maketrans({"q": "k", "x": "h", "ʻ": "'", "ʼ": "'", "`": "'", "‘": "'", "’": "'"})


def uzbek_latin(text: str) -> str:
    return "".join(UZBEK_CYRILLIC_TO_LATIN.get(char, char) for char in text.lower())


def uzbek_loose(text: str) -> str:
    """One spelling for Uzbek in either script, with or without its special letters."""
    return uzbek_latin(text).translate(UZBEK_LOOSE)


# Kyrgyz, Kazakh and Tajik are often typed on Russian keyboards, each letter Russian lacks by its
# nearest Russian one.
ON_RUSSIAN_KEYBOARD = {
    "ky": str.maketrans("ңөүҢӨҮ", "ноуНОУ"),
    "kk": str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноуухиАГКНОУУХИ"),
    "tg": str.maketrans("ғӣқӯҳҷҒӢҚӮҲҶ", "гикухчГИКУХЧ"),
}


def on_russian_keyboard(language: str, text: str) -> str:
    table = ON_RUSSIAN_KEYBOARD.get(language)
    return text.translate(table) if table else text
