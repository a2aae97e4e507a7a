"""Erasing migrants' data: on request (/delete), when a case closes after such a request, and
after the retention period."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.store.models import AuditEntry, Case, CaseNote, Conversation, Media, Message, Translation, utcnow

DEFAULT_RETENTION_DAYS = 180


def erase_conversation(session: Session, conversation_id: int, reason: str) -> None:
    """The one erasure path (/delete, a case closing after it, retention): messages with their media
    (the files too) and translations, the sender id, where the migrant is, case summaries, call-back
    numbers and lawyers' notes go; the anonymous case records stay for the statistics, and an audit
    entry says what was erased, when and why."""
    case_ids = select(Case.id).where(Case.conversation_id == conversation_id)
    notes = session.execute(delete(CaseNote).where(CaseNote.case_id.in_(case_ids))).rowcount
    message_ids = select(Message.id).where(Message.conversation_id == conversation_id)
    # photos, voice notes and documents, and translations of what was said (the foreign keys would
    # cascade; said here so that the one erasure path reads whole)
    files = session.execute(delete(Media).where(Media.message_id.in_(message_ids))).rowcount
    session.execute(delete(Translation).where(Translation.message_id.in_(message_ids)))
    messages = session.execute(delete(Message).where(Message.conversation_id == conversation_id)).rowcount
    session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(
            sender=f"erased-{conversation_id}",
            erase_requested=False,
            language_choice=None,
            # where someone lives identifies them as much as what they wrote
            country=None,
            region=None,
            country_asked=False,
            pending=None,
        )
    )
    erased_cases = session.execute(
        update(Case)
        .where(Case.conversation_id == conversation_id)
        .values(summary="", callback_phone=None, opened_from=None)
    ).rowcount
    counts = f"{messages} messages, {files} files, {erased_cases} cases, {notes} notes"
    detail = f"conversation {conversation_id}; {reason}; {counts}"
    session.add(AuditEntry(at=utcnow(), action="erase", case_id=None, lawyer_id=None, detail=detail))


def request_erasure(sessions: sessionmaker[Session], conversation_id: int) -> None:
    with sessions.begin() as session:
        session.execute(update(Conversation).where(Conversation.id == conversation_id).values(erase_requested=True))


def erase_if_requested(sessions: sessionmaker[Session], conversation_id: int) -> bool:
    """After a case closes: carry out an erasure the migrant asked for while it was open."""
    with sessions.begin() as session:
        requested = session.scalar(select(Conversation.erase_requested).where(Conversation.id == conversation_id))
        if requested:
            erase_conversation(session, conversation_id, "after case")
        return bool(requested)


def purge(sessions: sessionmaker[Session], retention: dt.timedelta) -> int:
    """Erase conversations quiet for longer than ``retention`` that have no open case."""
    cutoff = utcnow() - retention
    open_case = exists().where(Case.conversation_id == Conversation.id, Case.status.in_(("waiting", "assigned")))
    with sessions.begin() as session:
        stale = list(
            session.scalars(
                select(Conversation.id).where(
                    Conversation.updated_at < cutoff, ~open_case, ~Conversation.sender.startswith("erased-")
                )
            )
        )
        for conversation_id in stale:
            erase_conversation(session, conversation_id, "retention")
        return len(stale)
