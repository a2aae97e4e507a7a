"""Supervisor figures on SQLite and PostgreSQL: the helpline's calendar, outcomes, false alarms,
closers, targets, "did this help?" and the CSV export."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

from bot.cases import actions, stats
from bot.console.users import create_user
from bot.store.models import Case, Conversation, Message

BISHKEK = ZoneInfo("Asia/Bishkek")  # UTC+6, no daylight saving
UTC = dt.UTC


def add_case(sessions, sender, created, *, priority=1, language="ru", intent="unpaid_wages", taken_after=None):
    with sessions.begin() as db:
        conversation = Conversation(channel="web", sender=sender, language=language, created_at=created)
        db.add(conversation)
        db.flush()
        case = Case(
            conversation_id=conversation.id, ticket=f"1899-{sender}", priority=priority, language=language,
            topic="employment", intent=intent, channel="web", summary="шеф не платит", created_at=created,
            assigned_at=created + taken_after if taken_after else None,
        )  # fmt: skip
        db.add(case)
        db.flush()
        return case.id


def period(since, until):
    return stats.Period(dt.date.fromisoformat(since), dt.date.fromisoformat(until), BISHKEK)


def test_days_and_hours_are_the_helplines_not_utc(sessions):
    # 19:30 UTC on 3 December is 01:30 on 4 December in Bishkek
    add_case(sessions, "late", dt.datetime(2026, 12, 3, 19, 30, tzinfo=UTC))

    on_the_4th = stats.collect(sessions, period("2026-12-04", "2026-12-04"))
    on_the_3rd = stats.collect(sessions, period("2026-12-03", "2026-12-03"))

    assert on_the_4th.opened == 1 and on_the_4th.by_hour == {"01:00": 1}
    assert on_the_4th.by_day == {"2026-12-04": 1}
    assert on_the_3rd.opened == 0


def test_outcomes_false_alarms_and_closers(sessions):
    aida = create_user(sessions, "aida", "Aida", "lawyer", "correct horse battery", [], [])
    bek = create_user(sessions, "bek", "Bek", "supervisor", "correct horse battery", [], [])
    start = dt.datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    alarm = add_case(sessions, "u1", start, priority=0, intent="trafficking")
    real = add_case(sessions, "u2", start, priority=0, intent="trafficking")
    plain = add_case(sessions, "n1", start)
    assert actions.close(sessions, alarm, aida, "advice_given", false_alarm=True)
    assert actions.close(sessions, real, aida, "referred")
    assert actions.close(sessions, plain, bek, "advice_given", false_alarm=True)  # not urgent: not an alarm

    figures = stats.collect(sessions, period("2026-12-01", "2026-12-02"))

    assert figures.urgent == 2 and figures.false_alarms == 1 and figures.false_alarm_share == 0.5
    assert figures.outcomes == {"advice_given": 2, "referred": 1}
    assert figures.closed_by == {"Aida": 2, "Bek": 1}
    with sessions() as db:
        assert db.get(Case, plain).false_alarm is None


def test_waiting_times_are_measured_against_the_target(sessions):
    start = dt.datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    for n, minutes in enumerate((5, 10, 20, 40)):
        add_case(sessions, f"w{n}", start, taken_after=dt.timedelta(minutes=minutes))

    wait = stats.collect(sessions, period("2026-12-02", "2026-12-02"), wait_target=15).wait

    assert (wait.median, wait.within_target, wait.count, wait.target_minutes) == (15.0, 0.5, 4, 15)


def test_did_this_help_is_counted_for_the_answer_it_was_asked_about(sessions):
    moment = dt.datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    with sessions.begin() as db:
        for sender, language, intent, answer in (
            ("f1", "ru", "unpaid_wages", "/feedback no"),
            ("f2", "ru", "unpaid_wages", "/feedback yes"),
            ("f3", "ky", "visa_extension", "/feedback yes"),
        ):
            conversation = Conversation(channel="web", sender=sender, created_at=moment)
            db.add(conversation)
            db.flush()
            db.add(Message.outbound(conversation.id, "web", "answer", status=None, intent=intent, language=language,
                                    created_at=moment))  # fmt: skip
            db.flush()
            db.add(Message(conversation_id=conversation.id, direction="in", channel="web", text=answer,
                           intent="affirm" if answer.endswith("yes") else "deny", created_at=moment))  # fmt: skip
            db.flush()
            # the bot's reply to the feedback has an intent too: it is not what the answer is about
            db.add(Message.outbound(conversation.id, "web", "ok", status=None, intent="affirm", created_at=moment))

    figures = stats.collect(sessions, period("2026-12-02", "2026-12-02"))

    assert figures.helped_by_intent["unpaid_wages"] == stats.Rate(1, 1)
    assert figures.helped_by_intent["visa_extension"].share == 1.0
    assert figures.helped_by_language["ru"].share == 0.5
    assert figures.helped[("visa_extension", "ky")] == stats.Rate(1, 0)


def test_the_csv_export_has_figures_and_nothing_that_identifies_the_migrant(sessions):
    boss = create_user(sessions, "boss", "=HYPERLINK(1)", "supervisor", "correct horse battery", [], [])
    case = add_case(sessions, "c1", dt.datetime(2026, 12, 2, 6, 0, tzinfo=UTC), taken_after=dt.timedelta(minutes=7))
    actions.close(sessions, case, boss, "resolved")
    add_case(sessions, "outside", dt.datetime(2026, 11, 1, 6, 0, tzinfo=UTC))

    text = stats.cases_csv(sessions, period("2026-12-01", "2026-12-04"))

    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    row = rows[0]
    assert row["ticket"] == "1899-c1" and row["opened"] == "2026-12-02T12:00+06:00"
    assert (row["outcome"], row["wait_minutes"], row["priority"]) == ("resolved", "7.0", "normal")
    assert row["closed_by"] == "'=HYPERLINK(1)"  # a spreadsheet shows it, never runs it
    assert "шеф" not in text  # the case summary quotes the migrant: never exported


def test_a_period_from_the_page_is_read_leniently():
    now = dt.datetime(2026, 12, 4, 20, 0, tzinfo=UTC)  # already 5 December in Bishkek
    default = stats.Period.from_params({}, BISHKEK, now)
    assert (default.since, default.until) == (dt.date(2026, 11, 6), dt.date(2026, 12, 5))
    swapped = stats.Period.from_params({"from": "2026-12-03", "to": "2026-12-01"}, BISHKEK, now)
    assert (swapped.since, swapped.until) == (dt.date(2026, 12, 1), dt.date(2026, 12, 3))
    assert stats.Period.from_params({"from": "garbage", "to": "2026-13-45"}, BISHKEK, now) == default
