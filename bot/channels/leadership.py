"""One Telegram poller among several workers: Telegram allows a bot one getUpdates caller at a
time, so the workers on one PostgreSQL elect it with an advisory lock, held on a connection of its
own. A worker that dies loses its connection, PostgreSQL frees the lock, and another worker takes
over within LEADER_RETRY_SECONDS. Nothing home-made: the lock and its release are PostgreSQL's."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable

import psycopg

log = logging.getLogger(__name__)

LEADER_RETRY_SECONDS = 5.0


def lock_key(name: str) -> int:
    """A 64-bit advisory lock id for ``name`` (a bot's token: two bots on one database poll apart)."""
    return int.from_bytes(hashlib.sha256(f"helpline-poller:{name}".encode()).digest()[:8], "big", signed=True)


async def lead_while_elected(
    dsn: str,
    key: int,
    lead: Callable[[], Awaitable[None]],
    step_down: Callable[[], Awaitable[None]],
    retry_seconds: float = LEADER_RETRY_SECONDS,
) -> None:
    """Until cancelled: wait for the lock, then ``lead``; when the lock's connection is lost (or on
    cancellation), ``step_down`` and wait for the lock again."""
    while True:
        leading = False
        try:
            async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
                while not await _try_lock(connection, key):
                    await asyncio.sleep(retry_seconds)
                leading = True
                log.info("this worker polls Telegram")
                await lead()
                while True:  # the lock lasts as long as the connection: watch it
                    await asyncio.sleep(retry_seconds)
                    await connection.execute("SELECT 1")
        except (psycopg.Error, OSError) as error:
            log.warning("Telegram poller election: lost the database connection (%s)", type(error).__name__)
        finally:
            if leading:
                await step_down()
        await asyncio.sleep(retry_seconds)


async def _try_lock(connection: psycopg.AsyncConnection, key: int) -> bool:
    row = await (await connection.execute("SELECT pg_try_advisory_lock(%s)", (key,))).fetchone()
    return bool(row and row[0])
