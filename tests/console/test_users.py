import pytest

from bot.console import throttle
from bot.console.users import LoginRefused, UserError, authenticate, create_user
from bot.store.models import Lawyer


def test_passwords_are_stored_as_argon2_hashes(sessions):
    user = create_user(sessions, "aida", "Aida", "lawyer", "correct horse battery", ["ky", "ru"], ["visa"])
    with sessions() as session:
        stored = session.get(Lawyer, user).password_hash
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    account = authenticate(sessions, "aida", "correct horse battery")
    assert account.languages == ("ky", "ru") and account.topics == ("visa",) and account.role == "lawyer"


def test_wrong_passwords_and_unknown_users_are_refused_alike(sessions):
    create_user(sessions, "aida", "Aida", "lawyer", "correct horse battery", [], [])
    for username, password in (("aida", "wrong password!!"), ("nobody", "correct horse battery")):
        with pytest.raises(LoginRefused) as refused:
            authenticate(sessions, username, password)
        assert not refused.value.throttled


def test_repeated_failures_hold_up_even_the_right_password_from_that_address(sessions):
    create_user(sessions, "aida", "Aida", "lawyer", "correct horse battery", [], [])
    for _ in range(throttle.FREE_FAILURES["pair"]):
        with pytest.raises(LoginRefused) as refused:
            authenticate(sessions, "aida", "guess guess guess", "203.0.113.7")
        assert not refused.value.throttled
    with pytest.raises(LoginRefused):
        authenticate(sessions, "aida", "guess guess guess", "203.0.113.7")
    with pytest.raises(LoginRefused) as throttled:
        authenticate(sessions, "aida", "correct horse battery", "203.0.113.7")
    assert throttled.value.throttled


@pytest.mark.parametrize(
    ("role", "password", "message"),
    [("pilot", "long enough password", "role"), ("lawyer", "short", "at least")],
)
def test_bad_accounts_are_refused_with_a_reason(sessions, role, password, message):
    with pytest.raises(UserError, match=message):
        create_user(sessions, "x", "X", role, password, [], [])
