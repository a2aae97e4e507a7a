"""The Rasa client against httpx's MockTransport: the network boundary only."""

import httpx
import pytest

from bot.nlu.client import MAX_PARSE_CHARS, NluError, NluUnavailable, RasaClient

PARSE = {
    "text": "my visa",
    "intent": {"name": "visa_extension", "confidence": 0.91},
    "intent_ranking": [
        {"name": "visa_extension", "confidence": 0.91},
        {"name": "visa_change", "confidence": 0.05},
    ],
}


def client_for(handler):
    return RasaClient("http://rasa.test", transport=httpx.MockTransport(handler))


async def test_parse_reads_intent_and_ranking():
    seen = {}

    def handler(request):
        seen["path"] = request.url.path
        seen["body"] = request.read()
        return httpx.Response(200, json=PARSE)

    result = await client_for(handler).parse("my visa")
    assert seen["path"] == "/model/parse"
    assert result.intent == "visa_extension" and result.confidence == pytest.approx(0.91)
    assert [score.name for score in result.ranking] == ["visa_extension", "visa_change"]


async def test_long_texts_are_cut_before_parsing():
    lengths = []

    def handler(request):
        import json

        lengths.append(len(json.loads(request.read())["text"]))
        return httpx.Response(200, json=PARSE)

    await client_for(handler).parse("a" * 10_000)
    assert lengths == [MAX_PARSE_CHARS]


async def test_connection_errors_mean_unavailable():
    def handler(request):
        raise httpx.ConnectError("refused")

    with pytest.raises(NluUnavailable):
        await client_for(handler).parse("x")


async def test_server_errors_mean_unavailable():
    with pytest.raises(NluUnavailable):
        await client_for(lambda request: httpx.Response(503)).parse("x")


async def test_a_malformed_body_is_an_nlu_error():
    with pytest.raises(NluError):
        await client_for(lambda request: httpx.Response(200, content=b"not json")).parse("x")


async def test_no_intent_means_zero_confidence():
    result = await client_for(lambda r: httpx.Response(200, json={"text": "x", "intent": None})).parse("x")
    assert result.intent is None and result.confidence == 0.0
