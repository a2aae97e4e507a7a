"""Live updates for consoles, across workers.

A write that a console should see (a message, a case change) announces itself inside its own
transaction. On PostgreSQL that is pg_notify, delivered on commit to every worker LISTENing, so a
message received by one worker appears at once in a console connected to another. On SQLite (one
worker) the announcement goes to this process's subscribers after commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator

import psycopg
from sqlalchemy import Engine, bindparam, event, func, select
from sqlalchemy.orm import Session

from bot.store.db import libpq_url

log = logging.getLogger(__name__)

CHANNEL = "helpline_events"


_NOTIFY = select(func.pg_notify(CHANNEL, bindparam("payload")))  # built once: it runs for every message


def announce(session: Session, kind: str, conversation_id: int | None = None, case_id: int | None = None) -> None:
    """Tell every console that something changed (ids only: no chat content leaves the database)."""
    payload = json.dumps({"kind": kind, "conversation_id": conversation_id, "case_id": case_id})
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_NOTIFY, {"payload": payload})
    else:
        session.info.setdefault("announcements", []).append(payload)


@event.listens_for(Session, "after_commit")
def _publish_local(session: Session) -> None:
    for payload in session.info.pop("announcements", []):
        HUB.publish(payload)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("announcements", None)


class Hub:
    """Fans announcements out to this process's subscribers (console event streams)."""

    def __init__(self) -> None:
        self._subscribers: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[str]]] = set()

    def publish(self, payload: str) -> None:
        for loop, queue in list(self._subscribers):
            with contextlib.suppress(RuntimeError):  # the subscriber's loop has closed
                loop.call_soon_threadsafe(queue.put_nowait, payload)

    @contextlib.asynccontextmanager
    async def subscription(self) -> AsyncIterator[asyncio.Queue[str]]:
        entry = (asyncio.get_running_loop(), asyncio.Queue(maxsize=1000))
        self._subscribers.add(entry)
        try:
            yield entry[1]
        finally:
            self._subscribers.discard(entry)


HUB = Hub()


async def listen(engine: Engine) -> None:
    """Relay PostgreSQL notifications to this process's subscribers until cancelled."""
    if engine.dialect.name != "postgresql":
        return
    dsn = libpq_url(engine)
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
                await connection.execute(f"LISTEN {CHANNEL}")
                async for notification in connection.notifies():
                    HUB.publish(notification.payload)
        except psycopg.OperationalError as error:
            log.warning("event listener lost its connection (%s); reconnecting", type(error).__name__)
            await asyncio.sleep(1.0)
