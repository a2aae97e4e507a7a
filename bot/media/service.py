"""A message's file for the console: kept in the database once fetched, fetched from the platform
on first view. A failed fetch is not kept, so the next view tries again; a file over the limit is
recorded as such and never fetched again."""

from __future__ import annotations

import logging

from anyio import to_thread
from sqlalchemy.orm import Session, sessionmaker

from bot.media.fetching import MediaTooLarge, MediaUnavailable
from bot.media.store import MediaFile, MediaMessage, keep_transcript, load, save, transcripts
from bot.media.transcription import TranscriptionUnavailable

log = logging.getLogger(__name__)

# Shown in the browser; anything else (HTML, SVG, scripts in a "document") is only downloaded.
INLINE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "audio/", "video/")


async def media_file(sessions: sessionmaker[Session], channels, message: MediaMessage) -> MediaFile:
    stored = await to_thread.run_sync(load, sessions, message.id)
    if stored is not None:
        return stored
    source = getattr(channels, message.channel, None)
    if source is None or not message.media_ref or not hasattr(source, "fetch_media"):
        return MediaFile("failed", None, None, None, None, f"{message.channel} is not connected")
    try:
        fetched = await source.fetch_media(message.media_ref)
    except MediaTooLarge as error:
        too_large = MediaFile("too_large", None, error.size, None, None, str(error))
        await to_thread.run_sync(save, sessions, message.id, too_large)
        return too_large
    except MediaUnavailable as error:
        log.warning("media of message %s could not be fetched: %s", message.id, error)
        return MediaFile("failed", None, None, None, None, str(error))
    kept = MediaFile("stored", fetched.content_type, len(fetched.data), fetched.filename, fetched.data)
    await to_thread.run_sync(save, sessions, message.id, kept)
    return kept


VOICE_KINDS = ("voice", "audio")
MAX_TRANSCRIPTIONS_PER_VIEW = 5


async def transcribe_lines(
    sessions: sessionmaker[Session], channels, transcriber, lines, channel: str
) -> dict[int, str | None]:
    """Message id -> the words of its voice note (None: unavailable now), kept once made; ``lines``
    are a transcript of one conversation on ``channel``."""
    voices = [line for line in lines if line.media_type in VOICE_KINDS]
    found: dict[int, str | None] = dict(await to_thread.run_sync(transcripts, sessions, [line.id for line in voices]))
    for line in [line for line in voices if line.id not in found][:MAX_TRANSCRIPTIONS_PER_VIEW]:
        message = MediaMessage(line.id, 0, channel, line.media_type, line.media_ref)
        audio = await media_file(sessions, channels, message)
        if audio.status != "stored" or not audio.data:
            found[line.id] = None
            continue
        try:
            words = await transcriber.transcribe(audio.data, audio.content_type or "audio/ogg", line.language)
        except TranscriptionUnavailable as error:
            log.warning("transcription of message %s unavailable: %s", line.id, error)
            found[line.id] = None
            continue
        found[line.id] = words
        await to_thread.run_sync(keep_transcript, sessions, line.id, words)
    return found


def shown_inline(content_type: str | None) -> bool:
    return bool(content_type) and content_type.startswith(INLINE_TYPES)
