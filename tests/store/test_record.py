"""record_inbound and record_turn write the same rows on both databases (PostgreSQL takes one
statement for each, SQLite several)."""

import pytest
from sqlalchemy import select

from bot.cases.actions import open_case_in
from bot.dialogue import ConversationState
from bot.events import HUB
from bot.store import actions
from bot.store.models import Conversation, Message


async def test_an_inbound_message_and_its_turn_are_stored_whole(sessions):
    received = actions.Received("web", "session-r", "my visa expires", external_id="web:session-r:1")
    stored = actions.record_inbound(sessions, received, "worker-1", open_case_in)
    again = actions.record_inbound(sessions, actions.Received("web", "session-r", "and then?"), None, open_case_in)
    assert again.conversation_id == stored.conversation_id and again.arrival.recent_inbound == 2
    assert stored.arrival.case is None and stored.arrival.recent_inbound == 1

    analysis = actions.Analysis(
        language="en", detected_language="en", intent="visa_extension", confidence=None, topic="visa", urgent=True
    )
    state = ConversationState(language="en", country="RU", region="Moscow", country_asked=True, urgent=True)
    reply_id = actions.record_turn(sessions, stored, analysis, "Your visa ...", state, False, "pending", "worker-1")

    with sessions() as session:
        conversation = session.get(Conversation, stored.conversation_id)
        inbound, reply = session.get(Message, stored.message_id), session.get(Message, reply_id)
        assert (conversation.language, conversation.country, conversation.region) == ("en", "RU", "Moscow")
        assert conversation.country_asked and conversation.urgent and conversation.last_inbound_at is not None
        assert (inbound.direction, inbound.text, inbound.external_id, inbound.claimed_by) == (
            "in", "my visa expires", "web:session-r:1", "worker-1"
        )  # fmt: skip
        assert inbound.answered and (inbound.intent, inbound.detected_language, inbound.urgent) == (
            "visa_extension", "en", True
        )  # fmt: skip
        assert (reply.direction, reply.channel, reply.text, reply.status, reply.claimed_by) == (
            "out", "web", "Your visa ...", "pending", "worker-1"
        )  # fmt: skip
        assert reply.answered and reply.intent == "visa_extension" and reply.confidence is None and reply.urgent

    # a later turn that is not urgent leaves the conversation urgent: a lawyer decides that
    calm = actions.Analysis(
        language="en", detected_language="en", intent="greet", confidence=0.9, topic=None, urgent=False
    )
    actions.record_turn(sessions, again, calm, "Hello", ConversationState(language="en"), False, None, None)
    with sessions() as session:
        assert session.scalar(select(Conversation.urgent).where(Conversation.id == stored.conversation_id))


async def test_a_redelivery_is_recognised(sessions):
    received = actions.Received("telegram", "42", "hi", external_id="update-1")
    assert actions.record_inbound(sessions, received) is not None
    assert actions.record_inbound(sessions, received) is None


async def test_storing_announces_the_conversation_to_consoles(sessions, engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's pg_notify reaches LISTENing workers: tests/console/test_two_workers.py")
    async with HUB.subscription() as queue:
        stored = actions.record_inbound(sessions, actions.Received("web", "session-n", "hello"))
        assert f'"conversation_id": {stored.conversation_id}' in await queue.get()
