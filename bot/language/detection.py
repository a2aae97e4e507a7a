"""Which language a message is in, given the conversation so far.

langdetect has no Kyrgyz or Uzbek and guesses wildly on two words, so it is used here with the
project's own profiles (built from the training examples and answers of every served language,
plus transliterated and diacritic-free variants), narrowed by script and letter evidence, helped by
a word lexicon, and weighed against the conversation's language as a prior.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from langdetect import DetectorFactory
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.lang_detect_exception import LangDetectException
from langdetect.utils.lang_profile import LangProfile

from bot.language import scripts
from bot.language.transliteration import to_latin

WORD = re.compile(r"[^\W\d_]+(?:['ʻʼ`‘’][^\W\d_]+)*")

# Profile variants: how each served language can be written in a chat.
VARIANT_LANGUAGE = {
    "en": "en",
    "ru": "ru",
    "ru-Latn": "ru",
    "ky": "ky",
    "ky-Latn": "ky",
    "uz": "uz",
    "uz-Cyrl": "uz",
    "vi": "vi",
    "vi-ascii": "vi",
}
LATIN_VARIANTS = ("en", "ru-Latn", "ky-Latn", "uz", "vi", "vi-ascii")
CYRILLIC_VARIANTS = ("ru", "ky", "uz-Cyrl")

# Migrants mix English or Russian words into their own language, never the other way round, so a
# word only Kyrgyz, Uzbek or Vietnamese uses outweighs several English or Russian ones.
EXCLUSIVE_WORD_WEIGHT = {"ky": 2.5, "uz": 2.5, "vi": 2.5, "en": 1.0, "ru": 1.0}
SHARED_WORD_WEIGHT = 0.5
NGRAM_FLOOR = 0.01

# A message this short says too little to overturn the conversation's language.
SHORT_MESSAGE_LETTERS = 12
# How much the conversation's language counts against fresh evidence.
PRIOR_WEIGHT = 0.6
HINT_WEIGHT = 0.25
DEFAULT_WEIGHT = 0.25
# With nothing else to go on, a Latin-script message is most likely English, the language migrants
# share when they do not write their own; Cyrillic goes to the helpline's main language.
LATIN_DEFAULT = "en"


@dataclass(frozen=True)
class Detection:
    """The outcome for one message.

    ``language`` is a served language to answer in; ``detected`` is what the text itself looks
    like, which may be a language the helpline does not serve (e.g. 'tg'), or None for text
    without letters.
    """

    language: str
    detected: str | None
    confidence: float
    reason: str

    @property
    def served(self) -> bool:
        return self.detected is None or self.detected == self.language


def _variant_of(language: str, text: str) -> str:
    counts = scripts.script_counts(text)
    latin, cyrillic = counts.get("latin", 0), counts.get("cyrillic", 0)
    if language in ("ru", "ky") and latin > cyrillic:
        return f"{language}-Latn"
    if language == "uz" and cyrillic > latin:
        return "uz-Cyrl"
    return language


def _expand(language: str, text: str) -> Iterable[tuple[str, str]]:
    """A sample of text and the variants it teaches, including the forms people type."""
    variant = _variant_of(language, text)
    yield variant, text
    if variant in ("ru", "ky"):
        yield f"{variant}-Latn", to_latin(text)
    if variant == "vi":
        yield "vi-ascii", scripts.strip_diacritics(text)


def build_profiles(samples: Iterable[tuple[str, str]]) -> dict[str, LangProfile]:
    profiles: dict[str, LangProfile] = {}
    for language, text in samples:
        for variant, variant_text in _expand(language, text):
            if variant not in VARIANT_LANGUAGE:
                continue
            profile = profiles.setdefault(variant, LangProfile(name=variant))
            profile.update(variant_text.lower())
    for profile in profiles.values():
        profile.omit_less_freq()
    return profiles


@functools.cache
def _stock_factory() -> DetectorFactory:
    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(0)
    return factory


def words_of(text: str) -> list[str]:
    return [word.lower() for word in WORD.findall(text)]


class LanguageDetector:
    def __init__(
        self,
        samples: Iterable[tuple[str, str]],
        served: Iterable[str],
        closest_served: Callable[[str], str] | None = None,
    ):
        """``samples`` are (language, text) pairs of the served languages' own content;
        ``closest_served`` names the served language a speaker of an unserved one reads."""
        sample_list = list(samples)
        self.served = tuple(served)
        self._closest_served = closest_served or (lambda _language: self.served[0])
        profiles = build_profiles(sample_list)
        self._factory = DetectorFactory()
        self._factory.load_json_profile(
            [json.dumps({"name": p.name, "freq": dict(p.freq), "n_words": p.n_words}) for p in profiles.values()]
        )
        self._factory.set_seed(0)
        self._lexicon: dict[str, Counter[str]] = defaultdict(Counter)
        self._words_per_language: Counter[str] = Counter()
        for language, text in sample_list:
            for word in words_of(text):
                self._lexicon[word][language] += 1
                self._words_per_language[language] += 1
                if language == "vi":
                    self._lexicon[scripts.strip_diacritics(word)][language] += 1

    # -- evidence -------------------------------------------------------------------------------

    def _ngram_scores(self, text: str, variants: tuple[str, ...]) -> dict[str, float]:
        available = [v for v in variants if v in self._factory.get_lang_list()]
        if not available:
            return {}
        detector = self._factory.create()
        detector.set_prior_map({v: (1.0 if v in available else 0.0) for v in self._factory.get_lang_list()})
        detector.append(text.lower())
        try:
            ranked = detector.get_probabilities()
        except LangDetectException:
            return {}
        scores: dict[str, float] = defaultdict(float)
        for result in ranked:
            scores[VARIANT_LANGUAGE[result.lang]] += result.prob
        return dict(scores)

    def _lexicon_scores(self, text: str, languages: Iterable[str]) -> dict[str, float]:
        """Log-evidence from whole words: a word only one language uses counts most."""
        candidates = set(languages)
        evidence: dict[str, float] = defaultdict(float)
        for word in words_of(text):
            seen = {lang for lang in self._lexicon.get(word, ()) if lang in candidates}
            if len(seen) == 1:
                (lang,) = seen
                evidence[lang] += EXCLUSIVE_WORD_WEIGHT.get(lang, 1.0)
            else:
                for lang in seen:
                    evidence[lang] += SHARED_WORD_WEIGHT / len(seen)
        return dict(evidence)

    # -- decision -------------------------------------------------------------------------------

    def detect(
        self,
        text: str,
        conversation_language: str | None = None,
        channel_hint: str | None = None,
    ) -> Detection:
        """Identify the language of ``text``.

        ``conversation_language`` is the language the conversation has used so far and
        ``channel_hint`` the language the app reports (Telegram's language_code); both are
        priors that fresh evidence can overturn, never answers on their own.
        """
        fallback = conversation_language or self._served_hint(channel_hint) or self.served[0]
        counts = scripts.script_counts(text)
        letters = sum(counts.values())
        if not letters:
            return Detection(fallback, None, 0.0, "no letters")

        main_script = counts.most_common(1)[0][0]
        default = self.served[0]
        if counts.get("hangul", 0) >= 2 or main_script == "hangul":  # Korean migrants mix in English, never the reverse
            return self._decide({"ko": 1.0}, "ko", "hangul")
        if main_script in scripts.SCRIPT_LANGUAGE:
            return self._unserved(scripts.SCRIPT_LANGUAGE[main_script], f"{main_script} script")
        if main_script == "cyrillic":
            evidence = scripts.letter_evidence(text, scripts.CYRILLIC_LETTERS)
            special = self._special_letters(evidence)
            if special:
                return special
            unserved = self._unserved_words(text)
            if unserved:
                return self._unserved(unserved, "words")
            candidates = CYRILLIC_VARIANTS
        elif main_script == "latin":
            if sum(map(scripts.is_vietnamese_letter, text)) >= 1:
                return self._decide({"vi": 1.0}, "vi", "vietnamese letters")
            if scripts.has_uzbek_apostrophe(text):
                return self._decide({"uz": 1.0}, "uz", "uzbek apostrophe")
            foreign = scripts.letter_evidence(text, scripts.LATIN_LETTERS)
            if foreign:
                return self._unserved(foreign.most_common(1)[0][0], "letters")
            if any(not char.isascii() and char.isalpha() for char in text):
                # accented letters without Vietnamese-only ones: Spanish, French, Portuguese...
                european = self._stock_language(text)
                if european and european not in self.served:
                    return self._unserved(european, "langdetect")
            candidates = LATIN_VARIANTS
            if LATIN_DEFAULT in self.served:
                default = LATIN_DEFAULT
        else:
            return Detection(fallback, None, 0.0, "unknown script")

        languages = tuple(dict.fromkeys(VARIANT_LANGUAGE[v] for v in candidates))
        languages = tuple(lang for lang in languages if lang in self.served)
        ngram = self._ngram_scores(text, candidates)
        lexicon = self._lexicon_scores(text, languages)
        scores = {
            lang: (0.5 * ngram.get(lang, 0.0) + 0.5 * lexicon.get(lang, 0.0)) if lexicon else ngram.get(lang, 0.0)
            for lang in languages
        }
        knows_nothing = not conversation_language and not self._served_hint(channel_hint)
        if knows_nothing and default in scores and self._only_words_of(default, text):
            # the reverse of the lexicon's rule: migrants mix English or Russian into their own language,
            # so a first message made only of English (Russian) words is English (Russian): "hi", "no", "да"
            total = sum(scores.values()) or 1.0
            scores = {lang: 0.8 if lang == default else 0.2 * score / total for lang, score in scores.items()}
        return self._weigh_priors(scores, letters, conversation_language, channel_hint, default)

    def _only_words_of(self, language: str, text: str) -> bool:
        """Every word is one ``language`` uses at least half as often as any other language does."""
        words = words_of(text)
        return bool(words) and all(self._belongs_to(word, language) for word in words)

    def _belongs_to(self, word: str, language: str) -> bool:
        counts = self._lexicon.get(word, {})
        if not counts.get(language):
            return False
        frequency = {lang: n / self._words_per_language[lang] for lang, n in counts.items()}
        return frequency[language] >= 0.5 * max(frequency.values())

    def _unserved_words(self, text: str) -> str | None:
        words = words_of(text)
        for language, vocabulary in scripts.UNSERVED_WORDS.items():
            hits = sum(word in vocabulary for word in words)
            if hits >= 2 and hits * 3 >= len(words):
                return language
        return None

    def _stock_language(self, text: str) -> str | None:
        """langdetect's own profiles, for naming a language the helpline does not serve."""
        detector = _stock_factory().create()
        detector.append(text)
        try:
            ranked = detector.get_probabilities()
        except LangDetectException:
            return None
        served = sum(result.prob for result in ranked if result.lang in self.served)
        return ranked[0].lang.split("-")[0] if ranked and served < 0.2 else None

    def _served_hint(self, hint: str | None) -> str | None:
        if not hint:
            return None
        base = hint.split("-")[0].split("_")[0].lower()
        return base if base in self.served else None

    def _special_letters(self, evidence: Counter[str]) -> Detection | None:
        if not evidence:
            return None
        best, _ = evidence.most_common(1)[0]
        # a letter several languages share goes to the served one (ң ө ү: Kyrgyz, қ ғ ҳ: Uzbek)
        served = [lang for lang, count in evidence.most_common() if lang in self.served]
        top = evidence[best]
        if served and evidence[served[0]] == top:
            return self._decide({served[0]: 1.0}, served[0], "letters")
        return self._unserved(best, "letters")

    def _weigh_priors(
        self,
        scores: Mapping[str, float],
        letters: int,
        conversation_language: str | None,
        channel_hint: str | None,
        default: str,
    ) -> Detection:
        total = sum(scores.values())
        if total <= 0:
            fallback = conversation_language or self._served_hint(channel_hint) or default
            return Detection(fallback, None, 0.0, "no evidence")
        posterior = {lang: score / total for lang, score in scores.items()}
        # the shorter the message, the more the conversation so far decides
        shortness = max(0.0, 1.0 - letters / (4 * SHORT_MESSAGE_LETTERS))
        hint = self._served_hint(channel_hint)
        priors = [(conversation_language, PRIOR_WEIGHT), (hint, HINT_WEIGHT)]
        if not conversation_language and not hint:
            priors.append((default, DEFAULT_WEIGHT))
        for prior, weight in priors:
            if prior in posterior:
                boost = weight * (0.5 + shortness)
                posterior = {lang: p * (1 + boost * 4) if lang == prior else p for lang, p in posterior.items()}
        total = sum(posterior.values())
        best = max(posterior, key=posterior.__getitem__)
        confidence = posterior[best] / total
        # a message this short says too little to overturn what is already known
        prior = conversation_language or hint
        if letters < SHORT_MESSAGE_LETTERS and prior in posterior and confidence < 0.9:
            return Detection(prior, prior, round(posterior[prior] / total, 4), "prior")
        return Detection(best, best, round(confidence, 4), "n-grams and lexicon")

    def _decide(self, scores: Mapping[str, float], language: str, reason: str) -> Detection:
        if language in self.served:
            return Detection(language, language, max(scores.values()), reason)
        return self._unserved(language, reason)

    def _unserved(self, language: str, reason: str) -> Detection:
        if language in self.served:
            return Detection(language, language, 1.0, reason)
        return Detection(self._closest_served(language), language, 1.0, reason)
