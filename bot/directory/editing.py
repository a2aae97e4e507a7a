"""Editors' changes to the directory, written into the same HSDS file, each change recorded in the
service's HSDS ``metadata`` (who, when, which field, old and new value)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

from babel import Locale

from bot.directory import hsds
from bot.directory.services import TOPICS_TAXONOMY, WEEKDAY_CODES

ENGLISH = Locale("en")  # HSDS language names are written in English, codes carry the meaning


@dataclass(frozen=True)
class ServiceEdit:
    """The fields an editor keeps right; everything else in the record stays as it is."""

    name: str
    description: str
    status: str
    phones: tuple[str, ...]
    address: str
    languages: tuple[str, ...]
    topics: tuple[str, ...]
    areas: tuple[str, ...]
    hours: tuple[str, ...]  # "MO,TU,WE,TH,FR 09:00-18:00", one schedule per line


def _new_id() -> str:
    return str(uuid.uuid4())


def _schedules(hours: tuple[str, ...], timezone) -> list[dict]:
    schedules = []
    for line in hours:
        days, _, span = line.strip().partition(" ")
        opens, _, closes = span.strip().partition("-")
        codes = [code.strip().upper() for code in days.split(",") if code.strip()]
        if not codes or any(code not in WEEKDAY_CODES for code in codes) or not opens or not closes:
            raise hsds.DirectoryError(f"hours: write 'MO,TU 09:00-18:00', not {line!r}")
        schedule = {
            "id": _new_id(),
            "freq": "WEEKLY",
            "byday": ",".join(codes),
            "opens_at": opens.strip(),
            "closes_at": closes.strip(),
        }
        if timezone is not None:
            schedule["timezone"] = timezone
        schedules.append(schedule)
    return schedules


def format_hours(record: dict) -> list[str]:
    return [
        f"{schedule.get('byday', '')} {schedule.get('opens_at', '')}-{schedule.get('closes_at', '')}"
        for schedule in record.get("schedules") or []
        if schedule.get("opens_at")
    ]


def _term_ids(services: list[dict]) -> dict[str, dict]:
    """Taxonomy terms already in the file, by code, so that a topic keeps one id everywhere."""
    terms = {}
    for service in services:
        for attribute in service.get("attributes") or []:
            term = attribute.get("taxonomy_term") or {}
            if term.get("code"):
                terms.setdefault(term["code"], term)
    return terms


def _note(record: dict, field: str, old, new, by: str, today: dt.date, action: str = "update") -> None:
    record.setdefault("metadata", []).append(
        {
            "id": _new_id(),
            "resource_id": record["id"],
            "resource_type": "service",
            "last_action_date": today.isoformat(),
            "last_action_type": action,
            "field_name": field,
            "previous_value": "" if old is None else str(old),
            "replacement_value": "" if new is None else str(new),
            "updated_by": by,
        }
    )


def _location(record: dict) -> dict:
    links = record.setdefault("service_at_locations", [])
    if not links:
        links.append({"id": _new_id(), "location": {"id": _new_id(), "location_type": "physical", "addresses": []}})
    return links[0].setdefault("location", {"id": _new_id(), "location_type": "physical"})


def apply_edit(services: list[dict], service_id: str, edit: ServiceEdit, by: str, today: dt.date) -> list[dict]:
    record = next((service for service in services if service.get("id") == service_id), None)
    if record is None:
        raise hsds.DirectoryError("no such service")
    changes = {
        "name": edit.name,
        "description": edit.description,
        "status": edit.status,
    }
    for field, value in changes.items():
        if record.get(field) != value:
            _note(record, field, record.get(field), value, by, today)
            record[field] = value
    old_phones = [phone.get("number") for phone in record.get("phones") or []]
    if old_phones != list(edit.phones):
        _note(record, "phones", ", ".join(old_phones), ", ".join(edit.phones), by, today)
        record["phones"] = [{"id": _new_id(), "number": number, "type": "voice"} for number in edit.phones]
    location = _location(record)
    addresses = location.setdefault("addresses", [])
    if edit.address and (not addresses or addresses[0].get("address_1") != edit.address):
        _note(record, "address_1", addresses[0].get("address_1") if addresses else "", edit.address, by, today)
        if addresses:
            addresses[0]["address_1"] = edit.address
        else:
            raise hsds.DirectoryError("this service has no address to change; add one in the HSDS file")
    old_languages = [language.get("code") for language in record.get("languages") or []]
    if old_languages != list(edit.languages):
        _note(record, "languages", ", ".join(old_languages), ", ".join(edit.languages), by, today)
        record["languages"] = [
            {"id": _new_id(), "code": code, "name": ENGLISH.languages.get(code, code)} for code in edit.languages
        ]
    old_areas = [area.get("name") for area in record.get("service_areas") or []]
    if old_areas != list(edit.areas):
        _note(record, "service_areas", ", ".join(old_areas), ", ".join(edit.areas), by, today)
        record["service_areas"] = [{"id": _new_id(), "name": area} for area in edit.areas]
    terms = _term_ids(services)
    attributes = record.get("attributes") or []
    kept = [a for a in attributes if (a.get("taxonomy_term") or {}).get("taxonomy", TOPICS_TAXONOMY) != TOPICS_TAXONOMY
            or (a.get("taxonomy_term") or {}).get("code") in (*edit.topics, "sample")]  # fmt: skip
    old_topics = [(a.get("taxonomy_term") or {}).get("code") for a in attributes]
    present = {(a.get("taxonomy_term") or {}).get("code") for a in kept}
    for code in edit.topics:
        if code not in present:
            term = terms.get(code) or {
                "id": _new_id(),
                "code": code,
                "name": code,
                "description": code,
                "taxonomy": TOPICS_TAXONOMY,
            }
            kept.append(
                {
                    "id": _new_id(),
                    "link_type": "service",
                    "link_entity": "service",
                    "taxonomy_term_id": term["id"],
                    "taxonomy_term": term,
                }
            )
    new_topics = [(a.get("taxonomy_term") or {}).get("code") for a in kept]
    if sorted(filter(None, old_topics)) != sorted(filter(None, new_topics)):
        _note(record, "attributes", ", ".join(filter(None, old_topics)), ", ".join(filter(None, new_topics)), by, today)
        record["attributes"] = kept
    zone = next((s.get("timezone") for s in record.get("schedules") or [] if "timezone" in s), None)
    if format_hours(record) != [line.strip() for line in edit.hours if line.strip()]:
        new = _schedules(tuple(line for line in edit.hours if line.strip()), zone)
        _note(record, "schedules", "; ".join(format_hours(record)), "; ".join(edit.hours), by, today)
        record["schedules"] = new
    return services


def mark_verified(services: list[dict], service_id: str, by: str, today: dt.date) -> list[dict]:
    """Someone checked the entry with the partner today (HSDS ``assured_date``)."""
    record = next((service for service in services if service.get("id") == service_id), None)
    if record is None:
        raise hsds.DirectoryError("no such service")
    _note(record, "assured_date", record.get("assured_date"), today.isoformat(), by, today, action="verify")
    record["assured_date"] = today.isoformat()
    return services


def save(path: Path, services: list[dict]) -> None:
    """Only a valid directory is written: the bot must never read a broken one."""
    found = hsds.problems(services)
    if found:
        raise hsds.DirectoryError("; ".join(found[:5]))
    hsds.write_services(services, path)
