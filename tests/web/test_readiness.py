"""/healthz says the process is up; /readyz whether it can serve a message (database and NLU),
so that a load balancer sends nothing to a worker that would answer without understanding."""

from __future__ import annotations

import contextlib

import httpx

from bot.helpline import Helpline
from bot.nlu.client import RasaClient
from bot.store.db import make_engine, session_factory
from bot.web.app import create_app


def rasa(up: bool):
    def handler(request: httpx.Request) -> httpx.Response:
        if not up:
            raise httpx.ConnectError("connection refused")
        return httpx.Response(200, json={"model_file": "models/nlu.tar.gz"})

    return RasaClient("http://rasa.test", transport=httpx.MockTransport(handler))


async def probe(content, sessions, nlu, path="/readyz") -> httpx.Response:
    app = create_app(contextlib.nullcontext)
    app.state.helpline = Helpline(content, nlu, sessions)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client:
        return await client.get(path)


async def test_ready_when_the_database_and_the_nlu_answer(content, sessions):
    response = await probe(content, sessions, rasa(up=True))
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "nlu": "ready"}


async def test_not_ready_without_the_nlu_but_still_alive(content, sessions):
    response = await probe(content, sessions, rasa(up=False))
    assert response.status_code == 503 and response.json()["nlu"] == "down"
    assert (await probe(content, sessions, rasa(up=False), "/healthz")).status_code == 200


async def test_not_ready_without_the_database(content):
    engine = make_engine("postgresql://postgres@127.0.0.1:1/helpline")  # nothing listens on port 1
    try:
        response = await probe(content, session_factory(engine), rasa(up=True))
    finally:
        engine.dispose()
    assert response.status_code == 503 and response.json()["database"] == "down"
