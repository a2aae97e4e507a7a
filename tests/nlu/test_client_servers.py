"""Several Rasa servers in RASA_URL: parses take turns, a failing server is passed over while the
next one answers the same message, and only all servers down is an outage."""

from __future__ import annotations

import contextlib

import httpx
import pytest

from bot.nlu.client import RESTING_SECONDS, NluUnavailable, RasaClient, rasa_urls
from bot.nlu.server import free_port
from tests.fake_rasa import rasa_serving

NAMES = ("a", "b")


class Servers:
    """Fake Rasa servers a, b on loopback, each on its own port, each up or down: a server down is
    not listening (connection refused), and starts later on the same port."""

    def __init__(self, stack: contextlib.AsyncExitStack, *down: str):
        self._stack = stack
        self.parses: list[str] = []
        self.ports: dict[str, int] = {}
        while len(set(self.ports.values())) < len(NAMES):
            self.ports = {name: free_port() for name in NAMES}
        self.urls = {name: f"http://127.0.0.1:{port}" for name, port in self.ports.items()}
        for name in NAMES:
            if name not in down:
                self.start(name)

    def start(self, name: str) -> None:
        self._stack.enter_context(rasa_serving(self.server(name), port=self.ports[name]))

    def server(self, name: str):
        def answer(request: httpx.Request) -> httpx.Response:
            if request.url.path == "/status":
                return httpx.Response(200, json={"model_file": "nlu.tar.gz"})
            self.parses.append(name)
            return httpx.Response(200, json={"intent": {"name": f"from_{name}", "confidence": 0.9}})

        return answer

    def client(self, clock: Clock) -> RasaClient:
        client = RasaClient(f"{self.urls['a']}, {self.urls['b']}/", clock=clock)
        self._stack.push_async_callback(client.aclose)
        return client


@pytest.fixture
async def servers_with():
    """servers_with(*down): the servers a and b, but those named down; stopped, with their clients
    closed, after the test."""
    async with contextlib.AsyncExitStack() as stack:
        yield lambda *down: Servers(stack, *down)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def client_for(servers: Servers, clock: Clock | None = None) -> RasaClient:
    return servers.client(clock or Clock())


def test_the_list_is_read_from_rasa_url():
    assert rasa_urls(" http://a:5005/ ,http://b:5005,,http://a:5005") == ("http://a:5005", "http://b:5005")


async def test_parses_take_turns_over_the_servers(servers_with):
    servers = servers_with()
    client = client_for(servers)
    for _ in range(4):
        await client.parse("hello")
    assert sorted(servers.parses) == ["a", "a", "b", "b"]


async def test_a_server_down_is_passed_over_and_the_same_message_answered_by_the_next(servers_with):
    servers, clock = servers_with("a"), Clock()
    client = client_for(servers, clock)
    results = [await client.parse(f"message {n}") for n in range(4)]
    assert all(result.intent == "from_b" for result in results)
    servers.start("a")
    assert (await client.parse("still resting")).intent == "from_b"  # a rests after failing
    clock.now += RESTING_SECONDS + 1
    await client.parse("one")
    await client.parse("two")
    assert servers.parses[-2:] in (["a", "b"], ["b", "a"])  # back in turn once rested


async def test_all_servers_down_is_an_outage(servers_with):
    with pytest.raises(NluUnavailable):
        await client_for(servers_with("a", "b")).parse("hello")


async def test_one_ready_server_is_enough_to_be_ready(servers_with):
    assert await client_for(servers_with("a")).status() == "ready"
    assert await client_for(servers_with("a", "b")).status() == "down"
