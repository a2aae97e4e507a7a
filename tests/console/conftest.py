"""The console served in-process: a helpline without NLU, no channels, a lawyer's and a migrant's
HTTP clients."""

import contextlib

import httpx
import pytest

from bot.helpline import Helpline
from bot.web.app import create_app
from tests.channels.fakes import FakeLibreTranslate
from tests.servers import serving

KOREAN = "사장님이 석 달째 월급을 안 줘요"
ENGLISH = "My boss has not paid my salary for three months"
REPLY = "Do you have a written contract?"
REPLY_KO = "서면 계약서가 있으세요?"


@pytest.fixture
async def setup(content, sessions):
    helpline = Helpline(content, None, sessions)
    app = create_app(contextlib.nullcontext)
    app.state.helpline = helpline
    app.state.channels = type("NoChannels", (), {"telegram": None, "whatsapp": None})()
    transport = httpx.ASGITransport(app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://test") as lawyer,
        httpx.AsyncClient(transport=transport, base_url="http://test") as migrant,
    ):
        yield helpline, lawyer, migrant


@pytest.fixture
def engine_server():
    """A LibreTranslate server on loopback that knows the tests' Korean and English sentences."""
    engine = FakeLibreTranslate(known={("ko", "en", KOREAN): ENGLISH, ("en", "ko", REPLY): REPLY_KO})
    with serving(engine.app()) as url:
        engine.url = url
        yield engine
