"""What every channel does the same way: store before acknowledging, answer in the background,
recover what a restart left unanswered."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from anyio import to_thread

from bot.helpline import Helpline, Inbound, Reply
from bot.store import actions

log = logging.getLogger(__name__)

# A live worker answers within seconds; older unanswered messages were orphaned by a restart.
RECOVERY_AGE = dt.timedelta(seconds=30)


class Channel:
    name = "channel"

    def __init__(self, helpline: Helpline):
        self.helpline = helpline
        self._tasks: set[asyncio.Task] = set()

    async def accept(self, inbound: Inbound, before_answer: Callable[[], Awaitable[None]] | None = None) -> bool:
        """Store the message, then answer it in the background. False for a redelivery."""
        stored = await self.helpline.receive(inbound)
        if stored is None:
            log.info("%s: a message was delivered again; it is not answered twice", self.name)
            return False
        self._spawn(self._answer(inbound, stored, before_answer))
        return True

    async def _answer(
        self,
        inbound: Inbound,
        stored: actions.Stored,
        before_answer: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        try:
            if before_answer is not None:
                await before_answer()
            reply = await self.helpline.answer(inbound, stored, delivery="pending")
            if reply is not None:
                await self.send(inbound.sender, reply, stored.received_at)
        except Exception:  # the message stays stored and unanswered: recovery retries it
            log.exception("%s: answering message %s failed", self.name, stored.message_id)

    async def send(self, recipient: str, reply: Reply, received_at: dt.datetime | None = None) -> bool:
        """Deliver ``reply``; ``received_at`` is when the message it answers arrived."""
        raise NotImplementedError

    def _spawn(self, coroutine) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for the answers in flight (shutdown, tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def recover(self, older_than: dt.timedelta = RECOVERY_AGE) -> int:
        """Answer messages stored before a crash or restart but never answered."""
        cutoff = dt.datetime.now(dt.UTC) - older_than
        pending = await to_thread.run_sync(actions.unanswered, self.helpline.sessions, self.name, cutoff)
        for inbound, stored in pending:
            await self._answer(inbound, stored)
        if pending:
            log.info("%s: answered %d messages left unanswered by a restart", self.name, len(pending))
        return len(pending)
