"""Figures for supervisors: load, waiting, what the queue is made of, and how often the bot alone was enough."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.store.models import Case, Conversation, Lawyer, utcnow


@dataclass(frozen=True)
class Stats:
    waiting: int
    assigned: int
    load: dict[str, int]  # lawyer -> open cases
    by_language: dict[str, int]
    by_topic: dict[str, int]
    by_channel: dict[str, int]
    created_by_hour: dict[int, int]  # hour of the day (UTC) -> cases opened, last 24 hours
    waiting_by_hour: dict[str, int]  # "HH:00" (UTC) -> cases waiting at that moment, last 24 hours
    median_wait_minutes: float | None  # opened -> taken
    median_first_reply_minutes: float | None  # opened -> first lawyer reply
    bot_resolved_share: float | None  # conversations that never needed a lawyer


def _minutes(pairs) -> float | None:
    values = [(later - earlier).total_seconds() / 60 for earlier, later in pairs if earlier and later]
    return round(statistics.median(values), 1) if values else None


def _waiting_at(case: Case, moment: dt.datetime) -> bool:
    taken = case.first_reply_at or case.assigned_at or case.closed_at
    return case.created_at <= moment and (taken is None or taken > moment)


def _waiting_by_hour(cases: list[Case], now: dt.datetime) -> dict[str, int]:
    """Queue length at each full hour of the last day (approximate: a case counts as waiting until
    its first reply, or its assignment while it has none)."""
    start = now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=23)
    moments = [start + dt.timedelta(hours=n) for n in range(24)]
    return {f"{m:%H}:00": sum(_waiting_at(case, m) for case in cases) for m in moments}


def collect(sessions: sessionmaker[Session], days: int = 30) -> Stats:
    since = utcnow() - dt.timedelta(days=days)
    day_ago = utcnow() - dt.timedelta(days=1)
    with sessions() as session:
        recent = list(session.scalars(select(Case).where(Case.created_at >= since)))
        load_rows = session.execute(
            select(Lawyer.name, func.count(Case.id))
            .join(Case, Case.lawyer_id == Lawyer.id)
            .where(Case.status == "assigned")
            .group_by(Lawyer.name)
        )
        conversations = session.scalar(select(func.count()).where(Conversation.created_at >= since)) or 0
        escalated = len({case.conversation_id for case in recent})
        waiting_now = session.scalar(select(func.count()).where(Case.status == "waiting")) or 0
        assigned_now = session.scalar(select(func.count()).where(Case.status == "assigned")) or 0
        return Stats(
            waiting=waiting_now,
            assigned=assigned_now,
            load=dict(load_rows.all()),
            by_language=dict(Counter(case.language or "?" for case in recent).most_common()),
            by_topic=dict(Counter(case.topic or "other" for case in recent).most_common()),
            by_channel=dict(Counter(case.channel for case in recent).most_common()),
            created_by_hour=dict(sorted(Counter(c.created_at.hour for c in recent if c.created_at >= day_ago).items())),
            waiting_by_hour=_waiting_by_hour(recent, utcnow()),
            median_wait_minutes=_minutes((c.created_at, c.assigned_at) for c in recent),
            median_first_reply_minutes=_minutes((c.created_at, c.first_reply_at) for c in recent),
            bot_resolved_share=round(1 - escalated / conversations, 3) if conversations else None,
        )
