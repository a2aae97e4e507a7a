"""Migrants' messages in the lawyer's language: translated once per message and language, kept."""

from __future__ import annotations

import asyncio
import logging

from anyio import to_thread
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.cases.reading import Line
from bot.store.models import Translation, utcnow
from bot.translation import TranslationUnavailable, Translator

log = logging.getLogger(__name__)

MAX_NEW_PER_VIEW = 30  # a long transcript is translated over a few views, not in one slow page
UNAVAILABLE = None


def cached(sessions: sessionmaker[Session], message_ids: list[int], language: str) -> dict[int, str]:
    if not message_ids:
        return {}
    with sessions() as session:
        rows = session.execute(
            select(Translation.message_id, Translation.text).where(
                Translation.message_id.in_(message_ids), Translation.language == language
            )
        )
        return dict(rows.all())


def keep(sessions: sessionmaker[Session], message_id: int, language: str, text: str) -> None:
    try:
        with sessions.begin() as session:
            session.add(Translation(message_id=message_id, language=language, text=text, created_at=utcnow()))
    except IntegrityError:
        pass  # another view translated it at the same moment


def needs_translation(line: Line, reads: frozenset[str]) -> bool:
    """The migrant's words in a language the lawyer does not read (not a button's command)."""
    written = line.direction == "in" and bool(line.text.strip()) and not line.text.startswith("/")
    return written and line.language not in reads


async def translate_lines(
    sessions: sessionmaker[Session],
    translator: Translator,
    lines: list[Line],
    language: str,
    also_reads: tuple[str, ...] = (),
) -> dict[int, str | None]:
    """Message id -> its translation into ``language`` (None: unavailable now), for the migrant's
    messages in a language the lawyer does not read."""
    reads = frozenset((language, *also_reads))
    wanted = [line for line in lines if needs_translation(line, reads)]
    found: dict[int, str | None] = dict(
        await to_thread.run_sync(cached, sessions, [line.id for line in wanted], language)
    )
    missing = [line for line in wanted if line.id not in found][:MAX_NEW_PER_VIEW]

    async def one(line: Line) -> None:
        try:
            text = await translator.translate(line.text, line.language, language)
        except TranslationUnavailable as error:
            log.warning("translation of message %s unavailable: %s", line.id, error)
            found[line.id] = UNAVAILABLE
            return
        found[line.id] = text
        await to_thread.run_sync(keep, sessions, line.id, language, text)

    await asyncio.gather(*(one(line) for line in missing))
    return found
