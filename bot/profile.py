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
class Organization:
    """A partner organisation sharing the installation: its own team and queue. A new case goes to
    the first organisation whose rules all match it; the first organisation takes the rest."""

    id: str
    name: str
    topics: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()  # place ids from data/places.yml
    languages: frozenset[str] = frozenset()

    @property
    def has_rules(self) -> bool:
        return bool(self.topics or self.regions or self.languages)

    def takes(self, topic: str | None, areas: tuple[str, ...], language: str | None) -> bool:
        return (
            self.has_rules
            and (not self.topics or topic in self.topics)
            and (not self.regions or bool(self.regions.intersection(areas)))
            and (not self.languages or language in self.languages)
        )


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
    # the countries this helpline's migrants are in, in the order of the "which country?" buttons;
    # a single one (a Korean centre's migrants are in Korea) is never asked
    migrants_in: tuple[str, ...] = ()
    # a lawyer's referral is followed up with the migrant after this many days
    referral_follow_up_days: int = 7
    # directory entries not verified for longer than this are flagged by `content check`
    directory_stale_days: int = 180
    # service targets the statistics measure against: minutes until a lawyer takes a case, and
    # until their first reply
    wait_target_minutes: int = 15
    first_reply_target_minutes: int = 30
    organizations: tuple[Organization, ...] = ()
    source: Path | None = field(default=None, compare=False)

    @property
    def default_language(self) -> str:
        return self.languages[0]

    @property
    def known_country(self) -> str | None:
        """The country every migrant of this helpline is in, when there is only one."""
        return self.migrants_in[0] if len(self.migrants_in) == 1 else None

    def route(self, topic: str | None, areas: tuple[str, ...], language: str | None) -> str | None:
        """The organisation whose queue a new case joins; None is the first organisation's."""
        for organization in self.organizations[1:]:
            if organization.takes(topic, areas, language):
                return organization.id
        return None

    def organization(self, organization_id: str | None) -> Organization:
        """``None`` and unknown ids are the first organisation (the helpline itself if none are listed)."""
        for organization in self.organizations:
            if organization.id == organization_id:
                return organization
        return self.organizations[0] if self.organizations else Organization(self.id, self.name("en"))

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

    def _second_number(self, kind: str) -> str:
        general = self.emergency["general"]
        number = self.emergency.get(kind, general)
        return self.emergency.get("ambulance", general) if number == general else number

    def placeholders(self, language: str) -> dict[str, str]:
        """Values for the {placeholders} used in answers."""
        return {
            "helpline_name": self.name(language),
            "hotline": self.hotline,
            "website": self.website,
            "hours": self.format_hours(language),
            "emergency": self.emergency["general"],
            # "call {police} or {emergency}": where the police number is the general one (112 in
            # Korea), the other number to offer is the ambulance's
            "police": self._second_number("police"),
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


def _countries(raw) -> tuple[str, ...]:
    codes = tuple(str(code) for code in raw or ())
    bad = [code for code in codes if len(code) != 2 or not code.isupper()]
    if bad:
        raise ProfileError(f"migrants_in: expected ISO 3166 country codes such as RU, got {', '.join(bad)}")
    return codes


def _organizations(raw: list) -> tuple[Organization, ...]:
    organizations = []
    for entry in raw:
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("name"):
            raise ProfileError("organizations: each needs an id and a name")
        rules = entry.get("routes") or {}
        organizations.append(
            Organization(
                id=str(entry["id"]),
                name=str(entry["name"]),
                topics=frozenset(str(topic) for topic in rules.get("topics") or ()),
                regions=frozenset(str(region) for region in rules.get("regions") or ()),
                languages=frozenset(str(code) for code in rules.get("languages") or ()),
            )
        )
    ids = [organization.id for organization in organizations]
    if len(set(ids)) != len(ids):
        raise ProfileError("organizations: ids must be unique")
    return tuple(organizations)


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
        migrants_in=_countries(raw.get("migrants_in", [raw["country"]] if raw.get("country") else [])),
        referral_follow_up_days=int(raw.get("referral_follow_up_days", 7)),
        directory_stale_days=int(raw.get("directory_stale_days", 180)),
        wait_target_minutes=int(raw.get("wait_target_minutes", 15)),
        first_reply_target_minutes=int(raw.get("first_reply_target_minutes", 30)),
        organizations=_organizations(raw.get("organizations") or []),
        source=source,
    )


def load_profile(path: Path) -> HelplineProfile:
    with path.open(encoding="utf-8") as handle:
        return parse_profile(yaml.safe_load(handle), source=path)
