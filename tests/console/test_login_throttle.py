"""Console logins are throttled per address, user name and both, on both databases: parallel
guesses all count, the wait grows, and a guesser elsewhere cannot lock a lawyer out."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, update

from bot.console import throttle
from bot.console.users import LoginRefused, authenticate, create_user, unlock
from bot.store.models import LoginThrottle, utcnow

PASSWORD = "correct horse battery"
GUESSER, OFFICE = "203.0.113.7", "198.51.100.20"
PAIR = throttle.FREE_FAILURES["pair"]


def _try(sessions, password, username="aida", address=GUESSER):
    try:
        authenticate(sessions, username, password, address)
    except LoginRefused as refused:
        return "throttled" if refused.throttled else "wrong"
    return "in"


def _failures(sessions, key):
    with sessions() as session:
        return session.scalar(select(LoginThrottle.failures).where(LoginThrottle.key == key))


def test_parallel_guesses_are_throttled_but_the_lawyer_elsewhere_gets_in(sessions):
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda n: _try(sessions, f"wrong {n}"), range(4 * PAIR)))

    assert "in" not in outcomes and "throttled" in outcomes
    assert _try(sessions, PASSWORD) == "throttled"  # the right password too, from the guesser's address
    assert _try(sessions, PASSWORD, address=OFFICE) == "in"  # not a lock-out anyone can impose


def test_failures_below_the_allowance_are_counted_exactly(sessions):
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    guesses = PAIR - 1
    with ThreadPoolExecutor(max_workers=guesses) as pool:
        outcomes = list(pool.map(lambda n: _try(sessions, f"wrong {n}"), range(guesses)))
    assert outcomes == ["wrong"] * guesses
    keys = throttle.keys(GUESSER, "aida")
    assert [_failures(sessions, keys[kind]) for kind in ("pair", "address", "user")] == [guesses] * 3
    assert _try(sessions, PASSWORD) == "in"
    assert _failures(sessions, keys["pair"]) is None  # a success starts this address's count again
    assert _failures(sessions, keys["user"]) == guesses  # ... but not the backstop's


def test_the_wait_doubles_after_the_allowance_up_to_fifteen_minutes():
    waits = [throttle.wait_after(failures, 5) for failures in range(1, 12)]
    assert waits[:5] == [None] * 5
    assert [wait.total_seconds() for wait in waits[5:]] == [30, 60, 120, 240, 480, 900]
    assert throttle.wait_after(1000, 5) == throttle.LONGEST_WAIT


def test_a_throttled_attempt_says_how_long_to_wait(sessions):
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    for n in range(PAIR + 1):
        _try(sessions, f"wrong {n}")
    with pytest.raises(LoginRefused) as refused:
        authenticate(sessions, "aida", PASSWORD, GUESSER)
    assert dt.timedelta(seconds=1) < refused.value.retry_after <= dt.timedelta(seconds=30)


def test_unknown_user_names_count_against_the_address(sessions):
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    for n in range(throttle.FREE_FAILURES["address"] + 1):
        assert _try(sessions, PASSWORD, username=f"probe{n}") == "wrong"
    assert _try(sessions, PASSWORD) == "throttled"  # one guesser trying many names is slowed down
    assert _try(sessions, PASSWORD, address=OFFICE) == "in"


def test_guessing_from_many_addresses_meets_the_backstop(sessions):
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    for n in range(throttle.FREE_FAILURES["user"] + 1):
        assert _try(sessions, "wrong", address=f"192.0.2.{n}") == "wrong"
    assert _try(sessions, PASSWORD, address=OFFICE) == "throttled"


def test_an_administrator_unlock_lifts_the_throttling(sessions):
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    for n in range(PAIR + 1):
        _try(sessions, f"wrong {n}")
    assert _try(sessions, PASSWORD) == "throttled"
    assert unlock(sessions, "aida")
    assert _try(sessions, PASSWORD) == "in"
    assert not unlock(sessions, "nobody")


def test_failures_older_than_an_hour_are_forgotten(sessions):
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    for n in range(PAIR - 1):
        _try(sessions, f"wrong {n}")
    with sessions.begin() as session:
        session.execute(update(LoginThrottle).values(last_failure_at=utcnow() - dt.timedelta(hours=2)))
    assert _try(sessions, "wrong again") == "wrong"
    assert _failures(sessions, throttle.keys(GUESSER, "aida")["pair"]) == 1
