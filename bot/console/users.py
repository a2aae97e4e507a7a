"""Console users: argon2id password hashes, roles, login throttled after repeated failures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.console import throttle
from bot.store.models import Lawyer, utcnow

ROLES = ("lawyer", "supervisor", "editor", "admin")
MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()


class UserError(ValueError):
    pass


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    name: str
    role: str
    languages: tuple[str, ...]
    topics: tuple[str, ...]
    session_version: int = 0
    organization: str | None = None  # None: the profile's first organisation
    reads: tuple[str, ...] = ()  # languages the user reads; machine translations go into the first
    console_language: str = "en"  # the console's interface language

    @property
    def reading_language(self) -> str:
        return self.reads[0] if self.reads else "en"


def _account(lawyer: Lawyer) -> Account:
    return Account(
        lawyer.id,
        lawyer.username,
        lawyer.name,
        lawyer.role,
        tuple(code for code in lawyer.languages.split(",") if code),
        tuple(topic for topic in lawyer.topics.split(",") if topic),
        lawyer.session_version,
        lawyer.organization,
        tuple(code for code in (lawyer.reads or "").split(",") if code),
        lawyer.console_language or "en",
    )


def create_user(
    sessions: sessionmaker[Session],
    username: str,
    name: str,
    role: str,
    password: str,
    languages: Iterable[str],
    topics: Iterable[str],
    organization: str | None = None,
    reads: Iterable[str] = (),
) -> int:
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    with sessions.begin() as session:
        if session.scalar(select(Lawyer.id).where(Lawyer.username == username)):
            raise UserError(f"a user named {username!r} exists already")
        lawyer = Lawyer(
            username=username,
            name=name,
            role=role,
            password_hash=_hasher.hash(password),
            languages=",".join(languages),
            topics=",".join(topics),
            organization=organization,
            reads=",".join(reads),
            created_at=utcnow(),
        )
        session.add(lawyer)
        session.flush()
        return lawyer.id


def set_languages(
    sessions: sessionmaker[Session], user_id: int, codes: Iterable[str], console_language: str | None = None
) -> None:
    """The languages the user reads (the first is the one translations are made into), and the
    console's own language."""
    with sessions.begin() as session:
        lawyer = session.get(Lawyer, user_id)
        if lawyer is not None:
            lawyer.reads = ",".join(dict.fromkeys(codes))[:128]
            if console_language:
                lawyer.console_language = console_language


class LoginRefused(Exception):
    """A refused login; ``retry_after`` when too many failures came first (the password was not
    even checked)."""

    def __init__(self, retry_after: dt.timedelta | None = None):
        self.retry_after = retry_after

    @property
    def throttled(self) -> bool:
        return self.retry_after is not None


def authenticate(sessions: sessionmaker[Session], username: str, password: str, address: str = "local") -> Account:
    """The account for a correct password; LoginRefused otherwise (the same for unknown users).

    ``address`` is the client's: failures are counted per address, user name and both
    (bot/console/throttle.py), committed before refusing, and a throttled attempt is refused
    before any password is checked."""
    now = utcnow()
    wait = throttle.waiting(sessions, address, username, now)
    if wait is not None:
        raise LoginRefused(retry_after=wait)
    result: Account | None = None
    with sessions.begin() as session:
        lawyer = session.scalars(select(Lawyer).where(Lawyer.username == username)).first()
        if lawyer is None:
            _hasher.hash(password)  # the same work as a real check: no user enumeration by timing
        else:
            try:
                _hasher.verify(lawyer.password_hash, password)
            except (VerificationError, InvalidHashError):
                pass
            else:
                if _hasher.check_needs_rehash(lawyer.password_hash):
                    lawyer.password_hash = _hasher.hash(password)
                result = _account(lawyer)
        if result is None:
            throttle.failed(session, address, username, now)
        else:
            throttle.succeeded(session, address, username)
    if result is None:
        raise LoginRefused()
    return result


def account(sessions: sessionmaker[Session], lawyer_id: int) -> Account | None:
    with sessions() as session:
        lawyer = session.get(Lawyer, lawyer_id)
        return _account(lawyer) if lawyer else None


def revoke_sessions(sessions: sessionmaker[Session], lawyer_id: int) -> None:
    """Every console cookie this user holds stops working (logout, or a suspected theft)."""
    with sessions.begin() as session:
        session.execute(update(Lawyer).where(Lawyer.id == lawyer_id).values(session_version=Lawyer.session_version + 1))


def unlock(sessions: sessionmaker[Session], username: str) -> bool:
    """Lift the login throttling of a user name and end the user's sessions (the guesser may have
    had the password); False if unknown."""
    with sessions.begin() as session:
        throttle.forget_user(session, username)
        changed = session.execute(
            update(Lawyer).where(Lawyer.username == username).values(session_version=Lawyer.session_version + 1)
        )
        return bool(changed.rowcount)
