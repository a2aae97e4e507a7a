"""Writing variants of the training examples, the way phones really type them.

Editors write each example once; the model also learns it as Vietnamese without diacritics,
Kyrgyz, Kazakh and Tajik typed on a Russian keyboard, Russian in Latin letters and Uzbek in the other script.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from bot.language.scripts import strip_diacritics
from bot.language.transliteration import on_russian_keyboard, to_latin, uzbek_latin
from bot.training_data import Example

APOSTROPHES = "'ʻʼ`‘’"


def _has_cyrillic(text: str) -> bool:
    return any("\u0400" <= char <= "\u04ff" for char in text)


def variants(example: Example) -> Iterator[str]:
    text = example.text
    match example.language:
        case "vi":
            yield strip_diacritics(text)
        case "ky" | "kk" | "tg":
            yield on_russian_keyboard(example.language, text)
        case "ru" if _has_cyrillic(text):
            yield to_latin(text)
        case "uz" if _has_cyrillic(text):
            yield uzbek_latin(text)
        case "uz":
            yield "".join(char for char in text if char not in APOSTROPHES)


def augment(examples: Iterable[Example]) -> list[Example]:
    """The examples followed by their new variants; a variant that another intent already
    uses, or that repeats an example, is left out."""
    originals = list(examples)
    owner = {(e.language, e.text.casefold()): e.intent for e in originals}
    extra = []
    for example in originals:
        for variant in variants(example):
            key = (example.language, variant.casefold())
            if variant.strip() and key not in owner:
                owner[key] = example.intent
                extra.append(Example(example.language, example.intent, variant))
    return originals + extra
