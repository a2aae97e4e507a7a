"""Partner services as the bot needs them, read from the directory's HSDS 3.0 records.

HSDS nests what a migrant needs (address, phone, hours, languages) several levels deep and allows
it at the service or at its location; this module flattens one service into one value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

# The taxonomy whose terms say what a service helps with: the bot's intent names, and "sample".
TOPICS_TAXONOMY = "helpline-topics"
SAMPLE = "sample"
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Opening:
    days: frozenset[int]  # Monday = 0
    opens: dt.time
    closes: dt.time
    timezone: dt.tzinfo

    def is_open(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(self.timezone)
        return local.weekday() in self.days and self.opens <= local.time() < self.closes


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    alternate_name: str
    organization: str
    status: str
    topics: frozenset[str]
    languages: tuple[str, ...]
    areas: tuple[str, ...]  # place ids from data/places.yml, or country codes for nationwide services
    phones: tuple[str, ...]
    address: str
    latitude: float | None
    longitude: float | None
    openings: tuple[Opening, ...]
    free: bool
    sample: bool
    url: str
    assured: dt.date | None

    def is_open(self, moment: dt.datetime) -> bool | None:
        """None when the directory gives no hours."""
        if not self.openings:
            return None
        return any(opening.is_open(moment) for opening in self.openings)

    @property
    def map_link(self) -> str | None:
        if self.latitude is None or self.longitude is None:
            return None
        lat, lon = f"{self.latitude:.5f}", f"{self.longitude:.5f}"
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text if len(text) > 5 else f"{text}:00")


def _timezone(value, default: dt.tzinfo) -> dt.tzinfo:
    if value is None or value == "":
        return default
    if isinstance(value, int | float):
        return dt.timezone(dt.timedelta(hours=float(value)))
    return ZoneInfo(str(value))


def _openings(schedules: list[dict], default_zone: dt.tzinfo) -> tuple[Opening, ...]:
    openings = []
    for schedule in schedules:
        if not schedule.get("opens_at") or not schedule.get("closes_at"):
            continue
        codes = [code.strip().upper() for code in str(schedule.get("byday") or "").split(",") if code.strip()]
        days = frozenset(WEEKDAY_CODES.index(code[-2:]) for code in codes if code[-2:] in WEEKDAY_CODES)
        openings.append(
            Opening(
                days or frozenset(range(7)),
                _time(schedule["opens_at"]),
                _time(schedule["closes_at"]),
                _timezone(schedule.get("timezone"), default_zone),
            )
        )
    return tuple(openings)


def _address(location: dict) -> str:
    for address in location.get("addresses") or []:
        parts = [address.get("address_1"), address.get("address_2"), address.get("city")]
        return ", ".join(part for part in parts if part)
    return ""


def service_from_hsds(record: dict, default_zone: dt.tzinfo = dt.UTC) -> Service:
    locations = [link.get("location") or {} for link in record.get("service_at_locations") or []]
    location = locations[0] if locations else {}
    terms = [
        (attribute.get("taxonomy_term") or {}).get("code")
        for attribute in record.get("attributes") or []
        if (attribute.get("taxonomy_term") or {}).get("taxonomy", TOPICS_TAXONOMY) == TOPICS_TAXONOMY
    ]
    languages = [entry.get("code") for entry in (record.get("languages") or []) + (location.get("languages") or [])]
    phones = [entry.get("number") for entry in (record.get("phones") or []) + (location.get("phones") or [])]
    costs = record.get("cost_options") or []
    assured = record.get("assured_date")
    return Service(
        id=str(record["id"]),
        name=str(record.get("name", "")),
        alternate_name=str(record.get("alternate_name") or ""),
        organization=str((record.get("organization") or {}).get("name", "")),
        status=str(record.get("status", "active")),
        topics=frozenset(term for term in terms if term and term != SAMPLE),
        languages=tuple(dict.fromkeys(code for code in languages if code)),
        areas=tuple(str(area.get("name")) for area in record.get("service_areas") or [] if area.get("name")),
        phones=tuple(dict.fromkeys(number for number in phones if number)),
        address=_address(location),
        latitude=location.get("latitude"),
        longitude=location.get("longitude"),
        openings=_openings((record.get("schedules") or []) + (location.get("schedules") or []), default_zone),
        # free only when the directory says so: an unknown cost is not a promise
        free=bool(costs) and all(float(cost.get("amount") or 0) == 0 for cost in costs),
        sample=SAMPLE in terms,
        url=str(record.get("url") or ""),
        assured=dt.date.fromisoformat(assured) if assured else None,
    )
