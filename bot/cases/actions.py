"""Writes for cases. Claiming is atomic on PostgreSQL and SQLite alike: a conditional update
(status still 'waiting') decides who gets a case, and on PostgreSQL SKIP LOCKED lets concurrent
lawyers pass over rows another transaction is claiming instead of waiting for it."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from sqlalchemy import Boolean, and_, bindparam, func, literal, null, or_, select, update
from sqlalchemy import case as when
from sqlalchemy.orm import Session, sessionmaker

from bot.cases.queue import NORMAL, URGENT, CaseView, ticket_for
from bot.events import announce
from bot.store.models import AuditEntry, Case, CaseNote, Conversation, Lawyer, Message, utcnow

OPEN = ("waiting", "assigned")
CASE_WORKERS = ("lawyer", "supervisor", "admin")


def audit(session: Session, action: str, case_id: int | None, lawyer_id: int | None, detail: str = "") -> None:
    """Record the action; every audited change is also announced to the consoles."""
    session.add(AuditEntry(at=utcnow(), action=action, case_id=case_id, lawyer_id=lawyer_id, detail=detail[:255]))
    if action != "view":
        announce(session, "case", case_id=case_id)


def _position(session: Session, case) -> int:
    if case.status != "waiting":
        return 0
    ahead = session.scalar(
        select(func.count()).where(
            Case.status == "waiting",
            or_(
                Case.priority < case.priority,
                and_(Case.priority == case.priority, Case.created_at < case.created_at),
                and_(Case.priority == case.priority, Case.created_at == case.created_at, Case.id < case.id),
            ),
        )
    )
    return (ahead or 0) + 1


def _view(session: Session, case) -> CaseView:
    """``case``: a Case, or a row with its id, ticket, status, priority and created_at."""
    return CaseView(case.id, case.ticket or "", case.status, case.priority, _position(session, case), case.created_at)


_CASES = Case.__table__
_OPEN_CASE = (  # built once: it runs for every message
    select(_CASES.c.id, _CASES.c.ticket, _CASES.c.status, _CASES.c.priority, _CASES.c.created_at)
    .where(_CASES.c.conversation_id == bindparam("conversation_id"), _CASES.c.status.in_(OPEN))
    .order_by(_CASES.c.id)
    .limit(1)
)


def open_case_in(session: Session, conversation_id: int) -> CaseView | None:
    """Read for every message, so as a plain row (Core) rather than an ORM object."""
    case = session.execute(_OPEN_CASE, {"conversation_id": conversation_id}).first()
    return _view(session, case) if case else None


@dataclass(frozen=True)
class Escalation:
    language: str
    topic: str | None
    urgent: bool
    summary: str
    written_in: str | None = None  # an unserved language the migrant writes: the lawyer needs an interpreter
    organization: str | None = None  # whose queue: chosen by the profile's routing rules; None the first
    intent: str | None = None
    origin: str | None = None  # Received.origin


@dataclass(frozen=True)
class CaseLimits:
    """New non-urgent cases allowed in a window: from one web origin, and from everyone. Fresh web
    chat sessions cost nothing, so without these anyone could fill the lawyers' queue. Urgent cases
    are never limited: someone in danger is never turned away because of someone else."""

    per_origin: int = 3
    overall: int = 200
    window: dt.timedelta = dt.timedelta(minutes=10)


class CaseLimited(Exception):
    """No new case now: too many were opened lately from the same origin, or overall."""


def _over_limits(session: Session, escalation: Escalation, limits: CaseLimits) -> bool:
    since = utcnow() - limits.window
    recent = select(func.count()).where(Case.priority != URGENT, Case.created_at >= since)
    from_origin = recent.where(Case.opened_from == escalation.origin)
    if escalation.origin is not None and session.scalar(from_origin) >= limits.per_origin:
        return True
    return session.scalar(recent) >= limits.overall


def open_case(
    sessions: sessionmaker[Session],
    conversation_id: int,
    escalation: Escalation,
    ticket_prefix: str,
    limits: CaseLimits | None = None,
) -> CaseView:
    """The conversation's open case, created if there is none; an urgent one moves to the front.

    With ``limits``, a new non-urgent case over them raises CaseLimited (and nothing is opened)."""
    with sessions.begin() as session:
        case = session.scalars(
            select(Case).where(Case.conversation_id == conversation_id, Case.status.in_(OPEN)).with_for_update()
        ).first()
        if case is None:
            if limits is not None and not escalation.urgent and _over_limits(session, escalation, limits):
                raise CaseLimited()
            conversation = session.get(Conversation, conversation_id)
            case = Case(
                conversation_id=conversation_id,
                status="waiting",
                priority=URGENT if escalation.urgent else NORMAL,
                language=escalation.language,
                written_in=escalation.written_in,
                topic=escalation.topic or "other",
                intent=escalation.intent,
                channel=conversation.channel if conversation else "web",
                summary=escalation.summary[:2000],
                organization=escalation.organization,
                opened_from=escalation.origin,
                created_at=utcnow(),
            )
            session.add(case)
            session.flush()
            case.ticket = ticket_for(ticket_prefix, case.id)
            audit(session, "open", case.id, None, f"priority {case.priority}")
        elif escalation.urgent and case.priority != URGENT:
            case.priority = URGENT
            audit(session, "urgent", case.id, None)
        if case.written_in is None and escalation.written_in:
            case.written_in = escalation.written_in
        if case.intent is None and escalation.intent:
            case.intent = escalation.intent
        session.flush()
        return _view(session, case)


def save_callback(sessions: sessionmaker[Session], case_id: int, phone: str) -> None:
    with sessions.begin() as session:
        session.execute(update(Case).where(Case.id == case_id).values(callback_phone=phone[:32]))
        audit(session, "callback", case_id, None)


def _matches(lawyer: Lawyer):
    # a partner organisation's lawyers take only its own queue
    conditions = [Case.status == "waiting", Case.organization.is_not_distinct_from(lawyer.organization)]
    languages = [code for code in lawyer.languages.split(",") if code]
    topics = [topic for topic in lawyer.topics.split(",") if topic]
    if languages:
        conditions.append(Case.language.in_(languages))
    if topics:  # a preference, never a reason to leave someone in danger waiting
        conditions.append(or_(Case.priority == URGENT, Case.topic.in_(topics)))
    return conditions


def claim_next(sessions: sessionmaker[Session], lawyer_id: int, skip_locked: bool = True) -> int | None:
    """Give the lawyer the first waiting case for their languages and topics; None if none.

    No case is ever given to two lawyers: the update only succeeds while the case is waiting.
    """
    for _ in range(20):  # another lawyer may win a candidate; then try the next one
        with sessions.begin() as session:
            lawyer = session.get(Lawyer, lawyer_id)
            if lawyer is None or lawyer.role not in CASE_WORKERS:
                return None  # editors never hold a case: it would stay stuck while the migrant waits
            candidate = session.scalar(
                select(Case.id)
                .where(*_matches(lawyer))
                .order_by(Case.priority, Case.created_at, Case.id)
                .limit(1)
                .with_for_update(skip_locked=skip_locked)
            )
            if candidate is None:
                return None
            claimed = session.execute(
                update(Case)
                .where(Case.id == candidate, Case.status == "waiting")
                .values(status="assigned", lawyer_id=lawyer_id, assigned_at=utcnow())
            ).rowcount
            if claimed == 1:
                audit(session, "claim", candidate, lawyer_id)
                return candidate
    return None


def claim(sessions: sessionmaker[Session], case_id: int, lawyer_id: int) -> bool:
    """Take one chosen waiting case, with the same atomic claim as "take next"."""
    with sessions.begin() as session:
        lawyer = session.get(Lawyer, lawyer_id)
        if lawyer is None or lawyer.role not in CASE_WORKERS:
            return False
        claimed = session.execute(
            update(Case)
            .where(
                Case.id == case_id,
                Case.status == "waiting",
                Case.organization.is_not_distinct_from(lawyer.organization),
            )
            .values(status="assigned", lawyer_id=lawyer_id, assigned_at=utcnow())
        ).rowcount
        if claimed:
            audit(session, "claim", case_id, lawyer_id, "chosen")
        return bool(claimed)


def release(sessions: sessionmaker[Session], case_id: int, lawyer_id: int | None, reason: str = "released") -> bool:
    """Back to the queue (a transfer, a logout, a lawyer gone silent)."""
    with sessions.begin() as session:
        done = session.execute(
            update(Case)
            .where(Case.id == case_id, Case.status == "assigned")
            .values(status="waiting", lawyer_id=None, assigned_at=None)
        ).rowcount
        if done:
            audit(session, reason, case_id, lawyer_id)
        return bool(done)


def release_all_of(sessions: sessionmaker[Session], lawyer_id: int, reason: str) -> int:
    """Every case the lawyer holds goes back to the queue (they logged out)."""
    with sessions() as session:
        held = list(session.scalars(select(Case.id).where(Case.status == "assigned", Case.lawyer_id == lawyer_id)))
    return sum(release(sessions, case_id, lawyer_id, reason) for case_id in held)


def requeue_stale(sessions: sessionmaker[Session], idle: dt.timedelta) -> int:
    """Cases whose lawyer has been silent longer than ``idle`` return to the queue."""
    cutoff = utcnow() - idle
    with sessions.begin() as session:
        stale = list(session.scalars(select(Case.id).where(Case.status == "assigned", Case.assigned_at < cutoff)))
        if stale:
            session.execute(
                update(Case).where(Case.id.in_(stale)).values(status="waiting", lawyer_id=None, assigned_at=None)
            )
            for case_id in stale:
                audit(session, "requeue", case_id, None, "lawyer silent")
        return len(stale)


def close(
    sessions: sessionmaker[Session], case_id: int, lawyer_id: int, outcome: str, false_alarm: bool = False
) -> bool:
    """Close an open case with its outcome; ``false_alarm`` (urgent cases only) marks urgency the
    lawyer found unfounded."""
    with sessions.begin() as session:
        done = session.execute(
            update(Case)
            .where(Case.id == case_id, Case.status.in_(OPEN))
            .values(
                status="closed",
                outcome=outcome[:32],
                closed_at=utcnow(),
                closed_by=lawyer_id,
                false_alarm=when((Case.priority == 0, literal(false_alarm, Boolean)), else_=null()),
            )
        ).rowcount
        if done:
            audit(session, "close", case_id, lawyer_id, outcome + (" (false alarm)" if false_alarm else ""))
        return bool(done)


def record_lawyer_reply(
    sessions: sessionmaker[Session], case_id: int, lawyer_id: int, text: str, written_as: str | None = None
) -> Message | None:
    """Store a lawyer's reply in the migrant's conversation; the channel then delivers it.
    ``written_as``: the lawyer's own words when ``text`` is their machine-translated reply."""
    with sessions.begin() as session:
        case = session.get(Case, case_id)
        if case is None or case.status != "assigned" or case.lawyer_id != lawyer_id:
            return None
        conversation = session.get(Conversation, case.conversation_id)
        now = utcnow()
        message = Message.outbound(
            case.conversation_id,
            conversation.channel,
            text,
            language=case.language,
            lawyer_id=lawyer_id,
            written_as=written_as,
            created_at=now,
        )
        session.add(message)
        case.first_reply_at = case.first_reply_at or now
        case.assigned_at = now  # activity: keeps the case from being requeued as stale
        audit(session, "reply", case_id, lawyer_id)
        session.flush()
        session.expunge(message)
        return message


