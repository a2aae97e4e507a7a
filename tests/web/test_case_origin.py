"""Over HTTP: the web chat's client address, kept only as a keyed hash, limits how many new cases
one origin opens from fresh sessions."""

import contextlib
import uuid

import httpx
from sqlalchemy import func, select

from bot.helpline import Helpline
from bot.nlu.client import RasaClient
from bot.store.models import Case
from bot.web.app import create_app
from tests.catalogs import catalog_text
from tests.fake_rasa import REFUSED_URL as REFUSED  # Rasa down: "/lawyer" needs no NLU


def client_at(app, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def ask_for_a_lawyer(client) -> dict:
    session = uuid.uuid4().hex  # a fresh session each time, as a flood would use
    await client.post("/api/chat", json={"session": session, "text": "/lang en"})
    response = await client.post("/api/chat", json={"session": session, "text": "/lawyer"})
    assert response.status_code == 200
    return response.json()


async def test_fresh_sessions_from_one_address_cannot_fill_the_queue(content, sessions):
    nlu = RasaClient(REFUSED, timeout=2.0)
    app = create_app(contextlib.nullcontext)
    app.state.helpline = helpline = Helpline(content, nlu, sessions)
    limit = helpline.case_limits.per_origin
    try:
        async with client_at(app, "203.0.113.7") as flooder, client_at(app, "198.51.100.20") as migrant:
            for _ in range(limit):
                await ask_for_a_lawyer(flooder)
            refused = await ask_for_a_lawyer(flooder)
            assert refused["reply"] == catalog_text("ui:case_limited", "en", hotline=helpline.profile.hotline)
            await ask_for_a_lawyer(migrant)
    finally:
        await nlu.aclose()
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == limit + 1
        origins = session.scalars(select(Case.opened_from).distinct()).all()
    assert len(origins) == 2 and not any("203.0.113" in origin or "198.51" in origin for origin in origins)
