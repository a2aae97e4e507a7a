"""The Rasa client against a fake Rasa on loopback: the network boundary only."""

import contextlib

import httpx
import pytest

from bot.nlu.client import MAX_PARSE_CHARS, NluError, NluUnavailable, RasaClient
from tests.fake_rasa import REFUSED_URL, rasa_serving

PARSE = {
    "text": "my visa",
    "intent": {"name": "visa_extension", "confidence": 0.91},
    "intent_ranking": [
        {"name": "visa_extension", "confidence": 0.91},
        {"name": "visa_change", "confidence": 0.05},
    ],
}


@contextlib.asynccontextmanager
async def client_for(handler):
    with rasa_serving(handler) as url:
        client = RasaClient(url)
        try:
            yield client
        finally:
            await client.aclose()


async def test_parse_reads_intent_and_ranking():
    seen = {}

    def handler(request):
        seen["path"] = request.url.path
        seen["body"] = request.read()
        return httpx.Response(200, json=PARSE)

    async with client_for(handler) as client:
        result = await client.parse("my visa")
    assert seen["path"] == "/model/parse"
    assert result.intent == "visa_extension" and result.confidence == pytest.approx(0.91)
    assert [score.name for score in result.ranking] == ["visa_extension", "visa_change"]


async def test_long_texts_are_cut_before_parsing():
    lengths = []

    def handler(request):
        import json

        lengths.append(len(json.loads(request.read())["text"]))
        return httpx.Response(200, json=PARSE)

    async with client_for(handler) as client:
        await client.parse("a" * 10_000)
    assert lengths == [MAX_PARSE_CHARS]


async def test_connection_errors_mean_unavailable():
    client = RasaClient(REFUSED_URL)  # nothing listens there
    try:
        with pytest.raises(NluUnavailable):
            await client.parse("x")
    finally:
        await client.aclose()


async def test_server_errors_mean_unavailable():
    async with client_for(lambda request: httpx.Response(503)) as client:
        with pytest.raises(NluUnavailable):
            await client.parse("x")


async def test_a_malformed_body_is_an_nlu_error():
    async with client_for(lambda request: httpx.Response(200, content=b"not json")) as client:
        with pytest.raises(NluError):
            await client.parse("x")


async def test_no_intent_means_zero_confidence():
    async with client_for(lambda r: httpx.Response(200, json={"text": "x", "intent": None})) as client:
        result = await client.parse("x")
    assert result.intent is None and result.confidence == 0.0
