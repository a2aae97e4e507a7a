"""The console served in-process: a helpline without NLU, no channels, a lawyer's and a migrant's
HTTP clients."""

import contextlib

import httpx
import pytest

from bot.helpline import Helpline
from bot.web.app import create_app


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
