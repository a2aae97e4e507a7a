"""What every channel does the same way: store before acknowledging, answer in the background,
and sweep continuously for messages a dead worker left unanswered.

Every inbound message is claimed by the worker answering it: the live path claims it when storing
it, and renews the claim while it works; the sweeper takes only messages with no claim or an
expired one, so two workers never answer the same message and an orphan waits at most one lease."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import Awaitable, Callable

from anyio import to_thread

from bot.helpline import Helpline, Inbound, Reply
from bot.store import actions

log = logging.getLogger(__name__)

# How often the sweeper looks for orphans and renews this worker's claims: well inside the lease.
SWEEP_INTERVAL = actions.CLAIM_LEASE.total_seconds() / 4
# How long a stopping worker lets the answers it has begun finish before handing the rest back.
DRAIN_SECONDS = 10.0


class Channel:
    name = "channel"

    def __init__(self, helpline: Helpline):
        self.helpline = helpline
        self._tasks: set[asyncio.Task] = set()
        self.claimant = uuid.uuid4().hex  # this worker, in the claims it holds
        self._answering: set[int] = set()  # message ids whose claims this worker renews
        self._sweeper: asyncio.Task | None = None

    async def accept(self, inbound: Inbound, before_answer: Callable[[], Awaitable[None]] | None = None) -> bool:
        """Store the message, then answer it in the background. False for a redelivery."""
        stored = await self.helpline.receive(inbound, self.claimant)
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
        self._answering.add(stored.message_id)
        try:
            if before_answer is not None:
                await before_answer()
            reply = await self.helpline.answer(inbound, stored, delivery="pending", claimant=self.claimant)
            if reply is not None:
                await self._deliver(inbound.sender, reply, stored.received_at)
        except Exception:  # the message stays stored and unanswered: its claim lapses and a sweep retries it
            log.exception("%s: answering message %s failed", self.name, stored.message_id)
        finally:
            self._answering.discard(stored.message_id)

    async def _deliver(self, recipient: str, reply: Reply, received_at: dt.datetime | None) -> None:
        """Send a stored reply, keeping its claim while sending (retries may take a while)."""
        if reply.message_id is not None:
            self._answering.add(reply.message_id)
        try:
            await self.send(recipient, reply, received_at)
        finally:
            self._answering.discard(reply.message_id)

    async def send(self, recipient: str, reply: Reply, received_at: dt.datetime | None = None) -> bool:
        """Deliver ``reply``; ``received_at`` is when the message it answers arrived."""
        raise NotImplementedError

    def _spawn(self, coroutine) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float | None = None) -> None:
        """Wait for the answers in flight (shutdown, tests); after ``timeout`` seconds the rest
        are cancelled (their messages stay stored and unanswered, for ``hand_back``)."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while self._tasks:
            remaining = None if deadline is None else max(0.0, deadline - loop.time())
            _done, pending = await asyncio.wait(list(self._tasks), timeout=remaining)
            if pending and deadline is not None and loop.time() >= deadline:
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
                log.warning("%s: %d answers did not finish in time; handed back", self.name, len(pending))
                return

    async def hand_back(self) -> int:
        """Give up this worker's claims on messages it has not answered, so that another worker's
        next sweep answers them at once instead of after the lease."""
        released = await to_thread.run_sync(actions.release_claims, self.helpline.sessions, self.claimant)
        if released:
            log.info("%s: handed %d unanswered messages back to the other workers", self.name, released)
        return released

    async def finish(self) -> None:
        """A graceful stop: no more sweeps, the answers begun finish (or are cancelled), the rest go back."""
        await self.stop_sweeper()
        await self.drain(DRAIN_SECONDS)
        await self.hand_back()

    async def recover(self) -> int:
        """One sweep: claim and answer messages nobody is answering (their worker died)."""
        sessions = self.helpline.sessions
        await to_thread.run_sync(actions.renew_claims, sessions, self.claimant, sorted(self._answering))
        pending = await to_thread.run_sync(actions.claim_unanswered, sessions, self.name, self.claimant)
        for inbound, stored in pending:
            await self._answer(inbound, stored)
        if pending:
            log.info("%s: answered %d messages another worker left unanswered", self.name, len(pending))
        undelivered = await to_thread.run_sync(actions.claim_undelivered, sessions, self.name, self.claimant)
        for stored_reply in undelivered:
            reply = Reply(
                text=stored_reply.text,
                buttons=(),  # not stored: the words matter, and every command can be typed
                language=stored_reply.language or self.helpline.profile.default_language,
                detected_language=None,
                intent=None,
                confidence=None,
                topic=stored_reply.topic,
                urgent=stored_reply.urgent,
                action="redelivered",
                message_id=stored_reply.message_id,
            )
            await self._deliver(stored_reply.recipient, reply, stored_reply.last_inbound_at)
        if undelivered:
            log.info("%s: delivered %d replies another worker stored but never sent", self.name, len(undelivered))
        return len(pending) + len(undelivered)

    async def _sweep(self, interval: float) -> None:
        while True:
            try:
                await self.recover()
            except Exception:  # a database hiccup: the next sweep tries again
                log.exception("%s: sweeping for unanswered messages failed", self.name)
            await asyncio.sleep(interval)

    def start_sweeper(self, interval: float = SWEEP_INTERVAL) -> None:
        """Sweep for orphans while the channel runs (started by ``start``)."""
        if self._sweeper is None:
            self._sweeper = asyncio.create_task(self._sweep(interval))

    async def stop_sweeper(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
