"""Login throttling: after repeated failures, a wait that grows, counted in the database so that
every worker sees the same count.

Three counts, each with its own allowance of free failures:
- the address and the user name together: one guesser at one account is slowed down at once;
- the address: one guesser trying many names (unknown names count too, so probing costs the same);
- the user name alone, with a high allowance: the backstop against guessing from many addresses.

Nobody can be locked out at will: a lawyer at another address than the guesser's is not held up
until the backstop's allowance is spent, the wait is at most LONGEST_WAIT, and an administrator's
``helpline users unlock`` clears it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from bot.store.models import LoginThrottle

FREE_FAILURES = {"pair": 5, "address": 20, "user": 50}
FIRST_WAIT = dt.timedelta(seconds=30)  # after the allowance; it doubles with every further failure
LONGEST_WAIT = dt.timedelta(minutes=15)
FORGET_AFTER = dt.timedelta(hours=1)  # a count starts again after an hour without failures

_THROTTLES = LoginThrottle.__table__


def keys(address: str, username: str) -> dict[str, str]:
    name = username.strip().lower()[:150]
    return {"pair": f"pair:{address}|{name}", "address": f"address:{address}", "user": f"user:{name}"}


def waiting(sessions: sessionmaker[Session], address: str, username: str, now: dt.datetime) -> dt.timedelta | None:
    """How long this address must wait before trying this user name again; None: it may try now."""
    with sessions() as session:
        until = session.scalar(
            select(_THROTTLES.c.blocked_until)
            .where(_THROTTLES.c.key.in_(keys(address, username).values()), _THROTTLES.c.blocked_until > now)
            .order_by(_THROTTLES.c.blocked_until.desc())
            .limit(1)
        )
    return until - now if until is not None else None


def wait_after(failures: int, free: int) -> dt.timedelta | None:
    """The wait after ``failures`` failures with ``free`` allowed: 30 s, 1 min, 2 min, ... 15 min."""
    over = failures - free
    if over <= 0:
        return None
    return min(FIRST_WAIT * 2 ** min(over - 1, 16), LONGEST_WAIT)


def failed(session: Session, address: str, username: str, now: dt.datetime) -> None:
    """Count one failure in each of the three counts (atomically: parallel guesses all count)."""
    upsert = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}[session.get_bind().dialect.name]
    for kind, key in keys(address, username).items():
        statement = upsert(_THROTTLES).values(key=key, failures=1, last_failure_at=now)
        failures = session.scalar(
            statement.on_conflict_do_update(
                index_elements=[_THROTTLES.c.key],
                set_={
                    "failures": case(
                        (_THROTTLES.c.last_failure_at < now - FORGET_AFTER, 1), else_=_THROTTLES.c.failures + 1
                    ),
                    "last_failure_at": now,
                },
            ).returning(_THROTTLES.c.failures)
        )
        wait = wait_after(failures, FREE_FAILURES[kind])
        if wait is not None:
            session.execute(update(_THROTTLES).where(_THROTTLES.c.key == key).values(blocked_until=now + wait))


def succeeded(session: Session, address: str, username: str) -> None:
    """The right password from this address: its count for this user starts again (the others do
    not, or a guesser with an account of their own could reset them between guesses)."""
    session.execute(delete(_THROTTLES).where(_THROTTLES.c.key == keys(address, username)["pair"]))


def forget_user(session: Session, username: str) -> None:
    """An administrator's unlock: every count for this user name goes."""
    name = username.strip().lower()[:150]
    session.execute(
        delete(_THROTTLES).where(
            (_THROTTLES.c.key == f"user:{name}") | (_THROTTLES.c.key.like(f"pair:%|{_escaped(name)}", escape="\\"))
        )
    )


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
