"""Cases on SQLite and PostgreSQL: one open case per conversation, urgent first, atomic claims."""

import datetime as dt
import threading

from sqlalchemy import func, select

from bot.cases import actions as cases
from bot.console.users import create_user
from bot.store.actions import Received, record_inbound
from bot.store.models import AuditEntry, Case


def open_case(sessions, conversation_id: int):
    with sessions() as session:
        return cases.open_case_in(session, conversation_id)


def conversation(sessions, sender: str) -> int:
    return record_inbound(sessions, Received("web", sender, "help")).conversation_id


def escalate(sessions, sender, urgent=False, language="ru", topic="employment"):
    return cases.open_case(
        sessions, conversation(sessions, sender), cases.Escalation(language, topic, urgent, "summary"), "1899"
    )


def test_one_open_case_per_conversation_and_urgent_goes_first(sessions):
    first = escalate(sessions, "a")
    again = escalate(sessions, "a")
    second = escalate(sessions, "b")
    urgent = escalate(sessions, "c", urgent=True)
    assert again.id == first.id and first.ticket == f"1899-{first.id:06d}"
    assert open_case(sessions, conversation(sessions, "c")).position == 1
    assert open_case(sessions, conversation(sessions, "a")).position == 2
    assert open_case(sessions, conversation(sessions, "b")).position == 3
    assert urgent.priority == 0 and second.priority == 1


def test_take_next_follows_languages_and_priority(sessions):
    escalate(sessions, "ru-1", language="ru")
    escalate(sessions, "ky-1", language="ky")
    escalate(sessions, "ky-urgent", language="ky", urgent=True)
    kyrgyz = create_user(sessions, "aida", "Aida", "lawyer", "correct horse battery", ["ky"], [])
    claimed = cases.claim_next(sessions, kyrgyz)
    with sessions() as session:
        case = session.get(Case, claimed)
        assert (case.language, case.priority, case.status, case.lawyer_id) == ("ky", 0, "assigned", kyrgyz)
    assert session.get(Case, cases.claim_next(sessions, kyrgyz)).language == "ky"
    assert cases.claim_next(sessions, kyrgyz) is None  # only a Russian case is left


def test_many_lawyers_at_once_never_take_a_case_twice_or_skip_one(sessions):
    total = 30
    for n in range(total):
        escalate(sessions, f"m{n}")
    lawyers = [create_user(sessions, f"l{n}", f"L{n}", "lawyer", "a long enough password", [], []) for n in range(8)]
    taken: list[int] = []
    lock = threading.Lock()

    def work(lawyer_id):
        while (case_id := cases.claim_next(sessions, lawyer_id)) is not None:
            with lock:
                taken.append(case_id)

    threads = [threading.Thread(target=work, args=(lawyer,)) for lawyer in lawyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(taken) == total and len(set(taken)) == total
    with sessions() as session:
        assert session.scalar(select(func.count()).where(Case.status == "waiting")) == 0
        claims = session.scalar(select(func.count()).where(AuditEntry.action == "claim"))
    assert claims == total


def test_a_silent_lawyers_case_returns_to_the_queue(sessions):
    escalate(sessions, "s")
    lawyer = create_user(sessions, "idle", "Idle", "lawyer", "a long enough password", [], [])
    case_id = cases.claim_next(sessions, lawyer)
    assert cases.requeue_stale(sessions, dt.timedelta(minutes=30)) == 0
    assert cases.requeue_stale(sessions, dt.timedelta(seconds=-1)) == 1
    with sessions() as session:
        assert session.get(Case, case_id).status == "waiting"


def test_a_reply_is_stored_only_by_the_assigned_lawyer_and_close_ends_the_case(sessions):
    escalate(sessions, "r")
    owner = create_user(sessions, "owner", "Owner", "lawyer", "a long enough password", [], [])
    other = create_user(sessions, "other", "Other", "lawyer", "a long enough password", [], [])
    case_id = cases.claim_next(sessions, owner)
    assert cases.record_lawyer_reply(sessions, case_id, other, "hi") is None
    message = cases.record_lawyer_reply(sessions, case_id, owner, "Здравствуйте, я юрист.")
    assert message.lawyer_id == owner and message.status == "pending"
    assert cases.close(sessions, case_id, owner, "advice_given")
    assert not cases.close(sessions, case_id, owner, "advice_given")
    assert open_case(sessions, conversation(sessions, "r")) is None


async def test_upkeep_returns_silent_lawyers_cases_to_the_queue(sessions, monkeypatch):
    import asyncio

    from bot.cases.housekeeping import keep_queue_moving

    escalate(sessions, "u")
    lawyer = create_user(sessions, "gone", "Gone", "lawyer", "a long enough password", [], [])
    case_id = cases.claim_next(sessions, lawyer)
    monkeypatch.setenv("LAWYER_IDLE_MINUTES", "-1")  # every assignment counts as idle
    task = asyncio.create_task(keep_queue_moving(sessions, every=0.05))
    try:
        for _ in range(100):
            await asyncio.sleep(0.05)
            with sessions() as session:
                if session.get(Case, case_id).status == "waiting":
                    break
    finally:
        task.cancel()
    with sessions() as session:
        assert session.get(Case, case_id).status == "waiting"


def test_the_queue_pace_follows_recent_cases_once_there_are_enough(sessions):
    assert cases.handling_minutes(sessions, default=12) == 12
    lawyer = create_user(sessions, "pace", "Pace", "lawyer", "a long enough password", [], [])
    for n in range(5):
        escalate(sessions, f"pace-{n}")
        case_id = cases.claim_next(sessions, lawyer)
        with sessions.begin() as session:
            case = session.get(Case, case_id)
            case.status, case.closed_at = "closed", case.assigned_at + dt.timedelta(minutes=20)
    assert cases.handling_minutes(sessions, default=12) == 20


def test_a_topic_preference_never_outranks_an_urgent_case(sessions):
    escalate(sessions, "wages-1", topic="employment")
    urgent = escalate(sessions, "trafficking-1", topic="safety", urgent=True)
    escalate(sessions, "visa-1", topic="visa")
    employment_lawyer = create_user(sessions, "aida", "Aida", "lawyer", "correct horse battery", ["ru"], ["employment"])
    assert cases.claim_next(sessions, employment_lawyer) == urgent.id
    second = cases.claim_next(sessions, employment_lawyer)
    with sessions() as session:
        assert session.get(Case, second).topic == "employment"
    assert cases.claim_next(sessions, employment_lawyer) is None  # the visa case is not hers


def test_a_chosen_case_is_claimed_once(sessions):
    case = escalate(sessions, "chosen-1")
    aida = create_user(sessions, "aida", "Aida", "lawyer", "correct horse battery", [], [])
    bek = create_user(sessions, "bek", "Bek", "lawyer", "correct horse battery", [], [])
    editor = create_user(sessions, "eda", "Eda", "editor", "correct horse battery", [], [])
    assert not cases.claim(sessions, case.id, editor)
    assert cases.claim(sessions, case.id, aida)
    assert not cases.claim(sessions, case.id, bek)
    with sessions() as session:
        assert session.get(Case, case.id).lawyer_id == aida
