"""Rasa's HTTP API (POST /model/parse), with Rasa's failures turned into one exception.

NluError
 └── NluUnavailable   (connection refused, timeout, 5xx on every server: the caller answers without NLU)

RASA_URL may name several Rasa servers, comma-separated. Parses take turns over them; a server
that fails is passed over for a while and the next one answers the same parse, so losing one
server loses no message and costs one retry. (Behind a load balancer or a Kubernetes Service,
RASA_URL is that one address, and the balancer does this instead.)
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field

import aiohttp

# Rasa needs the gist, not a 10,000-character essay; the whole text is still stored.
MAX_PARSE_CHARS = 1000


class NluError(Exception):
    pass


class NluUnavailable(NluError):
    pass


@dataclass(frozen=True)
class IntentScore:
    name: str
    confidence: float


@dataclass(frozen=True)
class NluResult:
    intent: str | None
    confidence: float
    ranking: tuple[IntentScore, ...] = field(default=())

    @classmethod
    def from_rasa(cls, payload: dict) -> NluResult:
        intent = payload.get("intent") or {}
        ranking = tuple(
            IntentScore(str(item["name"]), float(item["confidence"]))
            for item in payload.get("intent_ranking") or []
            if item.get("name")
        )
        return cls(intent.get("name"), float(intent.get("confidence") or 0.0), ranking)


def rasa_urls(value: str) -> tuple[str, ...]:
    """The servers named in RASA_URL ('http://a:5005, http://b:5005')."""
    return tuple(dict.fromkeys(part.strip().rstrip("/") for part in value.split(",") if part.strip()))


# How long a server that failed is passed over while another one answers.
RESTING_SECONDS = 5.0
STATUS_TIMEOUT = 2.0


class RasaClient:
    """Parses over aiohttp: it runs for every message, and spends less than half of httpx's CPU on
    each call (bench/rasa_client.py)."""

    def __init__(self, base_url: str, timeout: float = 10.0, clock=time.monotonic):
        self.urls = rasa_urls(base_url)
        if not self.urls:
            raise ValueError("no Rasa server URL given")
        self.base_url = self.urls[0]
        self._timeout = aiohttp.ClientTimeout(total=timeout, connect=2.0)
        self._session: aiohttp.ClientSession | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None
        self._turns = itertools.cycle(range(len(self.urls)))
        self._resting_until: dict[str, float] = {}
        self._clock = clock

    def _http(self) -> aiohttp.ClientSession:
        """The connection pool, made in the event loop that first needs it: it belongs to that loop."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._session_loop is not loop:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
            self._session_loop = loop
        return self._session

    def _order(self) -> list[str]:
        """Every server once, starting with the next in turn; resting ones last."""
        start = next(self._turns)
        ordered = [*self.urls[start:], *self.urls[:start]]
        now = self._clock()
        return sorted(ordered, key=lambda url: self._resting_until.get(url, 0.0) > now)

    async def parse(self, text: str) -> NluResult:
        failure: NluUnavailable | None = None
        for url in self._order():
            try:
                result = await self._parse_on(url, text)
            except NluUnavailable as error:
                self._resting_until[url] = self._clock() + RESTING_SECONDS
                failure = error
                continue
            self._resting_until.pop(url, None)
            return result
        assert failure is not None
        raise failure

    async def _parse_on(self, url: str, text: str) -> NluResult:
        try:
            async with self._http().post(f"{url}/model/parse", json={"text": text[:MAX_PARSE_CHARS]}) as response:
                status = response.status
                body = await response.read() if status == 200 else b""
        except (aiohttp.ClientError, TimeoutError) as error:
            raise NluUnavailable(f"Rasa at {url} unreachable: {type(error).__name__}") from error
        if status >= 500:
            raise NluUnavailable(f"Rasa at {url} answered {status}")
        if status != 200:
            raise NluError(f"Rasa at {url} answered {status}")
        try:
            return NluResult.from_rasa(json.loads(body))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise NluError("Rasa answered with an unexpected body") from error

    async def ready(self) -> bool:
        return await self.status() == "ready"

    async def status(self) -> str:
        """'ready' when any server has a model loaded, 'no model' (servers answer, without a model)
        or 'down'."""
        statuses = await asyncio.gather(*(self._status_of(url) for url in self.urls))
        for status in ("ready", "no model"):
            if status in statuses:
                return status
        return "down"

    async def _status_of(self, url: str) -> str:
        try:
            # short: readiness probes call this, and a hung server must not hang them
            timeout = aiohttp.ClientTimeout(total=STATUS_TIMEOUT)
            async with self._http().get(f"{url}/status", timeout=timeout) as response:
                if response.status != 200:
                    return "no model"
                body = json.loads(await response.read())
        except (aiohttp.ClientError, TimeoutError):
            return "down"
        except ValueError:
            return "no model"
        return "ready" if isinstance(body, dict) and body.get("model_file") else "no model"

    async def aclose(self) -> None:
        if self._session is not None and self._session_loop is asyncio.get_running_loop():
            await self._session.close()
        self._session = self._session_loop = None
