"""Figures for supervisors over a chosen period of the helpline's calendar: load, waiting against
the targets, outcomes, false alarms, who closed what, and how often the bot's answers helped."""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from bot.cases.calendar import day_param, day_start
from bot.cases.reading import EVERY_ORGANIZATION
from bot.store.models import Case, Conversation, Lawyer, Message, utcnow

FEEDBACK = {"/feedback yes": True, "/feedback no": False}  # the "did this help?" buttons' payloads
NOT_ANSWERS = frozenset({"affirm", "deny"})  # the bot's replies to the feedback itself
MAX_PERIOD_DAYS = 366


@dataclass(frozen=True)
class Period:
    """Calendar days in the helpline's time zone, both ends included."""

    since: dt.date
    until: dt.date
    timezone: ZoneInfo

    @classmethod
    def from_params(cls, params: Mapping[str, str], timezone: ZoneInfo, now: dt.datetime) -> Period:
        """From the page's ``from`` and ``to`` (YYYY-MM-DD); the last 30 days when absent or invalid."""
        today = now.astimezone(timezone).date()
        until = day_param(params, "to") or today
        since = day_param(params, "from") or until - dt.timedelta(days=29)
        if since > until:
            since, until = until, since
        since = max(since, until - dt.timedelta(days=MAX_PERIOD_DAYS - 1))
        return cls(since, until, timezone)

    @property
    def start(self) -> dt.datetime:
        return day_start(self.since, self.timezone)

    @property
    def end(self) -> dt.datetime:
        return day_start(self.until + dt.timedelta(days=1), self.timezone)

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.timezone)


@dataclass(frozen=True)
class Rate:
    yes: int = 0
    no: int = 0

    @property
    def answers(self) -> int:
        return self.yes + self.no

    @property
    def share(self) -> float | None:
        return round(self.yes / self.answers, 3) if self.answers else None

    def plus(self, helped: bool) -> Rate:
        return Rate(self.yes + helped, self.no + (not helped))


@dataclass(frozen=True)
class Timing:
    """Minutes from a case's opening to an event, against the profile's target."""

    target_minutes: int
    median: float | None
    p90: float | None
    within_target: float | None  # share of cases that met the target
    count: int


@dataclass(frozen=True)
class Stats:
    period: Period
    waiting: int  # now
    assigned: int  # now
    load: dict[str, int]  # lawyer -> open cases, now
    opened: int
    by_language: dict[str, int]
    by_topic: dict[str, int]
    by_channel: dict[str, int]
    by_day: dict[str, int]  # "2026-12-03" -> cases opened that day
    by_hour: dict[str, int]  # "09:00" -> cases opened in that hour of the day, over the period
    waiting_by_hour: dict[str, int]  # "14:00" -> cases waiting at that moment, the last 24 hours
    outcomes: dict[str, int]
    closed_by: dict[str, int]  # lawyer -> cases closed
    urgent: int
    false_alarms: int  # urgent cases a lawyer closed as not urgent after all
    wait: Timing  # opened -> taken by a lawyer
    first_reply: Timing  # opened -> the lawyer's first reply
    helped_by_intent: dict[str, Rate]
    helped_by_language: dict[str, Rate]
    helped: dict[tuple[str, str], Rate]  # (intent, language)
    bot_resolved_share: float | None  # conversations that never needed a lawyer

    @property
    def false_alarm_share(self) -> float | None:
        return round(self.false_alarms / self.urgent, 3) if self.urgent else None


def _minutes(pairs: Iterable[tuple[dt.datetime, dt.datetime | None]]) -> list[float]:
    return [(later - earlier).total_seconds() / 60 for earlier, later in pairs if later]


def timing(values: list[float], target: int) -> Timing:
    if not values:
        return Timing(target, None, None, None, 0)
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    met = sum(value <= target for value in values) / len(values)
    return Timing(target, round(statistics.median(values), 1), round(p90, 1), round(met, 3), len(values))


