from __future__ import annotations

import contextlib
import json

import httpx
import pytest

from bot.channels.running import running_channels
from bot.nlu.client import RasaClient
from bot.web.app import create_app
from tests.channels.fakes import FakeBotApi, FakeGraphApi
from tests.fake_rasa import helpline_opener, rasa_serving
from tests.servers import serving

WEBHOOK_SECRET = "s3cret-token"
APP_SECRET = "app-secret"
VERIFY_TOKEN = "verify-me"

# What the fake Rasa server answers, by message text (the NLU boundary only).
INTENTS = {
    "my visa expires next week": ("visa_extension", 0.93),
    "менин визам бүтүп жатат": ("visa_extension", 0.88),
    "chủ không trả lương": ("unpaid_wages", 0.9),
    "hello": ("greet", 0.97),
}


def fake_rasa(request: httpx.Request) -> httpx.Response:
    text = json.loads(request.read())["text"]
    name, confidence = INTENTS.get(text, ("job_search", 0.9))
    return httpx.Response(200, json={"text": text, "intent": {"name": name, "confidence": confidence}})


@pytest.fixture
async def nlu(fake_rasa_url):
    """A Rasa client on fake_rasa (tests/conftest.py: fake_rasa_url), closed after the test."""
    client = RasaClient(fake_rasa_url)
    yield client
    await client.aclose()


@pytest.fixture
def fake_bot():
    api = FakeBotApi()
    with serving(api.app()) as url:
        api.url = url
        yield api


@pytest.fixture
def fake_graph():
    api = FakeGraphApi()
    with serving(api.app()) as url:
        api.url = url
        yield api


def channel_env(fake_bot=None, fake_graph=None, public_url="http://127.0.0.1:9/") -> dict:
    env = {}
    if fake_bot is not None:
        env |= {
            "TELEGRAM_BOT_TOKEN": fake_bot.token,
            "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "TELEGRAM_API_URL": f"{fake_bot.url}/bot",
        }
        if public_url:
            env["PUBLIC_URL"] = public_url
    if fake_graph is not None:
        env |= {
            "WHATSAPP_TOKEN": fake_graph.token,
            "WHATSAPP_APP_SECRET": APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": "1234567890",
            "WHATSAPP_API_URL": fake_graph.url,
        }
    return env


@contextlib.contextmanager
def helpline_server(content, sessions, env, rasa_url=None):
    """The application with its channels, served on loopback, with the real Rasa at ``rasa_url``
    or else fake_rasa; yields (url, app)."""
    with contextlib.ExitStack() as stack:
        nlu_url = rasa_url or stack.enter_context(rasa_serving(fake_rasa))

        opened = helpline_opener(content, sessions, nlu_url)
        app = create_app(opened, lambda helpline: running_channels(helpline, env))
        with serving(app, lifespan="on") as url:
            yield url, app
