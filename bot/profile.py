"""The helpline profile: name, numbers, opening hours and languages of one support centre."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from babel import Locale
from babel.dates import format_time, get_timezone_gmt

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ProfileError(ValueError):
    """The profile file is missing a field or has a malformed one."""


@dataclass(frozen=True)
class OpeningHours:
    # weekday index (Monday = 0) -> (open, close); absent days are closed
    days: dict[int, tuple[dt.time, dt.time]]
    timezone: ZoneInfo

    def is_open(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(self.timezone)
        span = self.days.get(local.weekday())
        return span is not None and span[0] <= local.time() < span[1]

    def next_opening(self, moment: dt.datetime) -> dt.datetime | None:
        """The next moment lawyers are available (``moment`` itself when open now)."""
        if self.is_open(moment):
            return moment
        local = moment.astimezone(self.timezone)
        for offset in range(8):
            day = local.date() + dt.timedelta(days=offset)
            span = self.days.get(day.weekday())
            if span is None:
                continue
            opening = dt.datetime.combine(day, span[0], tzinfo=self.timezone)
            if opening > local:
                return opening
        return None


@dataclass(frozen=True)
class HelplineProfile:
    id: str
    country: str
    names: dict[str, str]
    hotline: str
    website: str
    emergency: dict[str, str]
    hours: OpeningHours
    timezone_labels: dict[str, str]
    languages: tuple[str, ...]
    closest_language: dict[str, str]
    serve_fuzzy: bool = True
    # how the language menu names a language, where babel's own name is not what its speakers say
    language_names: dict[str, str] = field(default_factory=dict)
    source: Path | None = field(default=None, compare=False)

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names.get("en") or self.hotline

    def closest_served(self, language: str | None) -> str:
        """The served language a speaker of ``language`` most likely reads."""
        if language in self.languages:
            return language
        fallback = self.closest_language.get(language or "", self.closest_language.get("*"))
        return fallback if fallback in self.languages else self.default_language

    def format_hours(self, language: str) -> str:
        """Opening hours for people, e.g. 'Mon–Fri 9:00 AM – 6:00 PM (Bishkek time)'."""
        locale = Locale.parse(language)
        day_names = locale.days["format"]["abbreviated"]
        groups: list[tuple[list[int], tuple[dt.time, dt.time]]] = []
        for weekday in range(7):
            span = self.hours.days.get(weekday)
            if span is None:
                continue
            if groups and groups[-1][1] == span and groups[-1][0][-1] == weekday - 1:
                groups[-1][0].append(weekday)
            else:
                groups.append(([weekday], span))
        parts = []
        for days, (opens, closes) in groups:
            label = day_names[days[0]]
            if len(days) > 1:
                label = f"{label}–{day_names[days[-1]]}"
            start = format_time(opens, "short", locale=locale)
            end = format_time(closes, "short", locale=locale)
            parts.append(f"{label} {start}–{end}")
        zone = self.timezone_labels.get(language) or get_timezone_gmt(
            dt.datetime.now(self.hours.timezone), locale=locale
        )
        return f"{', '.join(parts)} ({zone})"

    def placeholders(self, language: str) -> dict[str, str]:
        """Values for the {placeholders} used in answers."""
        return {
            "helpline_name": self.name(language),
            "hotline": self.hotline,
            "website": self.website,
            "hours": self.format_hours(language),
            "emergency": self.emergency["general"],
            "police": self.emergency.get("police", self.emergency["general"]),
            "ambulance": self.emergency.get("ambulance", self.emergency["general"]),
            "trafficking_line": self.emergency.get("trafficking", self.hotline),
        }


def _parse_span(day: str, text: str) -> tuple[dt.time, dt.time]:
    try:
        start, end = (dt.time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError as error:
        raise ProfileError(f"opening_hours.{day}: expected 'HH:MM-HH:MM', got {text!r}") from error
    if end <= start:
        raise ProfileError(f"opening_hours.{day}: closing time must be after opening time")
    return start, end


def parse_profile(raw: dict, source: Path | None = None) -> HelplineProfile:
    missing = [key for key in ("id", "timezone", "hotline", "emergency", "languages") if key not in raw]
    if missing:
        raise ProfileError(f"profile is missing: {', '.join(missing)}")
    if "general" not in raw["emergency"]:
        raise ProfileError("emergency.general (the general emergency number) is required")
    timezone = ZoneInfo(raw["timezone"])
    days = {}
    for day, span in (raw.get("opening_hours") or {}).items():
        if day not in WEEKDAYS:
            raise ProfileError(f"opening_hours: unknown day {day!r}; use {', '.join(WEEKDAYS)}")
        days[WEEKDAYS.index(day)] = _parse_span(day, str(span))
    return HelplineProfile(
        id=str(raw["id"]),
        country=str(raw.get("country", "")),
        names={str(k): str(v) for k, v in (raw.get("name") or {}).items()},
        hotline=str(raw["hotline"]),
        website=str(raw.get("website", "")),
        emergency={str(k): str(v) for k, v in raw["emergency"].items()},
        hours=OpeningHours(days=days, timezone=timezone),
        timezone_labels={str(k): str(v) for k, v in (raw.get("timezone_label") or {}).items()},
        languages=tuple(str(code) for code in raw["languages"]),
        language_names={str(k): str(v) for k, v in (raw.get("language_names") or {}).items()},
        closest_language={str(k): str(v) for k, v in (raw.get("closest_language") or {}).items()},
        serve_fuzzy=bool(raw.get("serve_fuzzy", True)),
        source=source,
    )


def load_profile(path: Path) -> HelplineProfile:
    with path.open(encoding="utf-8") as handle:
        return parse_profile(yaml.safe_load(handle), source=path)
