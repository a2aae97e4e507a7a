"""Several Rasa servers in RASA_URL: parses take turns, a failing server is passed over while the
next one answers the same message, and only all servers down is an outage."""

from __future__ import annotations

import httpx
import pytest

from bot.nlu.client import RESTING_SECONDS, NluUnavailable, RasaClient, rasa_urls


class Servers:
    """Fake Rasa servers a, b at the HTTP boundary, each up or down."""

    def __init__(self, *down: str):
        self.down = set(down)
        self.parses: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host in self.down:
            raise httpx.ConnectError("connection refused")
        if request.url.path == "/status":
            return httpx.Response(200, json={"model_file": "nlu.tar.gz"})
        self.parses.append(host)
        return httpx.Response(200, json={"intent": {"name": f"from_{host}", "confidence": 0.9}})


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def client_for(servers: Servers, clock: Clock | None = None) -> RasaClient:
    return RasaClient("http://a:5005, http://b:5005/", transport=httpx.MockTransport(servers), clock=clock or Clock())


def test_the_list_is_read_from_rasa_url():
    assert rasa_urls(" http://a:5005/ ,http://b:5005,,http://a:5005") == ("http://a:5005", "http://b:5005")


async def test_parses_take_turns_over_the_servers():
    servers = Servers()
    client = client_for(servers)
    for _ in range(4):
        await client.parse("hello")
    assert sorted(servers.parses) == ["a", "a", "b", "b"]


async def test_a_server_down_is_passed_over_and_the_same_message_answered_by_the_next():
    servers, clock = Servers("a"), Clock()
    client = client_for(servers, clock)
    results = [await client.parse(f"message {n}") for n in range(4)]
    assert all(result.intent == "from_b" for result in results)
    servers.down.clear()
    assert (await client.parse("still resting")).intent == "from_b"  # a rests after failing
    clock.now += RESTING_SECONDS + 1
    await client.parse("one")
    await client.parse("two")
    assert servers.parses[-2:] in (["a", "b"], ["b", "a"])  # back in turn once rested


async def test_all_servers_down_is_an_outage():
    with pytest.raises(NluUnavailable):
        await client_for(Servers("a", "b")).parse("hello")


async def test_one_ready_server_is_enough_to_be_ready():
    assert await client_for(Servers("a")).status() == "ready"
    assert await client_for(Servers("a", "b")).status() == "down"
