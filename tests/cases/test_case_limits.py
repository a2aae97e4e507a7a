"""New cases are limited per web origin and overall, so that fresh web chat sessions cannot fill the
lawyers' queue; an urgent case is never limited. Rasa is down here: commands and the safety net
need no NLU."""

import pytest
from sqlalchemy import select

from bot import privacy
from bot.cases.actions import CaseLimits
from bot.helpline import Helpline, Inbound
from bot.nlu.client import RasaClient
from bot.store.models import Case, Conversation
from tests.catalogs import catalog_text
from tests.fake_rasa import REFUSED_URL as REFUSED  # nothing listens there


@pytest.fixture
async def helpline(content, sessions):
    client = RasaClient(REFUSED, timeout=2.0)
    yield Helpline(content, client, sessions)
    await client.aclose()


def limited_text(helpline) -> str:
    return catalog_text("ui:case_limited", "en", hotline=helpline.profile.hotline)


async def ask_for_a_lawyer(helpline, sender, origin, text="/lawyer"):
    await helpline.handle(Inbound("web", sender, "/lang en", origin=origin))
    return await helpline.handle(Inbound("web", sender, text, origin=origin))


def cases_of(sessions, sender):
    with sessions() as session:
        conversation = select(Conversation.id).where(Conversation.sender == sender).scalar_subquery()
        return session.scalars(select(Case).where(Case.conversation_id == conversation)).all()


async def test_one_origin_opens_a_few_cases_then_is_told_to_try_later(helpline, sessions):
    limit = helpline.case_limits.per_origin
    for n in range(limit):
        await ask_for_a_lawyer(helpline, f"fresh-session-{n}", "origin-a")
        assert len(cases_of(sessions, f"fresh-session-{n}")) == 1
    refused = await ask_for_a_lawyer(helpline, "fresh-session-over", "origin-a")
    assert refused.text == limited_text(helpline)
    assert cases_of(sessions, "fresh-session-over") == []
    # the message itself is kept
    with sessions() as session:
        assert session.scalar(select(Conversation.id).where(Conversation.sender == "fresh-session-over")) is not None

    await ask_for_a_lawyer(helpline, "elsewhere", "origin-b")
    assert len(cases_of(sessions, "elsewhere")) == 1


async def test_an_urgent_case_is_opened_whatever_the_limits(helpline, sessions):
    for n in range(helpline.case_limits.per_origin):
        await ask_for_a_lawyer(helpline, f"fresh-{n}", "origin-a")
    reply = await ask_for_a_lawyer(
        helpline, "in-danger", "origin-a", "the boss took my passport and I cannot leave the farm"
    )
    assert reply.urgent and "102" in reply.text
    (case,) = cases_of(sessions, "in-danger")
    assert case.priority == 0


async def test_the_overall_limit_holds_for_every_channel(helpline, sessions):
    helpline.case_limits = CaseLimits(per_origin=100, overall=2)
    for n in range(2):
        await ask_for_a_lawyer(helpline, f"telegram-{n}", None)
    refused = await ask_for_a_lawyer(helpline, "telegram-over", None)
    assert refused.text == limited_text(helpline) and cases_of(sessions, "telegram-over") == []


async def test_the_origin_goes_with_the_erasure(helpline, sessions):
    await ask_for_a_lawyer(helpline, "to-erase", "origin-a")
    (case,) = cases_of(sessions, "to-erase")
    assert case.opened_from == "origin-a"
    with sessions.begin() as session:
        privacy.erase_conversation(session, case.conversation_id, "request")
    with sessions() as session:
        assert session.get(Case, case.id).opened_from is None
