"""A real uvicorn server on loopback, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import uvicorn

from bot.helpline import Helpline
from bot.nlu.client import RasaClient
from bot.nlu.server import free_port
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


@contextlib.contextmanager
def serving(app) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("web server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