def _waiting_at(case: Case, moment: dt.datetime) -> bool:
    taken = case.first_reply_at or case.assigned_at or case.closed_at
    return case.created_at <= moment and (taken is None or taken > moment)


def _waiting_by_hour(cases: list[Case], now: dt.datetime, timezone: ZoneInfo) -> dict[str, int]:
    """Queue length at each full hour of the last day (approximate: a case counts as waiting until
    its first reply, or its assignment while it has none)."""
    start = now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=23)
    moments = [start + dt.timedelta(hours=n) for n in range(24)]
    return {f"{m.astimezone(timezone):%H}:00": sum(_waiting_at(case, m) for case in cases) for m in moments}


def _scoped(organization: str | None) -> list:
    return [] if organization == EVERY_ORGANIZATION else [Case.organization.is_not_distinct_from(organization)]


def _feedback(session: Session, period: Period) -> list[tuple[str, str, bool]]:
    """(intent, language, helped) for every "did this help?" answer in the period: the answer is
    about the bot's last reply with an intent before it."""
    answers = session.execute(
        select(Message.id, Message.conversation_id, Message.text).where(
            Message.direction == "in",
            Message.text.in_(tuple(FEEDBACK)),
            Message.created_at >= period.start,
            Message.created_at < period.end,
        )
    ).all()
    if not answers:
        return []
    replies = session.execute(
        select(Message.id, Message.conversation_id, Message.intent, Message.language)
        .where(
            Message.conversation_id.in_({answer.conversation_id for answer in answers}),
            Message.direction == "out",
            Message.intent.is_not(None),
            Message.intent.not_in(NOT_ANSWERS),
        )
        .order_by(Message.id)
    ).all()
    by_conversation: dict[int, list] = {}
    reply_ids: dict[int, list[int]] = {}
    for reply in replies:  # in id order, so each conversation's lists are too
        by_conversation.setdefault(reply.conversation_id, []).append(reply)
        reply_ids.setdefault(reply.conversation_id, []).append(reply.id)
    found = []
    for answer in answers:
        position = bisect.bisect_left(reply_ids.get(answer.conversation_id, []), answer.id)
        if position:
            asked = by_conversation[answer.conversation_id][position - 1]
            found.append((asked.intent, asked.language or "?", FEEDBACK[answer.text]))
    return found


