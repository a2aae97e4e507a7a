"""Finding cases, open and closed: by ticket or words, language, subject, outcome, state and date.

Dates are the helpline's calendar days (a hotline in Bishkek asks for "3 December" in Bishkek time).
What a user may open among the results is decided by the console's access check, not here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from bot.cases.calendar import day_param, day_start
from bot.cases.reading import EVERY_ORGANIZATION, CaseDetail, detail_of, holders_of
from bot.store.models import Case, Conversation, Lawyer, Message, utcnow

STATES = {"open": ("waiting", "assigned"), "closed": ("closed",), "all": ("waiting", "assigned", "closed")}
MAX_RESULTS = 200


@dataclass(frozen=True)
class CaseQuery:
    words: str = ""
    language: str = ""
    intent: str = ""
    outcome: str = ""
    state: str = "all"
    since: dt.date | None = None
    until: dt.date | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> CaseQuery:
        """From a search form's query string; a value that means nothing is ignored, never an error."""
        state = params.get("state", "all")
        return cls(
            words=" ".join(params.get("q", "").split())[:100],
            language=params.get("language", "")[:16],
            intent=params.get("intent", "")[:64],
            outcome=params.get("outcome", "")[:32],
            state=state if state in STATES else "all",
            since=day_param(params, "from"),
            until=day_param(params, "to"),
        )

    def is_empty(self) -> bool:
        return self == CaseQuery()


@dataclass(frozen=True)
class Found:
    """One result: what the access check needs (``detail``) and what the list shows."""

    detail: CaseDetail
    created_at: dt.datetime
    closed_at: dt.datetime | None
    outcome: str | None
    closed_by: str | None
    false_alarm: bool | None


def _like(words: str) -> str:
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(
    sessions: sessionmaker[Session],
    query: CaseQuery,
    timezone: ZoneInfo,
    organization: str | None,
    *,
    conversation_id: int | None = None,
) -> list[Found]:
    """The newest matching cases of ``organization`` (or of every one), at most MAX_RESULTS."""
    closer = aliased(Lawyer)
    conditions = [Case.status.in_(STATES[query.state])]
    if conversation_id is not None:
        conditions.append(Case.conversation_id == conversation_id)
    if organization != EVERY_ORGANIZATION:
        conditions.append(Case.organization.is_not_distinct_from(organization))
    if query.language:
        conditions.append(Case.language == query.language)
    if query.intent:
        conditions.append(or_(Case.intent == query.intent, Case.topic == query.intent))
    if query.outcome:
        conditions.append(Case.outcome == query.outcome)
    if query.since:
        conditions.append(Case.created_at >= day_start(query.since, timezone))
    if query.until:
        conditions.append(Case.created_at < day_start(query.until + dt.timedelta(days=1), timezone))
    if query.words:
        pattern = _like(query.words)
        said = exists().where(Message.conversation_id == Case.conversation_id, Message.text.ilike(pattern, escape="\\"))
        conditions.append(or_(Case.ticket.ilike(pattern, escape="\\"), Case.summary.ilike(pattern, escape="\\"), said))
    now = utcnow()
    with sessions() as session:
        rows = session.execute(
            select(Case, Lawyer, Conversation, closer.name)
            .outerjoin(Lawyer, Case.lawyer_id == Lawyer.id)
            .outerjoin(closer, Case.closed_by == closer.id)
            .join(Conversation, Case.conversation_id == Conversation.id)
            .where(*conditions)
            .order_by(Case.created_at.desc(), Case.id.desc())
            .limit(MAX_RESULTS)
        ).all()
        holders = holders_of(session, {conversation.id for _, _, conversation, _ in rows})
        return [
            Found(
                detail_of(case, lawyer, conversation, holders.get(conversation.id, frozenset()), now),
                case.created_at,
                case.closed_at,
                case.outcome,
                closed_by,
                case.false_alarm,
            )  # fmt: skip
            for case, lawyer, conversation, closed_by in rows
        ]


def of_conversation(sessions: sessionmaker[Session], conversation_id: int) -> list[Found]:
    """Every case of one migrant (one conversation, in any organisation), newest first."""
    return search(sessions, CaseQuery(), ZoneInfo("UTC"), EVERY_ORGANIZATION, conversation_id=conversation_id)
