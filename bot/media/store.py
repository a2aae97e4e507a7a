"""Media rows: one per message, with the file itself or why there is none."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.store.models import Media, Message, utcnow


@dataclass(frozen=True)
class MediaFile:
    status: str  # stored, too_large, failed
    content_type: str | None
    size: int | None
    filename: str | None
    data: bytes | None
    error: str | None = None


@dataclass(frozen=True)
class MediaMessage:
    """A message with media: where it came from and the reference the platform gave."""

    id: int
    conversation_id: int
    channel: str
    media_type: str
    media_ref: str | None


def media_message(sessions: sessionmaker[Session], message_id: int) -> MediaMessage | None:
    with sessions() as session:
        message = session.get(Message, message_id)
        if message is None or not message.media_type:
            return None
        return MediaMessage(message.id, message.conversation_id, message.channel, message.media_type, message.media_ref)


def load(sessions: sessionmaker[Session], message_id: int) -> MediaFile | None:
    with sessions() as session:
        row = session.scalar(select(Media).where(Media.message_id == message_id))
        if row is None:
            return None
        return MediaFile(row.status, row.content_type, row.size, row.filename, row.data, row.error)


def save(sessions: sessionmaker[Session], message_id: int, media: MediaFile) -> None:
    """Keep what was fetched; a concurrent fetch of the same file (two lawyers opening it) keeps one."""
    try:
        with sessions.begin() as session:
            session.add(
                Media(
                    message_id=message_id, status=media.status, content_type=media.content_type, size=media.size,
                    filename=media.filename, data=media.data, error=(media.error or "")[:255] or None,
                    fetched_at=utcnow(),
                )
            )  # fmt: skip
    except IntegrityError:
        pass


def transcripts(sessions: sessionmaker[Session], message_ids: list[int]) -> dict[int, str]:
    if not message_ids:
        return {}
    with sessions() as session:
        rows = session.execute(
            select(Media.message_id, Media.transcript).where(
                Media.message_id.in_(message_ids), Media.transcript.is_not(None)
            )
        )
        return dict(rows.all())


def keep_transcript(sessions: sessionmaker[Session], message_id: int, transcript: str) -> None:
    with sessions.begin() as session:
        row = session.scalar(select(Media).where(Media.message_id == message_id))
        if row is not None:
            row.transcript = transcript


def statuses(sessions: sessionmaker[Session], message_ids: list[int]) -> dict[int, str]:
    """For a transcript: which of its media are stored, too large or failed (absent: not fetched yet)."""
    if not message_ids:
        return {}
    with sessions() as session:
        rows = session.execute(select(Media.message_id, Media.status).where(Media.message_id.in_(message_ids)))
        return dict(rows.all())
