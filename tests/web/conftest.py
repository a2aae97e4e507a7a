"""The web app in two set-ups: with a fake Rasa on loopback (API tests, tests/fake_rasa.py) and with
the real Rasa server (browser tests of the web chat)."""

from __future__ import annotations

import contextlib
import json

import httpx
import pytest

from bot.helpline import Helpline
from bot.nlu.client import RasaClient
from bot.web.app import create_app
from tests.fake_rasa import helpline_opener, rasa_serving


def app_for(content, sessions, rasa_url):
    return create_app(helpline_opener(content, sessions, rasa_url))


def fake_rasa(request):
    text = json.loads(request.read())["text"]
    return httpx.Response(200, json={"text": text, "intent": {"name": "unpaid_wages", "confidence": 0.9}})


@pytest.fixture(scope="session")
def web_fake_rasa_url():
    """fake_rasa above on loopback: stateless, shared by the whole run."""
    with rasa_serving(fake_rasa) as url:
        yield url


@pytest.fixture
async def client(content, sessions, web_fake_rasa_url):
    nlu = RasaClient(web_fake_rasa_url)
    app = create_app(contextlib.nullcontext)  # the lifespan is not run: the helpline is set here
    app.state.helpline = Helpline(content, nlu, sessions)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as test_client:
            yield test_client
    finally:
        await nlu.aclose()
