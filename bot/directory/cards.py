"""A partner service as a migrant reads it in a chat: name, address, phone, hours in their locale,
languages, cost and a map link. Labels are emoji, so that only a few words need translating."""

from __future__ import annotations

from collections.abc import Callable

from babel import Locale
from babel.dates import format_time

from bot.directory.matching import Match
from bot.directory.services import Opening


def format_openings(openings: tuple[Opening, ...], locale: Locale) -> str:
    """'Mon–Fri 9:00 AM–6:00 PM, Sun 2:00 PM–6:00 PM', days in the reader's language."""
    day_names = locale.days["format"]["abbreviated"]
    parts = []
    for opening in sorted(openings, key=lambda item: (min(item.days, default=7), item.opens)):
        days = sorted(opening.days)
        runs: list[list[int]] = []
        for day in days:
            if runs and runs[-1][-1] == day - 1:
                runs[-1].append(day)
            else:
                runs.append([day])
        label = ", ".join(
            day_names[run[0]] if len(run) == 1 else f"{day_names[run[0]]}–{day_names[run[-1]]}" for run in runs
        )
        start = format_time(opening.opens, "short", locale=locale)
        end = format_time(opening.closes, "short", locale=locale)
        parts.append(f"{label} {start}–{end}")
    return ", ".join(parts)


def service_card(match: Match, number: int, language: str, text: Callable[[str], str]) -> str:
    """``text`` gives an interface string in ``language`` ('ui:service_free' -> 'free')."""
    service = match.service
    locale = Locale.parse(language)
    title = service.name + (f" ({service.alternate_name})" if service.alternate_name else "")
    lines = [f"{number}. {title}"]
    if service.address:
        lines.append(f"📍 {service.address}")
    if service.phones:
        lines.append(f"☎ {', '.join(service.phones)}")
    if service.openings:
        state = {True: text("ui:service_open_now"), False: text("ui:service_closed_now")}[bool(match.open_now)]
        lines.append(f"🕘 {format_openings(service.openings, locale)} · {state}")
    if service.languages:
        names = [locale.languages.get(code, code) for code in service.languages]
        lines.append(f"🗣 {', '.join(names)}")
    if service.free:
        lines.append(f"💵 {text('ui:service_free')}")
    if service.map_link:
        lines.append(f"🗺 {service.map_link}")
    if service.sample:
        lines.append(f"⚠ {text('ui:service_sample')}")
    return "\n".join(lines)
