"""Messages from the console reach the migrant on their own channel."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from anyio import to_thread

from bot.cases import reading, referrals
from bot.cases.reading import CaseDetail
from bot.dialogue import Button
from bot.events import announce
from bot.helpline import ButtonView, Reply
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
    state,
    case: CaseDetail,
    context: str | None,
    text: str | None = None,
    message_id: int | None = None,
    values: dict[str, str] | None = None,
    buttons: tuple[Button, ...] = (),
) -> None:
    """Send a lawyer's words (``text``, already stored as ``message_id``) or a notice (``context``
    filled in with ``values``, stored here) to the migrant through the case's channel."""
    helpline = state.helpline
    language = case.row.language or helpline.profile.default_language
    if context is not None:
        text = helpline.text(context, language, ticket=case.row.ticket, **(values or {}))
        message_id = await to_thread.run_sync(
            _store_notice, helpline.sessions, case.conversation_id, case.row.channel, text, language
        )
    views = tuple(ButtonView(helpline.answers.text(b.label, language, {}), b.payload) for b in buttons)
    reply = Reply(text or "", views, language, None, None, None, case.row.topic, False, "lawyer", message_id=message_id)
    channel = getattr(state.channels, case.row.channel, None)
    if channel is None:  # web chat and terminal: the client fetches stored messages
        await to_thread.run_sync(actions.set_delivery, helpline.sessions, message_id, "sent")
        return
    last_inbound = await to_thread.run_sync(_last_inbound, helpline.sessions, case.conversation_id)
    await channel.send(case.sender, reply, last_inbound)


def follow_up_buttons(referral_id: int) -> tuple[Button, ...]:
    return (
        Button("ui:button_yes", f"/referral {referral_id} helped"),
        Button("ui:button_no", f"/referral {referral_id} not_helped"),
        Button("ui:button_not_contacted", f"/referral {referral_id} not_contacted"),
    )


async def send_follow_ups(state, now: dt.datetime) -> int:
    """Ask migrants whose referral is due whether they got the help; each is asked once, by one worker."""
    helpline = state.helpline
    due = await to_thread.run_sync(referrals.claim_due, helpline.sessions, now)
    for follow_up in due:
        case = await to_thread.run_sync(reading.case_detail, helpline.sessions, follow_up.case_id)
        if case is None or case.sender.startswith("erased-"):
            continue
        await tell_migrant(
            state,
            case,
            "ui:referral_follow_up",
            values={"service": follow_up.service_name},
            buttons=follow_up_buttons(follow_up.referral_id),
        )
    return len(due)


async def keep_following_up(state, every: float = 300.0) -> None:
    """Runs until cancelled; safe on every worker at once (each follow-up is claimed)."""
    while True:
        try:
            sent = await send_follow_ups(state, dt.datetime.now(dt.UTC))
            if sent:
                log.info("asked %d migrants how their referral went", sent)
        except Exception:  # a database or channel hiccup must not end the loop
            log.exception("referral follow-up failed; trying again")
        await asyncio.sleep(every)
