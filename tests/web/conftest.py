"""The application with the real Rasa server behind it, for browser tests of the web chat."""

from __future__ import annotations

import contextlib

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
