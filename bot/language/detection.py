"""Which language a message is in, given the conversation so far.

First the script: Hangul, Thai, Khmer, Burmese or Han name their language. Within a script several
languages share (Latin, Cyrillic, Devanagari), an open-set model of about 130 languages
(open_set.py) decides whether the message is in a language nobody serves; if not, langdetect with
the project's own profiles (built from the training examples and answers of every served language,
plus transliterated and diacritic-free variants), letter evidence and a word lexicon pick the
served language, weighed against the conversation's language as a prior.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from langdetect import DetectorFactory
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.lang_detect_exception import LangDetectException
from langdetect.utils.lang_profile import LangProfile

from bot.language import open_set, scripts
from bot.language.transliteration import ON_RUSSIAN_KEYBOARD, on_russian_keyboard, to_latin

log = logging.getLogger(__name__)

# The script each language is written in at home; in another script a sample teaches a variant
# ("ru-Latn": Russian typed in Latin letters), because phones and keyboards make people switch.
HOME_SCRIPT = {
    "en": "latin", "ru": "cyrillic", "ky": "cyrillic", "uz": "latin", "vi": "latin", "ko": "hangul",
    "zh": "han", "tl": "latin", "th": "thai", "km": "khmer", "mn": "cyrillic", "ne": "devanagari",
    "id": "latin", "tg": "cyrillic", "kk": "cyrillic", "my": "myanmar",
}  # fmt: skip
SCRIPT_TAG = {"latin": "Latn", "cyrillic": "Cyrl", "devanagari": "Deva"}
# Scripts that several languages share, told apart by n-grams and words rather than by the script.
SHARED_SCRIPTS = tuple(SCRIPT_TAG)
# Transliterations phones produce but the examples rarely show, taught as extra variants.
LATIN_TRANSLITERATED = ("ru", "ky", "kk", "mn", "tg")

# Migrants mix English or Russian words into their own language, never the other way round, so a
# word only their own language uses outweighs several English or Russian ones.
EXCLUSIVE_WORD_WEIGHT = {"en": 1.0, "ru": 1.0}
OWN_WORD_WEIGHT = 2.5
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
# Open set: a message is in a language nobody serves when the open-set model puts at least this
# share on unserved languages and most of its words are unknown to every served language's text.
UNSERVED_SHARE = 0.9
KNOWN_WORDS_SERVED = 0.5
DEVANAGARI_LANGUAGES = ("hi", "mr", "ne")


@functools.cache
def _stock_factory() -> DetectorFactory:
    """langdetect's own profiles of the Devanagari languages only: all 55 would cost every worker
    some 60 MB of memory for three that are ever compared."""
    factory = DetectorFactory()
    profiles = Path(PROFILES_DIRECTORY)
    factory.load_json_profile([(profiles / code).read_text(encoding="utf-8") for code in DEVANAGARI_LANGUAGES])
    factory.set_seed(0)
    return factory


def _stock_devanagari(text: str) -> str | None:
    """langdetect's own profiles, among the languages written in Devanagari."""
    factory = _stock_factory()
    detector = factory.create()
    detector.set_prior_map({lang: float(lang in DEVANAGARI_LANGUAGES) for lang in factory.get_lang_list()})
    detector.append(text)
    try:
        return detector.detect()
    except LangDetectException:
        return None


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
    """'ru' for Russian in Cyrillic, 'ru-Latn' for Russian in Latin letters."""
    counts = scripts.script_counts(text)
    if not counts:
        return language
    script = counts.most_common(1)[0][0]
    home = HOME_SCRIPT.get(language)
    if home is None or script == home or script not in SCRIPT_TAG:
        return language
    return f"{language}-{SCRIPT_TAG[script]}"


def _expand(language: str, text: str) -> Iterable[tuple[str, str]]:
    """A sample of text and the variants it teaches, including the forms people type."""
    variant = _variant_of(language, text)
    yield variant, text
    if variant in LATIN_TRANSLITERATED:
        yield f"{variant}-Latn", to_latin(text)
    if variant in ON_RUSSIAN_KEYBOARD:
        yield variant, on_russian_keyboard(variant, text)
    if variant == "vi":
        yield "vi-ascii", scripts.strip_diacritics(text)


def variant_language(variant: str) -> str:
    return variant.split("-")[0]


