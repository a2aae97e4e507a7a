"""Referrals to partner services: recorded on the case, followed up with the migrant after some
days, and counted by partner and outcome for supervisors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.cases.actions import audit
from bot.store.models import Case, Lawyer, Referral, utcnow

OUTCOMES = ("helped", "not_helped", "not_contacted")


@dataclass(frozen=True)
class ReferralView:
    id: int
    service_name: str
    partner: str
    by: str
    at: dt.datetime
    follow_up_at: dt.datetime
    followed_up: bool
    outcome: str | None
    outcome_at: dt.datetime | None


@dataclass(frozen=True)
class FollowUp:
    referral_id: int
    case_id: int
    service_name: str


def refer(
    sessions: sessionmaker[Session],
    case_id: int,
    lawyer_id: int,
    service_id: str,
    service_name: str,
    partner: str,
    follow_up_after: dt.timedelta,
) -> int:
    with sessions.begin() as session:
        now = utcnow()
        referral = Referral(
            case_id=case_id,
            service_id=service_id[:64],
            service_name=service_name[:255],
            partner=partner[:255],
            lawyer_id=lawyer_id,
            created_at=now,
            follow_up_at=now + follow_up_after,
        )
        session.add(referral)
        session.flush()
        audit(session, "refer", case_id, lawyer_id, f"to {service_name}")
        return referral.id


def of_case(sessions: sessionmaker[Session], case_id: int) -> list[ReferralView]:
    with sessions() as session:
        rows = session.execute(
            select(Referral, Lawyer.name)
            .outerjoin(Lawyer, Referral.lawyer_id == Lawyer.id)
            .where(Referral.case_id == case_id)
            .order_by(Referral.id)
        )
        return [
            ReferralView(
                r.id,
                r.service_name,
                r.partner,
                name or "—",
                r.created_at,
                r.follow_up_at,
                r.followed_up_at is not None,
                r.outcome,
                r.outcome_at,
            )  # fmt: skip
            for r, name in rows
        ]


def claim_due(sessions: sessionmaker[Session], now: dt.datetime, limit: int = 50) -> list[FollowUp]:
    """Referrals whose follow-up is due, each claimed by one worker only (a conditional update)."""
    claimed = []
    with sessions() as session:
        due = session.execute(
            select(Referral.id, Referral.case_id, Referral.service_name)
            .where(Referral.follow_up_at <= now, Referral.followed_up_at.is_(None), Referral.outcome.is_(None))
            .order_by(Referral.follow_up_at)
            .limit(limit)
        ).all()
    for referral_id, case_id, service_name in due:
        with sessions.begin() as session:
            won = session.execute(
                update(Referral)
                .where(Referral.id == referral_id, Referral.followed_up_at.is_(None))
                .values(followed_up_at=now)
            ).rowcount
        if won:
            claimed.append(FollowUp(referral_id, case_id, service_name))
    return claimed


def record_outcome(sessions: sessionmaker[Session], conversation_id: int, referral_id: int, outcome: str) -> bool:
    """The migrant's answer to the follow-up; only for a referral of their own conversation."""
    if outcome not in OUTCOMES:
        return False
    with sessions.begin() as session:
        own_case = select(Case.id).where(Case.conversation_id == conversation_id)
        done = session.execute(
            update(Referral)
            .where(Referral.id == referral_id, Referral.case_id.in_(own_case))
            .values(outcome=outcome, outcome_at=utcnow())
        ).rowcount
        if done:
            case_id = session.scalar(select(Referral.case_id).where(Referral.id == referral_id))
            audit(session, "referral_outcome", case_id, None, outcome)
        return bool(done)


def by_partner(
    sessions: sessionmaker[Session], organization: str | None, every: bool = False
) -> list[tuple[str, str, int]]:
    """(partner, outcome or 'waiting', count) for one organisation's cases, or for all."""
    with sessions() as session:
        query = (
            select(Referral.partner, Referral.outcome, func.count())
            .join(Case, Referral.case_id == Case.id)
            .group_by(Referral.partner, Referral.outcome)
            .order_by(Referral.partner)
        )
        if not every:
            query = query.where(Case.organization.is_not_distinct_from(organization))
        return [(partner or "—", outcome or "waiting", count) for partner, outcome, count in session.execute(query)]
