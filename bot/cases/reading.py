"""Reads for the console: the queue, a case with its transcript, what changed since."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.store.models import Case, CaseNote, Conversation, Lawyer, Message, utcnow


@dataclass(frozen=True)
class QueueRow:
    id: int
    ticket: str
    status: str
    priority: int
    language: str | None
    topic: str | None
    channel: str
    summary: str
    waiting_minutes: int
    lawyer: str | None
    call_back: bool = False  # the migrant left a number: out of hours, the lawyer calls them back
    organization: str | None = None  # whose queue; None: the profile's first organisation
    intent: str | None = None
    written_in: str | None = None  # the unserved language the migrant writes, when detected


@dataclass(frozen=True)
class Line:
    id: int
    direction: str
    text: str
    at: dt.datetime
    by_lawyer: bool
    media_type: str | None
    media_ref: str | None
    status: str | None
    urgent: bool = False  # the message that made (or kept) the conversation urgent
    language: str | None = None  # what it is written in (an unserved language's own code, if detected)
    written_as: str | None = None  # a translated reply: what the lawyer wrote


@dataclass(frozen=True)
class CaseDetail:
    row: QueueRow
    conversation_id: int
    sender: str
    lawyer_id: int | None
    callback_phone: str | None
    erase_requested: bool = False
    country: str | None = None  # where the migrant is, as the conversation knows it
    region: str | None = None
    # lawyers holding an open case of the same conversation: they may read the migrant's earlier cases
    holders: frozenset[int] = frozenset()


def _row(case: Case, lawyer: Lawyer | None, now: dt.datetime) -> QueueRow:
    waiting = int((now - case.created_at).total_seconds() // 60)
    return QueueRow(
        case.id, case.ticket or "", case.status, case.priority, case.language, case.topic, case.channel,
        case.summary, waiting, lawyer.name if lawyer else None, bool(case.callback_phone), case.organization,
        case.intent, case.written_in,
    )  # fmt: skip


EVERY_ORGANIZATION = "*"


def queue(sessions: sessionmaker[Session], organization: str | None = EVERY_ORGANIZATION) -> list[QueueRow]:
    """Open cases of one organisation (or of all): waiting ones by priority then waiting time, then
    the ones being handled."""
    now = utcnow()
    scope = [] if organization == EVERY_ORGANIZATION else [Case.organization.is_not_distinct_from(organization)]
    with sessions() as session:
        rows = session.execute(
            select(Case, Lawyer)
            .outerjoin(Lawyer, Case.lawyer_id == Lawyer.id)
            .where(Case.status.in_(("waiting", "assigned")), *scope)
            .order_by(Case.status.desc(), Case.priority, Case.created_at, Case.id)
        )
        return [_row(case, lawyer, now) for case, lawyer in rows]


def holders_of(session: Session, conversation_ids: set[int]) -> dict[int, frozenset[int]]:
    """Who holds an open case of each conversation: they may read its earlier cases."""
    if not conversation_ids:
        return {}
    rows = session.execute(
        select(Case.conversation_id, Case.lawyer_id).where(
            Case.conversation_id.in_(conversation_ids), Case.status == "assigned", Case.lawyer_id.is_not(None)
        )
    )
    held: dict[int, set[int]] = {}
    for conversation_id, lawyer_id in rows:
        held.setdefault(conversation_id, set()).add(lawyer_id)
    return {conversation_id: frozenset(ids) for conversation_id, ids in held.items()}


def detail_of(
    case: Case, lawyer: Lawyer | None, conversation: Conversation, holders: frozenset[int], now: dt.datetime
) -> CaseDetail:
    return CaseDetail(_row(case, lawyer, now), conversation.id, conversation.sender, case.lawyer_id,
                      case.callback_phone, conversation.erase_requested, conversation.country, conversation.region,
                      holders)  # fmt: skip


def case_detail(sessions: sessionmaker[Session], case_id: int) -> CaseDetail | None:
    with sessions() as session:
        found = session.execute(
            select(Case, Lawyer, Conversation)
            .outerjoin(Lawyer, Case.lawyer_id == Lawyer.id)
            .join(Conversation, Case.conversation_id == Conversation.id)
            .where(Case.id == case_id)
        ).first()
        if found is None:
            return None
        case, lawyer, conversation = found
        holders = holders_of(session, {conversation.id}).get(conversation.id, frozenset())
        return detail_of(case, lawyer, conversation, holders, utcnow())


def transcript(sessions: sessionmaker[Session], conversation_id: int, after: int = 0) -> list[Line]:
    with sessions() as session:
        messages = session.scalars(
            select(Message).where(Message.conversation_id == conversation_id, Message.id > after).order_by(Message.id)
        )
        return [
            Line(
                m.id,
                m.direction,
                m.text,
                m.created_at,
                m.lawyer_id is not None,
                m.media_type,
                m.media_ref,
                m.status,
                m.direction == "in" and m.urgent,
                m.detected_language or m.language,
                m.written_as,
            )  # fmt: skip
            for m in messages
        ]


@dataclass(frozen=True)
class Note:
    text: str
    by: str
    at: dt.datetime


def notes(sessions: sessionmaker[Session], case_id: int) -> list[Note]:
    with sessions() as session:
        rows = session.execute(
            select(CaseNote, Lawyer.name)
            .outerjoin(Lawyer, CaseNote.lawyer_id == Lawyer.id)
            .where(CaseNote.case_id == case_id)
            .order_by(CaseNote.id)
        )
        return [Note(note.text, name or "—", note.at) for note, name in rows]


def colleagues(
    sessions: sessionmaker[Session], excluding: int, organization: str | None = None
) -> list[tuple[int, str]]:
    """Who a case of ``organization`` can be transferred to."""
    with sessions() as session:
        rows = session.execute(
            select(Lawyer.id, Lawyer.name)
            .where(
                Lawyer.id != excluding,
                Lawyer.role.in_(("lawyer", "supervisor")),
                Lawyer.organization.is_not_distinct_from(organization),
            )
            .order_by(Lawyer.name)
        )
        return [(row.id, row.name) for row in rows]