def lawyers_busy(sessions: sessionmaker[Session]) -> int:
    """Lawyers holding a case right now: the queue moves at their pace."""
    with sessions() as session:
        return session.scalar(select(func.count(func.distinct(Case.lawyer_id))).where(Case.status == "assigned")) or 0


def add_note(sessions: sessionmaker[Session], case_id: int, lawyer_id: int, text: str) -> None:
    with sessions.begin() as session:
        session.add(CaseNote(case_id=case_id, lawyer_id=lawyer_id, text=text[:4000], at=utcnow()))
        audit(session, "note", case_id, lawyer_id)


class NotALawyer(ValueError):
    """A case was to be given to someone who is not a lawyer (an editor, an unknown id)."""


def transfer(sessions: sessionmaker[Session], case_id: int, from_lawyer: int, to_lawyer: int) -> bool:
    """Hand an assigned case to another lawyer; NotALawyer if ``to_lawyer`` is none."""
    with sessions.begin() as session:
        target = session.get(Lawyer, to_lawyer)
        if target is None or target.role not in CASE_WORKERS:
            raise NotALawyer(to_lawyer)
        done = session.execute(
            update(Case)
            # a colleague of the case's own organisation: another one's queue is reached by referring
            .where(
                Case.id == case_id,
                Case.status == "assigned",
                Case.organization.is_not_distinct_from(target.organization),
            )
            .values(lawyer_id=to_lawyer, assigned_at=utcnow())
        ).rowcount
        if done:
            audit(session, "transfer", case_id, from_lawyer, f"to lawyer {to_lawyer}")
        return bool(done)


def handling_minutes(sessions: sessionmaker[Session], default: float, recent: int = 50) -> float:
    """The median time lawyers spent on their recent closed cases: the pace of the queue."""
    with sessions() as session:
        rows = session.execute(
            select(Case.assigned_at, Case.closed_at)
            .where(Case.status == "closed", Case.assigned_at.is_not(None), Case.closed_at.is_not(None))
            .order_by(Case.closed_at.desc())
            .limit(recent)
        ).all()
    minutes = [(closed - assigned).total_seconds() / 60 for assigned, closed in rows if closed >= assigned]
    return statistics.median(minutes) if len(minutes) >= 5 else default


def send_to_organization(
    sessions: sessionmaker[Session], case_id: int, lawyer_id: int, organization: str | None
) -> bool:
    """Refer an open case to a partner organisation's queue: it waits there for their lawyers."""
    with sessions.begin() as session:
        done = session.execute(
            update(Case)
            .where(Case.id == case_id, Case.status.in_(OPEN))
            .values(organization=organization, status="waiting", lawyer_id=None, assigned_at=None)
        ).rowcount
        if done:
            audit(session, "to_partner", case_id, lawyer_id, f"to {organization or 'the first organisation'}")
        return bool(done)
