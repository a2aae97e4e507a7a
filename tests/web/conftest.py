"""The web app in two set-ups: with a fake Rasa behind httpx (API tests) and with the real Rasa
server (browser tests of the web chat)."""

from __future__ import annotations

import contextlib
import json

import httpx
import pytest

from bot.helpline import Helpline
from bot.nlu.client import RasaClient
from bot.web.app import create_app


def app_for(content, sessions, rasa_url):
    @contextlib.asynccontextmanager
    async def opened():
        client = RasaClient(rasa_url)
        try:
            yield Helpline(content, client, sessions)
        finally:
            await client.aclose()

    return create_app(opened)


def fake_rasa(request):
    text = json.loads(request.read())["text"]
    return httpx.Response(200, json={"text": text, "intent": {"name": "unpaid_wages", "confidence": 0.9}})


@pytest.fixture
async def client(content, sessions):
    nlu = RasaClient("http://rasa.test", transport=httpx.MockTransport(fake_rasa))
    app = create_app(contextlib.nullcontext)  # the lifespan is not run: the helpline is set here
    app.state.helpline = Helpline(content, nlu, sessions)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as test_client:
        yield test_client