def variant_script(variant: str) -> str | None:
    language, _, tag = variant.partition("-")
    if tag == "ascii":
        return "latin"
    if tag:
        return next((script for script, name in SCRIPT_TAG.items() if name == tag), None)
    return HOME_SCRIPT.get(language)


def build_profiles(samples: Iterable[tuple[str, str]]) -> dict[str, LangProfile]:
    """n-gram profiles of every variant written in a script several languages share."""
    profiles: dict[str, LangProfile] = {}
    for language, text in samples:
        for variant, variant_text in _expand(language, text):
            if variant_script(variant) not in SHARED_SCRIPTS:
                continue
            profile = profiles.setdefault(variant, LangProfile(name=variant))
            profile.update(variant_text.lower())
    for profile in profiles.values():
        profile.omit_less_freq()
    return profiles


def words_of(text: str) -> list[str]:
    return [word.lower() for word in scripts.WORD.findall(text)]


def _learn(samples: list[tuple[str, str]]) -> dict:
    """n-gram profiles (langdetect's JSON form) and the word lexicon of the served languages."""
    profiles = {
        name: json.dumps({"name": p.name, "freq": dict(p.freq), "n_words": p.n_words})
        for name, p in build_profiles(samples).items()
    }
    lexicon: dict[str, Counter[str]] = defaultdict(Counter)
    words_per_language: Counter[str] = Counter()
    for language, text in samples:
        for word in words_of(text):
            lexicon[word][language] += 1
            words_per_language[language] += 1
    for language, text in samples:
        # the typed variants teach words, not how often a language uses them
        for _variant, variant_text in _expand(language, text):
            for word in words_of(variant_text):
                if not lexicon[word][language]:
                    lexicon[word][language] = 1
    return {"profiles": profiles, "lexicon": lexicon, "words_per_language": words_per_language}


# The code whose output the cache holds: a change to any of it makes a new key.
_LEARNING_CODE = ("detection.py", "transliteration.py", "scripts.py")


def _cache_key(samples: list[tuple[str, str]]) -> str:
    digest = hashlib.sha256(json.dumps(samples, ensure_ascii=False).encode())
    for name in _LEARNING_CODE:
        digest.update((Path(__file__).parent / name).read_bytes())
    digest.update(version("langdetect").encode())
    return digest.hexdigest()[:32]


def _learned_cached(samples: list[tuple[str, str]], cache: Path) -> dict:
    path = cache / f"language-{_cache_key(samples)}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as error:  # a damaged file is learned again and replaced
        log.warning("language detector cache unreadable (%s); learning again", type(error).__name__)
    learned = _learn(samples)
    try:
        cache.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # the state directory holds the database too
        cache.mkdir(exist_ok=True)
        for stale in cache.glob("language-*.json"):
            stale.unlink(missing_ok=True)
        # written whole under another name first: a worker starting meanwhile never reads half a file
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=cache, suffix=".tmp", delete=False) as file:
            json.dump(learned, file, ensure_ascii=False)
        os.replace(file.name, path)
    except OSError as error:
        log.warning("language detector cache not written (%s)", type(error).__name__)
    return learned


