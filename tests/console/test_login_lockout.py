"""Parallel wrong passwords lock the account on both databases: the failure count cannot be lost."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from bot.console.users import MAX_FAILURES, LoginRefused, authenticate, create_user
from bot.store.models import Lawyer

PASSWORD = "correct horse battery"


def _guess(sessions, password):
    try:
        authenticate(sessions, "aida", password)
    except LoginRefused as refused:
        return "locked" if refused.locked else "wrong"
    return "in"


def test_parallel_wrong_passwords_lock_the_account(sessions):
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda n: _guess(sessions, f"wrong {n}"), range(4 * MAX_FAILURES)))

    assert "in" not in outcomes
    with sessions() as session:
        assert session.scalar(select(Lawyer.locked_until).where(Lawyer.username == "aida")) is not None
    with pytest.raises(LoginRefused) as refused:
        authenticate(sessions, "aida", PASSWORD)
    assert refused.value.locked


def test_failures_below_the_limit_are_counted_exactly(sessions):
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    guesses = MAX_FAILURES - 1
    with ThreadPoolExecutor(max_workers=guesses) as pool:
        outcomes = list(pool.map(lambda n: _guess(sessions, f"wrong {n}"), range(guesses)))
    assert outcomes == ["wrong"] * guesses
    with sessions() as session:
        assert session.scalar(select(Lawyer.failed_logins).where(Lawyer.username == "aida")) == guesses
    assert _guess(sessions, PASSWORD) == "in"


def test_an_administrator_unlocks_a_locked_out_lawyer(sessions):
    from bot.console.users import unlock

    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    for n in range(MAX_FAILURES):
        _guess(sessions, f"wrong {n}")
    assert _guess(sessions, PASSWORD) == "locked"

    assert unlock(sessions, "aida")
    assert _guess(sessions, PASSWORD) == "in"
    assert not unlock(sessions, "nobody")
