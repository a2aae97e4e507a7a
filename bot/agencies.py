"""The register of licensed private employment agencies, and looking a name up in it.

Migrants type an agency's name as they heard it: in Cyrillic or Latin, without its legal form,
with a letter wrong. Names are compared after dropping legal forms and punctuation, with
rapidfuzz's weighted ratio, which copes with missing words and small misspellings.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

# Scores (0-100) for "this is the agency" and for "one of these?"
SURE, SIMILAR = 88, 70
LEGAL_FORMS = re.compile(
    r"\b(?:осоо|оао|зао|ооо|ип|тоо|llc|ltd|inc|co|agency|агентство|агенттиги|компания|company|бюро)\b",
    re.IGNORECASE,
)
PUNCTUATION = re.compile(r"[\"'«»“”„.,()\-–—]+")


@dataclass(frozen=True)
class Agency:
    name: str
    latin_name: str
    licence: str
    valid_until: dt.date
    countries: tuple[str, ...]
    phone: str = ""
    sample: bool = False

    def licensed_on(self, day: dt.date) -> bool:
        return day <= self.valid_until


@dataclass(frozen=True)
class Lookup:
    query: str
    agency: Agency | None  # the agency meant, when sure
    similar: tuple[Agency, ...] = ()  # otherwise, names close enough to ask about


def comparable(name: str) -> str:
    name = LEGAL_FORMS.sub(" ", name.casefold())
    return " ".join(PUNCTUATION.sub(" ", name).split())


@dataclass(frozen=True)
class Register:
    agencies: tuple[Agency, ...]
    updated: dt.date | None
    source: str = ""
    updated_by: str = ""

    @classmethod
    def load(cls, path: Path) -> Register | None:
        """None when the helpline keeps no register."""
        if not path.exists():
            return None
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        agencies = tuple(
            Agency(
                name=str(entry["name"]),
                latin_name=str(entry.get("latin_name") or ""),
                licence=str(entry["licence"]),
                valid_until=_date(entry["valid_until"]),
                countries=tuple(str(code) for code in entry.get("countries") or ()),
                phone=str(entry.get("phone") or ""),
                sample=bool(entry.get("sample", False)),
            )
            for entry in raw.get("agencies") or ()
        )
        updated = raw.get("updated")
        source, by = str(raw.get("source") or ""), str(raw.get("updated_by") or "")
        return cls(agencies, _date(updated) if updated else None, source, by)

    def _names(self) -> list[tuple[str, Agency]]:
        names = []
        for agency in self.agencies:
            names += [(comparable(name), agency) for name in (agency.name, agency.latin_name) if name]
        return names

    def lookup(self, query: str) -> Lookup:
        names = self._names()
        wanted = comparable(query)
        if not wanted or not names:
            return Lookup(query, None)
        scored = process.extract(wanted, [name for name, _ in names], scorer=fuzz.WRatio, limit=8)
        ranked: dict[str, tuple[float, Agency]] = {}
        for _name, score, index in scored:
            agency = names[index][1]
            if agency.licence not in ranked or ranked[agency.licence][0] < score:
                ranked[agency.licence] = (score, agency)
        best = sorted(ranked.values(), key=lambda item: -item[0])
        if best and best[0][0] >= SURE and (len(best) == 1 or best[1][0] < best[0][0] - 5):
            return Lookup(query, best[0][1])
        return Lookup(query, None, tuple(agency for score, agency in best[:3] if score >= SIMILAR))

    def mentioned_in(self, text: str) -> Agency | None:
        """An agency named inside a longer message ("is Ala-Too Jumush licensed?"), when sure."""
        names = self._names()
        wanted = comparable(text)
        best = None
        for name, agency in names:
            score = fuzz.partial_ratio(name, wanted) if len(name) >= 5 else 0
            if score >= 92 and (best is None or score > best[0]):
                best = (score, agency)
        return best[1] if best else None


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _header(path: Path) -> str:
    """The file's leading comments, kept when it is rewritten."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return "\n".join(lines) + "\n" if lines else ""


def _rewrite(path: Path, change) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    change(raw)
    text = _header(path) + yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=1000)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def save_agency(path: Path, agency: Agency, by: str, today: dt.date, replacing: str | None = None) -> None:
    """Add an agency, or replace the one with licence ``replacing``; the register is then up to date."""
    entry = {
        "name": agency.name,
        "latin_name": agency.latin_name,
        "licence": agency.licence,
        "valid_until": agency.valid_until,
        "countries": list(agency.countries),
        "phone": agency.phone,
        "sample": agency.sample,
    }

    def change(raw: dict) -> None:
        agencies = raw.setdefault("agencies", []) or []
        raw["agencies"] = agencies
        others = [existing for existing in agencies if str(existing.get("licence")) not in (replacing, agency.licence)]
        at = next(
            (i for i, existing in enumerate(agencies) if str(existing.get("licence")) == (replacing or agency.licence)),
            None,
        )
        if at is None:
            others.append(entry)
        else:
            others.insert(min(at, len(others)), entry)
        raw["agencies"] = others
        raw["updated"], raw["updated_by"] = today, by

    _rewrite(path, change)


def mark_updated(path: Path, by: str, today: dt.date) -> None:
    """The register was checked against the ministry's today."""

    def change(raw: dict) -> None:
        raw["updated"], raw["updated_by"] = today, by

    _rewrite(path, change)
