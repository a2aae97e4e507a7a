"""What a web chat page shows: its conversation so far (after a reload) and what arrived since.

The web chat has no account: the session id its browser keeps is the conversation's only key."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.store.models import Conversation, Message


@dataclass(frozen=True)
class ChatLine:
    id: int
    who: str  # "me" (the migrant), "bot" or "lawyer"
    text: str
    urgent: bool

    def as_json(self) -> dict:
        return {"id": self.id, "who": self.who, "text": self.text, "urgent": self.urgent}


@dataclass(frozen=True)
class History:
    language: str | None
    lines: list[ChatLine]


def _who(message: Message) -> str:
    if message.direction == "in":
        return "me"
    return "lawyer" if message.lawyer_id is not None else "bot"


def _shown(message: Message) -> str:
    """A file the migrant sent shows as a clip and its kind, with its caption if it had one."""
    if not message.media_type:
        return message.text
    return f"📎 {message.media_type}" + (f"\n{message.text}" if message.text else "")


def history(sessions: sessionmaker[Session], session_id: str) -> History:
    """The whole conversation in order: what /delete or retention erased is gone from here too."""
    with sessions() as db:
        conversation = db.scalar(
            select(Conversation).where(Conversation.channel == "web", Conversation.sender == session_id)
        )
        if conversation is None:
            return History(None, [])
        messages = db.scalars(select(Message).where(Message.conversation_id == conversation.id).order_by(Message.id))
        lines = [
            ChatLine(m.id, _who(m), _shown(m), m.direction == "out" and m.urgent)
            for m in messages
            if m.text or m.media_type
        ]
        return History(conversation.language, lines)


def updates(sessions: sessionmaker[Session], session_id: str, after: int) -> list[ChatLine]:
    """Messages a lawyer (or the queue) sent since ``after``, and the bot's replies to messages
    a sweep recovered after their worker died. The bot's other replies were in the responses to
    the page's requests (stored without a delivery status), and are not sent twice."""
    with sessions() as db:
        rows = db.scalars(
            select(Message)
            .join(Conversation)
            .where(
                Conversation.channel == "web",
                Conversation.sender == session_id,
                Message.direction == "out",
                Message.id > after,
                Message.status.is_not(None),
            )
            .order_by(Message.id)
        )
        return [ChatLine(m.id, _who(m), m.text, m.urgent) for m in rows]


@dataclass(frozen=True)
class Earlier:
    """A message the page sends again (its response was lost): whether it was answered, and how."""

    answered: bool
    reply: Message | None  # the bot's reply, when there was one


def external_id(session_id: str, client_id: str) -> str:
    """A page's id for a message is its own: two sessions may well use the same one."""
    return f"{session_id}:{client_id}"


def earlier(sessions: sessionmaker[Session], message_external_id: str) -> Earlier | None:
    """The message a page sent before under this id, and the bot's reply to it: the bot's first
    message after it and before the migrant's next one."""
    with sessions() as db:
        inbound = db.scalar(
            select(Message).where(
                Message.channel == "web", Message.direction == "in", Message.external_id == message_external_id
            )
        )
        if inbound is None:
            return None
        if not inbound.answered:
            return Earlier(False, None)
        following = select(Message).where(Message.conversation_id == inbound.conversation_id, Message.id > inbound.id)
        next_inbound = db.scalar(
            following.with_only_columns(Message.id).where(Message.direction == "in").order_by(Message.id).limit(1)
        )
        reply = db.scalar(
            following.where(
                Message.direction == "out",
                Message.lawyer_id.is_(None),
                *([Message.id < next_inbound] if next_inbound is not None else []),
            )
            .order_by(Message.id)
            .limit(1)
        )
        return Earlier(True, reply)
