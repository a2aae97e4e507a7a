"""`helpline users add` and `helpline users unlock` as an administrator runs them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.console import throttle
from bot.console.users import LoginRefused, authenticate
from bot.store.db import make_engine, session_factory

HELPLINE = Path(sys.executable).with_name("helpline")
PASSWORD = "correct horse battery"


def helpline(tmp_path, *args, stdin=""):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'users.db'}"}
    return subprocess.run(
        [str(HELPLINE), "users", *args], input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


def test_unlock_lifts_the_throttling(tmp_path):
    assert helpline(tmp_path, "add", "aida", "--password-stdin", stdin=PASSWORD + "\n").returncode == 0
    sessions = session_factory(make_engine(f"sqlite:///{tmp_path / 'users.db'}"))
    for n in range(throttle.FREE_FAILURES["user"] + 1):  # guessed at from everywhere: the backstop holds it up
        with pytest.raises(LoginRefused):
            authenticate(sessions, "aida", "wrong password", f"192.0.2.{n}")
    with pytest.raises(LoginRefused) as refused:
        authenticate(sessions, "aida", PASSWORD, "198.51.100.20")
    assert refused.value.throttled

    unlocked = helpline(tmp_path, "unlock", "aida")
    assert unlocked.returncode == 0, unlocked.stderr
    assert authenticate(sessions, "aida", PASSWORD).username == "aida"


def test_unlocking_an_unknown_user_says_so(tmp_path):
    result = helpline(tmp_path, "unlock", "nobody")
    assert result.returncode == 2 and "no user named 'nobody'" in result.stderr
