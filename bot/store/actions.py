"""Writes to the store. The inbound message is committed before anything else happens to it,
so no failure later in the pipeline can lose it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.dialogue import ConversationState
from bot.store.models import Conversation, Message, utcnow


@dataclass(frozen=True)
class Analysis:
    language: str
    detected_language: str | None
    intent: str | None
    confidence: float | None
    topic: str | None
    urgent: bool


@dataclass(frozen=True)
class Stored:
    conversation_id: int
    message_id: int
    state: ConversationState


def storable(text: str) -> str:
    # PostgreSQL text cannot hold NUL; keep everything else exactly as received
    return text.replace("\x00", "\ufffd")


def _conversation(session: Session, channel: str, sender: str) -> Conversation:
    query = select(Conversation).where(Conversation.channel == channel, Conversation.sender == sender)
    conversation = session.scalars(query).first()
    if conversation is not None:
        return conversation
    try:
        with session.begin_nested():
            conversation = Conversation(channel=channel, sender=sender)
            session.add(conversation)
        return conversation
    except IntegrityError:  # another worker created it a moment ago
        return session.scalars(query).one()


def state_of(conversation: Conversation) -> ConversationState:
    return ConversationState(
        language=conversation.language,
        language_choice=conversation.language_choice,
        urgent=conversation.urgent,
    )


def record_inbound(sessions: sessionmaker[Session], channel: str, sender: str, text: str) -> Stored:
    with sessions.begin() as session:
        conversation = _conversation(session, channel, sender)
        message = Message(
            conversation_id=conversation.id, direction="in", channel=channel,
            text=storable(text), created_at=utcnow(),
        )  # fmt: skip
        session.add(message)
        session.flush()
        return Stored(conversation.id, message.id, state_of(conversation))


def record_turn(
    sessions: sessionmaker[Session],
    stored: Stored,
    analysis: Analysis,
    reply: str,
    state: ConversationState,
    erase_history: bool = False,
) -> None:
    """Save what the bot understood, its reply and the conversation's new state, atomically."""
    with sessions.begin() as session:
        conversation = session.get(Conversation, stored.conversation_id)
        if conversation is None:
            return
        if erase_history:
            session.execute(delete(Message).where(Message.conversation_id == conversation.id))
            conversation.language_choice = state.language_choice
            conversation.language = state.language
            conversation.urgent = False
            return
        inbound = session.get(Message, stored.message_id)
        if inbound is not None:
            inbound.language = analysis.language
            inbound.detected_language = analysis.detected_language
            inbound.intent = analysis.intent
            inbound.confidence = analysis.confidence
            inbound.topic = analysis.topic
            inbound.urgent = analysis.urgent
            inbound.answered = True
        conversation.language = state.language
        conversation.language_choice = state.language_choice
        conversation.urgent = conversation.urgent or state.urgent
        conversation.updated_at = utcnow()
        session.add(
            Message(
                conversation_id=conversation.id, direction="out", channel=conversation.channel,
                text=reply, language=analysis.language, intent=analysis.intent,
                confidence=analysis.confidence, topic=analysis.topic, urgent=analysis.urgent,
                answered=True, created_at=utcnow(),
            )
        )  # fmt: skip


def transcript(sessions: sessionmaker[Session], channel: str, sender: str) -> list[Message]:
    with sessions() as session:
        query = (
            select(Message)
            .join(Conversation)
            .where(Conversation.channel == channel, Conversation.sender == sender)
            .order_by(Message.id)
        )
        return list(session.scalars(query))
