"""Sending with retries: 429 and 5xx are retried with backoff, the final status is recorded, and a
send that finally fails is logged for operators and kept as 'failed' on the message."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from anyio import to_thread
from sqlalchemy.orm import Session, sessionmaker

from bot.store import actions

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BASE_DELAY = 0.5
MAX_DELAY = 30.0


class SendError(Exception):
    """A send that failed; ``retry_after`` is set when another attempt may succeed."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Sent:
    external_id: str | None


def backoff(attempt: int, retry_after: float | None) -> float:
    if retry_after is not None and retry_after > 0:
        return min(retry_after, MAX_DELAY)
    return min(BASE_DELAY * 2**attempt, MAX_DELAY)


async def deliver(
    sessions: sessionmaker[Session],
    message_id: int | None,
    channel: str,
    send: Callable[[], Awaitable[Sent]],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> bool:
    """Run ``send`` until it succeeds or fails for good; record the outcome on the message."""
    error: SendError | None = None
    for attempt in range(MAX_ATTEMPTS):
        try:
            sent = await send()
        except SendError as failure:
            error = failure
            if failure.retry_after is None:
                break
            await sleep(backoff(attempt, failure.retry_after))
            continue
        if message_id is not None:
            await to_thread.run_sync(actions.set_delivery, sessions, message_id, "sent", sent.external_id)
        return True
    log.error("%s: delivery of message %s failed for good: %s", channel, message_id, error)
    if message_id is not None:
        await to_thread.run_sync(actions.set_delivery, sessions, message_id, "failed", None, str(error))
    return False
