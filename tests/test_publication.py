"""Publishing without downtime: a running helpline follows a new model and new catalogs."""

import asyncio
import json

import httpx
import pytest
from babel.messages.pofile import read_po, write_po

from bot.helpline import Content, Helpline, Inbound
from bot.nlu.client import RasaClient
from bot.nlu.publishing import publish
from bot.paths import Paths
from bot.publication import follow_publications
from tests.copies import copy_content
from tests.fake_rasa import rasa_serving


def copy_of(paths: Paths, root) -> Paths:
    copy = copy_content(paths, root)
    copy.models.mkdir(parents=True)
    return copy


def retranslate(paths: Paths, language: str, context: str, text: str) -> None:
    path = paths.locales / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.context == context:
            message.string = text
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0)


@pytest.fixture
async def rasa():
    """A fake Rasa that understands "thanks" and records the models it is told to load: its URL, a
    client on it (closed after the test), and the models loaded."""
    loads = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            loads.append(json.loads(request.read())["model_file"])
            return httpx.Response(204)
        text = json.loads(request.read())["text"]
        return httpx.Response(200, json={"text": text, "intent": {"name": "thanks", "confidence": 0.99}})

    with rasa_serving(handler) as url:
        client = RasaClient(url)
        yield url, client, loads
        await client.aclose()


async def test_a_running_helpline_follows_the_published_model_and_catalogs(
    paths, sessions, tmp_path, monkeypatch, rasa
):
    rasa_url, nlu, loads = rasa
    monkeypatch.delenv("HELPLINE_PROFILE", raising=False)
    copy = copy_of(paths, tmp_path)
    helpline = Helpline(Content.load(copy), nlu, sessions)
    old = helpline.text("answer:thanks", "ky")
    follower = asyncio.create_task(follow_publications(helpline, copy, rasa_url, every=0.05))
    replies = []

    async def migrants():
        for n in range(60):
            reply = await helpline.handle(Inbound("web", f"pub-{n}", "рахмат сизге чоң"))
            replies.append(reply.text)
            await asyncio.sleep(0.01)

    try:
        await asyncio.sleep(0.2)  # the follower has seen the current publication
        flowing = asyncio.create_task(migrants())
        await asyncio.sleep(0.1)
        model = copy.models / "nlu-new.tar.gz"
        model.write_bytes(b"model")
        publish(copy, model, {})
        retranslate(copy, "ky", "answer:thanks", "Рахмат! Дагы суроо болсо, жазыңыз.")
        await flowing
        # loading content (the language detector's profiles above all) takes seconds on a busy machine
        for _ in range(1200):
            if loads and helpline.answers.raw("answer:thanks", "ky").startswith("Рахмат! Дагы"):
                break
            await asyncio.sleep(0.05)
    finally:
        follower.cancel()
        await asyncio.gather(follower, return_exceptions=True)
    assert loads == [str(model)]
    assert helpline.answers.raw("answer:thanks", "ky") == "Рахмат! Дагы суроо болсо, жазыңыз."
    # every message during the switch was answered, each by the old or the new catalog
    assert len(replies) == 60
    assert all(text in (old, "Рахмат! Дагы суроо болсо, жазыңыз.") for text in replies)


async def test_a_model_reaches_every_rasa_server_even_when_one_fails(tmp_path):
    import httpx
    import pytest

    from bot.publication import load_model

    loaded = []

    def servers(request: httpx.Request) -> httpx.Response:
        if request.url.host == "down":
            raise httpx.ConnectError("connection refused")
        loaded.append(request.url.host)
        return httpx.Response(204)

    client = httpx.AsyncClient(transport=httpx.MockTransport(servers))
    with pytest.raises(httpx.ConnectError):
        await load_model("http://down:5005,http://up:5005", tmp_path / "nlu.tar.gz", client)
    assert loaded == ["up"]
