"""The database: SQLite file by default, PostgreSQL through DATABASE_URL; schema by Alembic."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")


def normalise_url(url: str) -> str:
    """Accept plain 'postgresql://' URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def default_url(state_dir: Path) -> str:
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    return f"sqlite:///{state_dir / 'helpline.db'}"


def private_sqlite_file(url: str) -> None:
    """Create the SQLite file readable by its owner only: it holds migrants' messages and phone
    numbers. SQLite gives its -wal and -shm files the main file's permissions."""
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if not path or path.startswith(":memory:") or path.startswith("file:"):
        return
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    os.chmod(path, 0o600)


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def make_engine(url: str, pool_size: int = 10) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        private_sqlite_file(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record):
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL still survives any crash of the application (what it committed is
            # in the log); only a power cut or kernel crash can undo the last commits. It saves an
            # fsync per commit, two per message. A deployment that must survive power cuts on one
            # disk runs PostgreSQL (its commits are synchronous).
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
            # SQLite's own lower() knows only ASCII: searching cases for "Зарплата" must find "зарплата",
            # as PostgreSQL's ILIKE does
            connection.create_function("lower", 1, _lower, deterministic=True)

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=20)


def libpq_url(engine: Engine) -> str:
    """The engine's PostgreSQL URL as psycopg's own connections (LISTEN, advisory locks) take it."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def newest_revision() -> str:
    """The head of the (linear) migration history: revisions are numbered like the files."""
    return max(path.name.split("_", 1)[0] for path in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def at_newest_revision(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == newest_revision()
    except SQLAlchemyError:  # a new database: no alembic_version yet
        return False


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (safe to run from every worker at start).

    A database already there is not handed to Alembic at all: every worker checks at start, and
    Alembic's modules would cost each of them some 11 MB of memory for nothing."""
    if at_newest_revision(engine):
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # workers starting together must not run the same migration twice
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(727001)")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def reachable(sessions: sessionmaker[Session]) -> bool:
    """The database answers a query (a worker's readiness)."""
    try:
        with sessions() as session:
            session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        return False
