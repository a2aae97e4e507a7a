"""/healthz says the process is up; /readyz whether it can serve a message (database and NLU),
so that a load balancer sends nothing to a worker that would answer without understanding."""

from __future__ import annotations

import contextlib

import httpx
import pytest

from bot.helpline import Helpline
from bot.nlu.client import RasaClient
from bot.store.db import make_engine, session_factory
from bot.web.app import create_app
from tests.fake_rasa import REFUSED_URL, rasa_serving


def model_loaded(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"model_file": "models/nlu.tar.gz"})


@pytest.fixture(scope="module")
def rasa_up():
    """A Rasa with its model loaded; Rasa down is REFUSED_URL, where nothing listens."""
    with rasa_serving(model_loaded) as url:
        yield url


async def probe(content, sessions, rasa_url, path="/readyz") -> httpx.Response:
    nlu = RasaClient(rasa_url)
    app = create_app(contextlib.nullcontext)
    app.state.helpline = Helpline(content, nlu, sessions)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client:
            return await client.get(path)
    finally:
        await nlu.aclose()


async def test_ready_when_the_database_and_the_nlu_answer(content, sessions, rasa_up):
    response = await probe(content, sessions, rasa_up)
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "nlu": "ready"}


async def test_not_ready_without_the_nlu_but_still_alive(content, sessions):
    response = await probe(content, sessions, REFUSED_URL)
    assert response.status_code == 503 and response.json()["nlu"] == "down"
    assert (await probe(content, sessions, REFUSED_URL, "/healthz")).status_code == 200


async def test_not_ready_without_the_database(content, rasa_up):
    engine = make_engine("postgresql://postgres@127.0.0.1:1/helpline")  # nothing listens on port 1
    try:
        response = await probe(content, session_factory(engine), rasa_up)
    finally:
        engine.dispose()
    assert response.status_code == 503 and response.json()["database"] == "down"
