"""The web chat as a channel: answered in the response to the page's own request, claimed like
every other channel's messages, so that a message whose worker died before answering it is found
by a sweep, answered, and picked up by the page with its next /api/chat/updates."""

from __future__ import annotations

import datetime as dt

from anyio import to_thread

from bot.channels.base import Channel
from bot.helpline import Inbound, Reply
from bot.store import actions


class WebChat(Channel):
    name = "web"

    async def receive(self, inbound: Inbound) -> actions.Stored | None:
        """Store and claim the message; this worker renews the claim until ``answer`` ends."""
        stored = await self.helpline.receive(inbound, self.claimant)
        if stored is not None:
            self._answering.add(stored.message_id)
        return stored

    async def answer(self, inbound: Inbound, stored: actions.Stored) -> Reply | None:
        try:
            return await self.helpline.answer(inbound, stored)
        finally:
            self._answering.discard(stored.message_id)

    async def handle(self, inbound: Inbound) -> Reply | None:
        """Store, understand and answer one message (None: a redelivery, or no reply due)."""
        return await self.helpline.handle(inbound, self.claimant, self._answering)

    async def send(self, recipient: str, reply: Reply, received_at: dt.datetime | None = None) -> bool:
        """A swept reply is stored: the page fetches it with its updates (any reply with a status)."""
        if reply.message_id is not None:
            await to_thread.run_sync(actions.set_delivery, self.helpline.sessions, reply.message_id, "sent")
        return True

    async def start(self) -> None:
        self.start_sweeper()

    async def stop(self) -> None:
        await self.finish()
