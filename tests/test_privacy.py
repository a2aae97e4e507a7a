"""Erasure: on request, after an open case closes, and after the retention period."""

import datetime as dt

from sqlalchemy import select, update

from bot import privacy
from bot.cases import actions as cases
from bot.console.users import create_user
from bot.helpline import Helpline, Inbound
from bot.store.actions import transcript
from bot.store.models import Conversation


async def test_delete_with_an_open_case_waits_for_the_case_to_close(content, sessions):
    helpline = Helpline(content, None, sessions)
    await helpline.handle(Inbound("web", "p-1", "/lawyer"))
    reply = await helpline.handle(Inbound("web", "p-1", "/delete"))
    assert "1899-" in reply.text
    assert len(transcript(sessions, "web", "p-1")) == 4  # kept for the lawyer
    lawyer = create_user(sessions, "aida", "Aida", "lawyer", "correct horse battery", [], [])
    case_id = cases.claim_next(sessions, lawyer)
    with sessions() as session:
        conversation_id = session.scalar(select(Conversation.id).where(Conversation.sender == "p-1"))
    cases.close(sessions, case_id, lawyer, "advice_given")
    assert privacy.erase_if_requested(sessions, conversation_id)
    assert transcript(sessions, "web", "p-1") == []
    assert transcript(sessions, "web", f"erased-{conversation_id}") == []


async def test_delete_without_a_case_erases_at_once(content, sessions):
    helpline = Helpline(content, None, sessions)
    await helpline.handle(Inbound("web", "p-2", "my boss does not pay"))
    await helpline.handle(Inbound("web", "p-2", "/delete"))
    assert transcript(sessions, "web", "p-2") == []


async def test_retention_erases_quiet_conversations_but_not_open_cases(content, sessions):
    helpline = Helpline(content, None, sessions)
    await helpline.handle(Inbound("web", "old", "hello"))
    await helpline.handle(Inbound("web", "old-with-case", "/lawyer"))
    await helpline.handle(Inbound("web", "recent", "hello"))
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    with sessions.begin() as session:
        session.execute(
            update(Conversation).where(Conversation.sender.in_(["old", "old-with-case"])).values(updated_at=long_ago)
        )
    assert privacy.purge(sessions, dt.timedelta(days=180)) == 1
    assert transcript(sessions, "web", "old") == []
    assert transcript(sessions, "web", "old-with-case") and transcript(sessions, "web", "recent")
