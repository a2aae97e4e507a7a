"""Where the migrant is: countries and cities named in a message, from data/places.yml.

The rules of a work permit or a registration depend on the country, and the services a migrant can
reach depend on the city, so a message such as "I'm in Moscow" or "안산에서 일해요" is worth knowing.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.language.scripts import WORD, script_of

# scripts written without spaces between words: a name matches anywhere in the text
UNSPACED_SCRIPTS = frozenset({"hangul", "han", "kana", "thai", "lao", "khmer", "myanmar"})


@dataclass(frozen=True)
class Whereabouts:
    country: str
    region: str | None = None  # a place id from data/places.yml, e.g. "ansan"


@dataclass(frozen=True)
class Place:
    id: str
    country: str
    within: str | None = None


@dataclass(frozen=True)
class _Form:
    text: str
    stem: bool  # "москв*": any word starting with it
    unspaced: bool

    @classmethod
    def parse(cls, raw: str) -> _Form:
        text = normalised(raw.strip())
        stem = text.endswith("*")
        text = text.rstrip("*")
        return cls(text, stem, any(script_of(char) in UNSPACED_SCRIPTS for char in text))

    def found_in(self, text: str, words: list[str]) -> bool:
        if self.unspaced:
            return self.text in text
        if " " in self.text:  # several words, e.g. "south korea"
            padded = f" {' '.join(words)} "
            return f" {self.text}" in padded if self.stem else f" {self.text} " in padded
        if self.stem:
            return any(word.startswith(self.text) for word in words)
        return self.text in words


def normalised(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


class Gazetteer:
    """Names of countries and places in the served languages, and which place lies within which."""

    def __init__(self, countries: dict[str, list[str]], places: dict[str, tuple[Place, list[str]]]):
        self.places = {place_id: place for place_id, (place, _forms) in places.items()}
        # places before countries: "Ansan" says more than "Korea", and names its country too
        self._forms: list[tuple[_Form, str, str | None]] = []
        for place_id, (place, forms) in places.items():
            self._forms += [(_Form.parse(form), place.country, place_id) for form in forms]
        for country, forms in countries.items():
            self._forms += [(_Form.parse(form), country, None) for form in forms]
        self.countries = tuple(countries)
        # An index, since every message is looked up: single words by the word, stems by their
        # first two letters; the rest (several words, scripts without spaces) are scanned.
        self._by_word: dict[str, list[int]] = {}
        self._by_stem_start: dict[str, list[int]] = {}
        self._scanned: list[int] = []
        for index, (form, _country, _place) in enumerate(self._forms):
            if not form.text:
                continue
            if form.unspaced or " " in form.text or (form.stem and len(form.text) < 2):
                self._scanned.append(index)
            elif form.stem:
                self._by_stem_start.setdefault(form.text[:2], []).append(index)
            else:
                self._by_word.setdefault(form.text, []).append(index)

    @classmethod
    def load(cls, path: Path) -> Gazetteer:
        if not path.exists():
            return cls({}, {})
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        countries = {
            str(code): [str(form) for form in entry.get("forms", [])]
            for code, entry in raw.get("countries", {}).items()
        }
        places = {
            str(place_id): (
                Place(str(place_id), str(entry["country"]), entry.get("within")),
                [str(form) for form in entry.get("forms", [])],
            )
            for place_id, entry in raw.get("places", {}).items()
        }
        return cls(countries, places)

    def find(self, text: str, home: str | None = None) -> Whereabouts | None:
        """The place named in ``text``, the most specific one first; None when none is named.

        A migrant often names both countries ("I'm from Kyrgyzstan, I work in Russia"): the one
        that is not ``home``, the helpline's own country, is where they are.
        """
        folded = normalised(text)
        words = WORD.findall(folded)
        candidates = set(self._scanned)
        for word in words:
            candidates.update(self._by_word.get(word, ()))
            candidates.update(self._by_stem_start.get(word[:2], ()))
        found = [
            Whereabouts(self._forms[index][1], self._forms[index][2])
            for index in sorted(candidates)  # the order of the forms: places before countries
            if self._forms[index][0].found_in(folded, words)
        ]
        abroad = [where for where in found if where.country != home]
        # the home country alone is mostly where they come from ("кыргызстандан келдим"); a city
        # there ("Бишкектемин") says where they are
        at_home = [where for where in found if where.country == home and where.region]
        return (abroad or at_home or [None])[0]

    def areas_of(self, region: str | None) -> tuple[str, ...]:
        """A place and the places it lies within, e.g. ("ansan", "gyeonggi")."""
        chain: list[str] = []
        while region and region not in chain:
            chain.append(region)
            place = self.places.get(region)
            region = place.within if place else None
        return tuple(chain)

    def country_of(self, area: str) -> str | None:
        """The country of a place id; None for anything else (a country code, an unknown id)."""
        place = self.places.get(area)
        return place.country if place else None

    def places_in(self, country: str) -> tuple[str, ...]:
        return tuple(place_id for place_id, place in self.places.items() if place.country == country)
