"""Rasa's HTTP API (POST /model/parse), with Rasa's failures turned into one exception.

NluError
 └── NluUnavailable   (connection refused, timeout, 5xx: the caller answers without NLU)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

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


class RasaClient:
    def __init__(self, base_url: str, timeout: float = 10.0, transport=None):
        self.base_url = base_url.rstrip("/")
        self._client = httpx.AsyncClient(
            base_url=self.base_url, timeout=httpx.Timeout(timeout, connect=2.0), transport=transport
        )

    async def parse(self, text: str) -> NluResult:
        try:
            response = await self._client.post("/model/parse", json={"text": text[:MAX_PARSE_CHARS]})
        except httpx.HTTPError as error:
            raise NluUnavailable(f"Rasa at {self.base_url} unreachable: {type(error).__name__}") from error
        if response.status_code >= 500:
            raise NluUnavailable(f"Rasa at {self.base_url} answered {response.status_code}")
        if response.status_code != 200:
            raise NluError(f"Rasa at {self.base_url} answered {response.status_code}")
        try:
            return NluResult.from_rasa(response.json())
        except (ValueError, KeyError, TypeError) as error:
            raise NluError("Rasa answered with an unexpected body") from error

    async def ready(self) -> bool:
        return await self.status() == "ready"

    async def status(self) -> str:
        """'ready', 'no model' (the server answers but has no model loaded) or 'down'."""
        try:
            response = await self._client.get("/status")
        except httpx.HTTPError:
            return "down"
        if response.status_code == 200 and response.json().get("model_file"):
            return "ready"
        return "no model"

    async def aclose(self) -> None:
        await self._client.aclose()
