"""Background upkeep of the queue: cases whose lawyer went silent return to the queue."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os

from anyio import to_thread
from sqlalchemy.orm import Session, sessionmaker

from bot.cases import actions as cases

log = logging.getLogger(__name__)

DEFAULT_IDLE_MINUTES = 30


def idle_limit() -> dt.timedelta:
    return dt.timedelta(minutes=int(os.environ.get("LAWYER_IDLE_MINUTES", DEFAULT_IDLE_MINUTES)))


async def keep_queue_moving(sessions: sessionmaker[Session], every: float = 60.0) -> None:
    """Runs until cancelled; safe on every worker at once (the requeue is one conditional update)."""
    while True:
        try:
            moved = await to_thread.run_sync(cases.requeue_stale, sessions, idle_limit())
            if moved:
                log.info("returned %d cases of silent lawyers to the queue", moved)
        except Exception:  # a database hiccup must not end the loop
            log.exception("queue upkeep failed; trying again")
        await asyncio.sleep(every)
