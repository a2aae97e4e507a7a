"""Machine translation for lawyers through a self-hosted LibreTranslate server (TRANSLATION_URL).

Legal conversations never go to a public translation cloud: the helpline runs the engine beside
itself. Without TRANSLATION_URL the feature is off. Every failure is TranslationUnavailable, and
callers degrade to "translation unavailable": a translation never blocks a reply."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping

import httpx

log = logging.getLogger(__name__)

LANGUAGES_TTL_SECONDS = 3600
# our codes -> the codes LibreTranslate versions have used for them, preferred first
ENGINE_CODES = {"zh": ("zh-Hans", "zh"), "tl": ("tl", "fil")}
MAX_CHARS = 5000


class TranslationUnavailable(Exception):
    pass


class Translator:
    def __init__(self, url: str, api_key: str | None = None, transport: httpx.AsyncBaseTransport | None = None):
        self.api_key = api_key
        self.client = httpx.AsyncClient(
            base_url=url.rstrip("/"), timeout=httpx.Timeout(15.0, connect=3.0), transport=transport
        )
        self._languages: dict[str, frozenset[str]] = {}
        self._languages_at = 0.0

    async def aclose(self) -> None:
        await self.client.aclose()

    async def languages(self) -> dict[str, frozenset[str]]:
        """Source code -> the target codes the engine translates it into (kept for an hour)."""
        if self._languages and time.monotonic() - self._languages_at < LANGUAGES_TTL_SECONDS:
            return self._languages
        try:
            response = await self.client.get("/languages")
            response.raise_for_status()
            listed = {
                str(entry["code"]): frozenset(str(code) for code in entry.get("targets") or ())
                for entry in response.json()
            }
        except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise TranslationUnavailable(f"languages: {type(error).__name__}") from error
        self._languages, self._languages_at = listed, time.monotonic()
        return listed

    async def engine_code(self, language: str) -> str | None:
        listed = await self.languages()
        for code in ENGINE_CODES.get(language, (language,)):
            if code in listed:
                return code
        return None

    async def translate(self, text: str, source: str | None, target: str) -> str:
        """``text`` from ``source`` (None: let the engine detect it) into ``target``."""
        into = await self.engine_code(target)
        if into is None:
            raise TranslationUnavailable(f"the engine does not translate into {target}")
        origin = await self.engine_code(source) if source else "auto"
        if origin is None:
            raise TranslationUnavailable(f"the engine does not translate from {source}")
        body = {"q": text[:MAX_CHARS], "source": origin, "target": into, "format": "text"}
        if self.api_key:
            body["api_key"] = self.api_key
        try:
            response = await self.client.post("/translate", json=body)
            response.raise_for_status()
            translated = response.json()["translatedText"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
            raise TranslationUnavailable(f"translate: {type(error).__name__}") from error
        if not isinstance(translated, str):
            raise TranslationUnavailable("translate: no text in the answer")
        return translated


def translator_from_env(env: Mapping[str, str] = os.environ) -> Translator | None:
    url = env.get("TRANSLATION_URL")
    if not url:
        return None
    return Translator(url, env.get("TRANSLATION_API_KEY") or None)
