"""Machine translation beside the original, through a fake LibreTranslate server on loopback, on
SQLite and PostgreSQL: a Korean message read in English, an English reply sent in Korean with both
kept, the engine down never blocking a reply, and the feature off without TRANSLATION_URL."""

import contextlib
import re

import httpx
from sqlalchemy import select

from bot.console.users import create_user
from bot.helpline import Helpline, Inbound
from bot.store.models import Message
from bot.translation import Translator
from bot.web.app import create_app
from tests.catalogs import catalog_text
from tests.console.conftest import ENGLISH, KOREAN, REPLY, REPLY_KO
from tests.console.test_views import PASSWORD, csrf_of, log_in


@contextlib.asynccontextmanager
async def console(content, sessions, engine=None):
    helpline = Helpline(content, None, sessions)
    app = create_app(contextlib.nullcontext)
    app.state.helpline = helpline
    app.state.channels = type("NoChannels", (), {"telegram": None, "whatsapp": None})()
    app.state.translator = Translator(engine.url) if engine else None
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client:
        yield helpline, client
    if app.state.translator:
        await app.state.translator.aclose()


async def korean_case(helpline, client, sessions) -> str:
    await helpline.handle(Inbound("web", "ko-session-1", KOREAN))
    await helpline.handle(Inbound("web", "ko-session-1", "/lawyer"))
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    await log_in(client)
    queue = await client.get("/console")
    return (await client.post("/console/take-next", data={"csrf": csrf_of(queue.text)})).headers["location"]


async def test_a_korean_message_is_shown_with_its_english_translation_once_translated(content, sessions, engine_server):
    async with console(content, sessions, engine_server) as (helpline, client):
        url = await korean_case(helpline, client, sessions)
        page = (await client.get(url)).text
        assert KOREAN in page and ENGLISH in page
        assert page.index(KOREAN) < page.index(ENGLISH)  # under the original
        translated_before = len(engine_server.requests)
        assert ENGLISH in (await client.get(url)).text
        assert len(engine_server.requests) == translated_before  # kept, not asked again
        assert engine_server.requests[0]["source"] == "ko" and engine_server.requests[0]["target"] == "en"


async def test_an_english_reply_is_sent_in_korean_and_the_case_keeps_both(content, sessions, engine_server):
    async with console(content, sessions, engine_server) as (helpline, client):
        url = await korean_case(helpline, client, sessions)
        page = (await client.get(url)).text
        draft = await client.post(f"{url}/translate", data={"csrf": csrf_of(page), "text": REPLY})
        assert draft.status_code == 200 and draft.json()["translation"] == REPLY_KO
        await client.post(f"{url}/reply", data={"csrf": csrf_of(page), "text": REPLY_KO, "written_as": REPLY})
    with sessions() as db:
        sent = db.scalars(select(Message).where(Message.lawyer_id.is_not(None))).one()
    assert sent.text == f"{catalog_text('ui:lawyer_says', 'ko', name='Aida')}\n{REPLY_KO}"
    assert sent.written_as == REPLY


async def test_with_the_engine_down_translation_is_unavailable_and_the_reply_still_goes(
    content, sessions, engine_server
):
    engine_server.down = True
    async with console(content, sessions, engine_server) as (helpline, client):
        url = await korean_case(helpline, client, sessions)
        page = (await client.get(url)).text
        assert "translation unavailable" in page and KOREAN in page
        draft = await client.post(f"{url}/translate", data={"csrf": csrf_of(page), "text": REPLY})
        assert draft.status_code == 503 and "unavailable" in draft.json()["error"]
        sent = await client.post(f"{url}/reply", data={"csrf": csrf_of(page), "text": REPLY})
        assert sent.status_code == 303
        engine_server.down = False
        assert ENGLISH in (await client.get(url)).text  # a failure is not kept: the next view translates
    with sessions() as db:
        assert REPLY in db.scalars(select(Message.text).where(Message.lawyer_id.is_not(None))).one()


async def test_without_translation_url_the_console_says_it_is_off(content, sessions):
    async with console(content, sessions) as (helpline, client):
        url = await korean_case(helpline, client, sessions)
        page = (await client.get(url)).text
        assert 'id="translation-off"' in page and "TRANSLATION_URL" in page
        draft = await client.post(f"{url}/translate", data={"csrf": csrf_of(page), "text": REPLY})
        assert draft.status_code == 409


async def test_a_lawyer_who_reads_korean_gets_no_translation(content, sessions, engine_server):
    async with console(content, sessions, engine_server) as (helpline, client):
        url = await korean_case(helpline, client, sessions)
        settings = await client.get("/console/me")
        saved = await client.post("/console/me", data={"csrf": csrf_of(settings.text), "first": "en", "reads": "ko"})
        assert saved.headers["location"] == "/console/me?saved=1"
        assert re.search(r'value="ko" checked', (await client.get("/console/me")).text)
        assert ENGLISH not in (await client.get(url)).text
        assert engine_server.requests == []