def collect(
    sessions: sessionmaker[Session],
    period: Period,
    organization: str | None = EVERY_ORGANIZATION,
    wait_target: int = 15,
    first_reply_target: int = 30,
) -> Stats:
    now = utcnow()
    scope = _scoped(organization)
    with sessions() as session:
        cases = list(
            session.scalars(select(Case).where(Case.created_at >= period.start, Case.created_at < period.end, *scope))
        )
        closers = dict(session.execute(select(Lawyer.id, Lawyer.name)).all())
        load_rows = session.execute(
            select(Lawyer.name, func.count(Case.id))
            .join(Case, Case.lawyer_id == Lawyer.id)
            .where(Case.status == "assigned", *scope)
            .group_by(Lawyer.name)
        )
        last_day = list(session.scalars(select(Case).where(Case.created_at >= now - dt.timedelta(days=1), *scope)))
        conversations = session.scalar(
            select(func.count()).where(Conversation.created_at >= period.start, Conversation.created_at < period.end)
        )
        escalated = len({case.conversation_id for case in cases})
        waiting_now = session.scalar(select(func.count()).where(Case.status == "waiting", *scope)) or 0
        assigned_now = session.scalar(select(func.count()).where(Case.status == "assigned", *scope)) or 0
        feedback = _feedback(session, period)
        load = dict(load_rows.all())

    helped: dict[tuple[str, str], Rate] = {}
    by_intent: dict[str, Rate] = {}
    by_language: dict[str, Rate] = {}
    for intent, language, yes in feedback:
        helped[(intent, language)] = helped.get((intent, language), Rate()).plus(yes)
        by_intent[intent] = by_intent.get(intent, Rate()).plus(yes)
        by_language[language] = by_language.get(language, Rate()).plus(yes)
    closed = [case for case in cases if case.status == "closed"]
    urgent = [case for case in cases if case.priority == 0]
    days = (period.until - period.since).days + 1
    by_day = Counter(f"{period.local(case.created_at):%Y-%m-%d}" for case in cases)
    return Stats(
        period=period,
        waiting=waiting_now,
        assigned=assigned_now,
        load=load,
        opened=len(cases),
        by_language=dict(Counter(case.language or "?" for case in cases).most_common()),
        by_topic=dict(Counter(case.topic or "other" for case in cases).most_common()),
        by_channel=dict(Counter(case.channel for case in cases).most_common()),
        by_day={day: by_day.get(day, 0) for day in (f"{period.since + dt.timedelta(days=n)}" for n in range(days))},
        by_hour=dict(sorted(Counter(f"{period.local(case.created_at):%H}:00" for case in cases).items())),
        waiting_by_hour=_waiting_by_hour(last_day, now, period.timezone),
        outcomes=dict(Counter(case.outcome or "?" for case in closed).most_common()),
        closed_by=dict(Counter(closers.get(case.closed_by, "—") for case in closed).most_common()),
        urgent=len(urgent),
        false_alarms=sum(bool(case.false_alarm) for case in urgent),
        wait=timing(_minutes((c.created_at, c.assigned_at) for c in cases), wait_target),
        first_reply=timing(_minutes((c.created_at, c.first_reply_at) for c in cases), first_reply_target),
        helped_by_intent=dict(sorted(by_intent.items(), key=lambda item: -item[1].answers)),
        helped_by_language=dict(sorted(by_language.items(), key=lambda item: -item[1].answers)),
        helped=dict(sorted(helped.items())),
        bot_resolved_share=round(1 - escalated / conversations, 3) if conversations else None,
    )


CSV_COLUMNS = (
    "ticket", "opened", "organization", "channel", "language", "written_in", "topic", "intent", "priority",
    "status", "outcome", "false_alarm", "lawyer", "closed_by", "wait_minutes", "first_reply_minutes", "closed",
)  # fmt: skip


def _cell(value: object) -> str:
    """A spreadsheet cell: a text starting like a formula is quoted, never run (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def cases_csv(sessions: sessionmaker[Session], period: Period, organization: str | None = EVERY_ORGANIZATION) -> str:
    """One row per case opened in the period, times in the helpline's zone. Nothing that identifies
    the migrant: no words, no sender, no phone number."""
    holder, closer = aliased(Lawyer), aliased(Lawyer)
    with sessions() as session:
        rows = session.execute(
            select(Case, holder.name, closer.name)
            .outerjoin(holder, Case.lawyer_id == holder.id)
            .outerjoin(closer, Case.closed_by == closer.id)
            .where(Case.created_at >= period.start, Case.created_at < period.end, *_scoped(organization))
            .order_by(Case.created_at, Case.id)
        ).all()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)

    def minutes(later: dt.datetime | None, case: Case) -> str:
        return f"{(later - case.created_at).total_seconds() / 60:.1f}" if later else ""

    def local(moment: dt.datetime | None) -> str:
        return period.local(moment).isoformat(timespec="minutes") if moment else ""

    for case, lawyer, closed_by in rows:
        writer.writerow(
            _cell(value)
            for value in (
                case.ticket,
                local(case.created_at),
                case.organization or "",
                case.channel,
                case.language,
                case.written_in,
                case.topic,
                case.intent,
                "urgent" if case.priority == 0 else "normal",
                case.status,
                case.outcome,
                "" if case.false_alarm is None else ("yes" if case.false_alarm else "no"),
                lawyer,
                closed_by,
                minutes(case.assigned_at, case),
                minutes(case.first_reply_at, case),
                local(case.closed_at),
            )  # fmt: skip
        )
    return out.getvalue()
