import pytest

from bot.console.users import MAX_FAILURES, LoginRefused, UserError, authenticate, create_user
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
        assert not refused.value.locked


def test_repeated_failures_lock_the_account_even_for_the_right_password(sessions):
    create_user(sessions, "aida", "Aida", "lawyer", "correct horse battery", [], [])
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(LoginRefused):
            authenticate(sessions, "aida", "guess guess guess")
    with pytest.raises(LoginRefused) as last:
        authenticate(sessions, "aida", "guess guess guess")
    assert last.value.locked
    with pytest.raises(LoginRefused) as locked:
        authenticate(sessions, "aida", "correct horse battery")
    assert locked.value.locked


@pytest.mark.parametrize(
    ("role", "password", "message"),
    [("pilot", "long enough password", "role"), ("lawyer", "short", "at least")],
)
def test_bad_accounts_are_refused_with_a_reason(sessions, role, password, message):
    with pytest.raises(UserError, match=message):
        create_user(sessions, "x", "X", role, password, [], [])
