"""What language, out of the world's, a message most likely is: the open-set half of detection.

py3langid (a maintained, numpy-only fork of langid.py) scores about 130 languages from byte
n-grams in a few hundredths of a millisecond, with a small model that ships in the wheel. It
cannot know how our migrants type (Russian in Latin letters, Vietnamese without diacritics), so
detection uses it only to tell whether a message belongs to a language nobody here serves.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

from py3langid.langid import MODEL_FILE, LanguageIdentifier

# py3langid's labels that are varieties of a language a helpline would name by its ISO 639-1 code.
LABEL_LANGUAGE = {
    "ary": "ar",
    "arz": "ar",
    "hbo": "he",
    "uzs": "uz",
    "wuu": "zh",
    "yue": "zh",
    "sdh": "ku",
    "gug": "gn",
    "fuv": "ff",
    "gom": "kok",
    "zxx": "",  # no linguistic content
}
# Close relatives whose speakers the served language's answers reach, and that py3langid confuses
# with it on a few words: Nigerian Pidgin with English, Bikol with Tagalog.
READS_AS = {"pcm": "en", "bcl": "tl"}


@functools.cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def languages() -> frozenset[str]:
    """Every language the open-set model can name."""
    return frozenset(filter(None, (LABEL_LANGUAGE.get(label, label) for label in _identifier().labels)))


def distribution(text: str) -> dict[str, float]:
    """Probability per language (ISO 639-1 where one exists), summing to 1."""
    scores: dict[str, float] = {}
    for label, probability in _identifier().rank(text):
        language = LABEL_LANGUAGE.get(label, label)
        if language:
            scores[language] = scores.get(language, 0.0) + probability
    total = sum(scores.values()) or 1.0
    return {language: probability / total for language, probability in scores.items()}


def unserved_share(scores: Mapping[str, float], served: Iterable[str]) -> tuple[float, str | None]:
    """The probability that the text is in no served language, and the likeliest such language."""
    served_set = set(served)
    best, best_score, total = None, 0.0, 0.0
    for language, probability in scores.items():
        if language in served_set or READS_AS.get(language) in served_set:
            continue
        total += probability
        if probability > best_score:
            best, best_score = language, probability
    return total, best
