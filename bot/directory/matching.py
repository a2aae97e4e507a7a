"""Which partner services to offer: by topic, where the migrant is, a language spoken there,
open now and free. Pure: the clock and the migrant's place are passed in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.directory.services import Service

# How much each fact weighs. Being close matters most: a Vietnamese-speaking clinic in another
# province helps less than a nearby one with an interpreter line.
IN_REGION, IN_WIDER_AREA, NATIONWIDE = 6, 4, 1
SPEAKS_LANGUAGE, OPEN_NOW, FREE = 3, 2, 1


@dataclass(frozen=True)
class Where:
    country: str
    areas: tuple[str, ...] = ()  # the migrant's place and the places it lies within, nearest first


@dataclass(frozen=True)
class Match:
    service: Service
    score: int
    open_now: bool | None
    speaks: bool


def _closeness(service: Service, where: Where, country_of: Callable[[str], str | None]) -> int | None:
    """None when the service does not serve where the migrant is."""
    best = None
    for area in service.areas:
        if area == where.country:
            score = NATIONWIDE
        elif where.areas and area == where.areas[0]:
            score = IN_REGION
        elif area in where.areas[1:]:
            score = IN_WIDER_AREA
        elif not where.areas and country_of(area) == where.country:
            score = NATIONWIDE  # somewhere in the country; the migrant has not said where
        else:
            continue
        best = max(best or 0, score)
    return best


def match_services(
    services: Sequence[Service],
    topic: str,
    where: Where,
    languages: Sequence[str],
    moment: dt.datetime,
    country_of: Callable[[str], str | None],
) -> list[Match]:
    """Every active service for ``topic`` reachable from ``where``, best first."""
    matches = []
    for service in services:
        if topic not in service.topics or service.status != "active":
            continue
        closeness = _closeness(service, where, country_of)
        if closeness is None:
            continue
        speaks = any(language in service.languages for language in languages)
        open_now = service.is_open(moment)
        score = closeness + SPEAKS_LANGUAGE * speaks + OPEN_NOW * bool(open_now) + FREE * service.free
        matches.append(Match(service, score, open_now, speaks))
    return sorted(matches, key=lambda match: (-match.score, match.service.name))