class LanguageDetector:
    def __init__(
        self,
        samples: Iterable[tuple[str, str]],
        served: Iterable[str],
        closest_served: Callable[[str], str] | None = None,
        cache: Path | None = None,
    ):
        """``samples`` are (language, text) pairs of the served languages' own content;
        ``closest_served`` names the served language a speaker of an unserved one reads. What is
        learned from the samples is kept in ``cache`` (a directory), keyed by the samples and by
        this code, so that a worker starting on unchanged content skips the seconds it takes."""
        self.served = tuple(served)
        self._closest_served = closest_served or (lambda _language: self.served[0])
        sample_list = [(language, text) for language, text in samples if language in self.served]
        learned = _learned_cached(sample_list, cache) if cache is not None else _learn(sample_list)
        self._variants = tuple(learned["profiles"])
        self._factory = DetectorFactory()
        if learned["profiles"]:
            self._factory.load_json_profile(list(learned["profiles"].values()))
        self._factory.set_seed(0)
        # word -> {language: count}, read only: kept as loaded (a Counter per word would add ~16 MB)
        self._lexicon: Mapping[str, Mapping[str, int]] = dict(learned["lexicon"])
        self._words_per_language: Counter[str] = Counter(learned["words_per_language"])

    # -- evidence -------------------------------------------------------------------------------

    def _ngram_scores(self, text: str, variants: tuple[str, ...]) -> dict[str, float]:
        available = [v for v in variants if v in self._variants]
        if not available:
            return {}
        detector = self._factory.create()
        detector.set_prior_map({v: (1.0 if v in available else 0.0) for v in self._variants})
        detector.append(text.lower())
        try:
            ranked = detector.get_probabilities()
        except LangDetectException:
            return {}
        scores: dict[str, float] = defaultdict(float)
        for result in ranked:
            scores[variant_language(result.lang)] += result.prob
        return dict(scores)

    def _lexicon_scores(self, text: str, languages: Iterable[str]) -> dict[str, float]:
        """Log-evidence from whole words: a word only one language uses counts most."""
        candidates = set(languages)
        evidence: dict[str, float] = defaultdict(float)
        for word in words_of(text):
            seen = {lang for lang in self._lexicon.get(word, ()) if lang in candidates}
            if len(seen) == 1:
                (lang,) = seen
                evidence[lang] += EXCLUSIVE_WORD_WEIGHT.get(lang, OWN_WORD_WEIGHT)
            else:
                for lang in seen:
                    evidence[lang] += SHARED_WORD_WEIGHT / len(seen)
        return dict(evidence)

    def _known_share(self, text: str) -> float:
        """The share of the message's words that some served language's own text uses."""
        words = words_of(text)
        if not words:
            return 0.0
        return sum(word in self._lexicon for word in words) / len(words)

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
        if conversation_language not in self.served:
            conversation_language = None  # e.g. a language the profile no longer serves
        fallback = conversation_language or self.served_hint(channel_hint) or self.served[0]
        text = scripts.undo_mongolian_substitutes(text)
        counts = scripts.script_counts(text)
        letters = sum(counts.values())
        if not letters:
            return Detection(fallback, None, 0.0, "no letters")

        main_script = counts.most_common(1)[0][0]
        default = self.served[0]
        # Korean migrants mix English into Korean; Nepali or Tajik migrants in Korea mix Korean words
        # (주민센터, 산재) into their own language, which then has more letters of its own script
        if main_script == "hangul" or (
            counts.get("hangul", 0) >= 2 and main_script == "latin" and not self._own_latin(text)
        ):
            return self._decide("ko", "hangul")
        if counts.get("kana", 0) and main_script in ("han", "kana"):  # Japanese writes kanji with kana
            return self._decide("ja", "kana")
        if main_script in scripts.SCRIPT_LANGUAGE:
            return self._decide(scripts.SCRIPT_LANGUAGE[main_script], f"{main_script} script")
        # before letter shortcuts: ă is Romanian as well as Vietnamese, ў Belarusian as well as Uzbek
        unserved = self._open_set(text, main_script)
        if unserved:
            return self._decide(unserved, "open set")
        if main_script == "cyrillic":
            evidence = scripts.letter_evidence(text, scripts.CYRILLIC_LETTERS)
            special = self._special_letters(evidence)
            if special:
                return special
            unserved = self._unserved_words(text)
            if unserved:
                return self._decide(unserved, "words")
        elif main_script == "latin":
            if sum(map(scripts.is_vietnamese_letter, text)) >= 1:
                return self._decide("vi", "vietnamese letters")
            if scripts.has_uzbek_apostrophe(text):
                return self._decide("uz", "uzbek apostrophe")
            foreign = scripts.letter_evidence(text, scripts.LATIN_LETTERS)
            if foreign and not any(lang in self.served for lang in foreign):
                return self._decide(foreign.most_common(1)[0][0], "letters")
            if LATIN_DEFAULT in self.served:
                default = LATIN_DEFAULT

        candidates = tuple(v for v in self._variants if variant_script(v) == main_script)
        languages = tuple(dict.fromkeys(variant_language(v) for v in candidates))
        if not languages:
            return Detection(self._closest_served("und"), None, 0.0, "no served language in this script")
        ngram = self._ngram_scores(text, candidates)
        lexicon = self._lexicon_scores(text, languages)
        scores = {
            lang: (0.5 * ngram.get(lang, 0.0) + 0.5 * lexicon.get(lang, 0.0)) if lexicon else ngram.get(lang, 0.0)
            for lang in languages
        }
        if default not in scores:
            default = languages[0]
        knows_nothing = not conversation_language and not self.served_hint(channel_hint)
        if knows_nothing and self._only_words_of(default, text):
            # the reverse of the lexicon's rule: migrants mix English or Russian into their own language,
            # so a first message made only of English (Russian) words is English (Russian): "hi", "no", "да"
            total = sum(scores.values()) or 1.0
            scores = {lang: 0.8 if lang == default else 0.2 * score / total for lang, score in scores.items()}
        return self._weigh_priors(scores, letters, conversation_language, channel_hint, default)

    def _open_set(self, text: str, script: str) -> str | None:
        """The unserved language the text is in, when the open-set model is sure and the words
        are strangers to every served language; otherwise None."""
        share, best = open_set.unserved_share(open_set.distribution(text), self.served)
        if script not in SHARED_SCRIPTS:
            return best if share >= 0.5 else None
        if script == "devanagari":
            # Hindi, Marathi and Nepali share most of their words, so the lexicon cannot tell them
            # apart; langdetect's own Hindi, Marathi and Nepali profiles give a second opinion
            if share >= UNSERVED_SHARE and _stock_devanagari(text) not in self.served:
                return best
            return None
        if share >= UNSERVED_SHARE and self._known_share(text) < KNOWN_WORDS_SERVED:
            return best
        return None

    def _own_latin(self, text: str) -> bool:
        """Latin-script words that a served language other than English writes ("bill aayo", "ma"):
        romanised Nepali or Tagalog around Korean words, rather than Korean with English words."""
        words = [word for word in words_of(text) if scripts.script_of(word[0]) == "latin"]
        others = [
            w for w in words if any(lang != "en" for lang in self._lexicon.get(w, ())) and not self._belongs_to(w, "en")
        ]
        return bool(words) and len(others) * 2 >= len(words)

    def _only_words_of(self, language: str, text: str) -> bool:
        """Every word is one ``language`` uses at least half as often as any other language does."""
        words = words_of(text)
        return bool(words) and all(self._belongs_to(word, language) for word in words)

    def _belongs_to(self, word: str, language: str) -> bool:
        counts = self._lexicon.get(word, {})
        if not counts.get(language):
            return False
        frequency = {lang: n / max(1, self._words_per_language[lang]) for lang, n in counts.items()}
        return frequency[language] >= 0.5 * max(frequency.values())

    def _unserved_words(self, text: str) -> str | None:
        words = words_of(text)
        for language, vocabulary in scripts.UNSERVED_WORDS.items():
            if language in self.served:
                continue
            hits = sum(word in vocabulary for word in words)
            if hits >= 2 and hits * 3 >= len(words):
                return language
        return None

    def served_hint(self, hint: str | None) -> str | None:
        if not hint:
            return None
        base = hint.split("-")[0].split("_")[0].lower()
        return base if base in self.served else None

    def _special_letters(self, evidence: Counter[str]) -> Detection | None:
        if not evidence:
            return None
        best, _ = evidence.most_common(1)[0]
        top = evidence[best]
        # a letter several languages share goes to the served ones (ң ө ү: Kyrgyz, Kazakh, Mongolian),
        # which n-grams and words then tell apart
        served = [lang for lang, count in evidence.items() if lang in self.served and count == top]
        if len(served) == 1:
            return self._decide(served[0], "letters")
        if served:
            return None
        return self._decide(best, "letters")

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
            fallback = conversation_language or self.served_hint(channel_hint) or default
            return Detection(fallback, None, 0.0, "no evidence")
        posterior = {lang: score / total for lang, score in scores.items()}
        # the shorter the message, the more the conversation so far decides
        shortness = max(0.0, 1.0 - letters / (4 * SHORT_MESSAGE_LETTERS))
        hint = self.served_hint(channel_hint)
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

    def _decide(self, language: str, reason: str) -> Detection:
        """``language`` for certain: answered in it when served, else in the closest served one."""
        if language in self.served:
            return Detection(language, language, 1.0, reason)
        return Detection(self._closest_served(language), language, 1.0, reason)
