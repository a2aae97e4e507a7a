"""Messages from the console reach the migrant on their own channel."""

from __future__ import annotations

import logging

from anyio import to_thread

from bot.cases.reading import CaseDetail
from bot.events import announce
from bot.helpline import Reply
from bot.store import actions
from bot.store.models import Conversation, Message

log = logging.getLogger(__name__)


def _store_notice(sessions, conversation_id: int, channel: str, text: str, language: str | None) -> int:
    with sessions.begin() as session:
        message = Message.outbound(conversation_id, channel, text, language=language)
        session.add(message)
        session.flush()
        announce(session, "message", conversation_id=conversation_id)
        return message.id


def _last_inbound(sessions, conversation_id: int):
    with sessions() as session:
        conversation = session.get(Conversation, conversation_id)
        return conversation.last_inbound_at if conversation else None


async def tell_migrant(
    state, case: CaseDetail, context: str | None, text: str | None = None, message_id: int | None = None
) -> None:
    """Send a lawyer's words (``text``, already stored as ``message_id``) or a queue notice
    (``context``, stored here) to the migrant through the case's channel."""
    helpline = state.helpline
    language = case.row.language or helpline.profile.default_language
    if context is not None:
        text = helpline.text(context, language, ticket=case.row.ticket)
        message_id = await to_thread.run_sync(
            _store_notice, helpline.sessions, case.conversation_id, case.row.channel, text, language
        )
    reply = Reply(text or "", (), language, None, None, None, case.row.topic, False, "lawyer", message_id=message_id)
    channel = getattr(state.channels, case.row.channel, None)
    if channel is None:  # web chat and terminal: the client fetches stored messages
        await to_thread.run_sync(actions.set_delivery, helpline.sessions, message_id, "sent")
        return
    last_inbound = await to_thread.run_sync(_last_inbound, helpline.sessions, case.conversation_id)
    await channel.send(case.sender, reply, last_inbound)
