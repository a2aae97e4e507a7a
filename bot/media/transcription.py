"""Voice notes as text, through a self-hosted speech-to-text server (TRANSCRIPTION_URL).

The seam is ``Transcriber``; the one engine shipped speaks the OpenAI-compatible transcription API
(``POST /v1/audio/transcriptions``) that self-hosted Whisper servers offer (faster-whisper-server,
whisper.cpp's server, LocalAI). Without TRANSCRIPTION_URL there is no transcription and voice notes
are only played. Like translation, a failure never blocks anything: the note stays playable."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Protocol

import httpx


class TranscriptionUnavailable(Exception):
    pass


class Transcriber(Protocol):
    async def transcribe(self, audio: bytes, content_type: str, language: str | None) -> str: ...

    async def aclose(self) -> None: ...


class WhisperServer:
    """An OpenAI-compatible speech-to-text endpoint."""

    def __init__(self, url: str, model: str = "whisper-1", transport: httpx.AsyncBaseTransport | None = None):
        self.model = model
        self.client = httpx.AsyncClient(
            base_url=url.rstrip("/"), timeout=httpx.Timeout(120.0, connect=3.0), transport=transport
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def transcribe(self, audio: bytes, content_type: str, language: str | None) -> str:
        extension = content_type.split("/")[-1].split(";")[0] or "ogg"
        data = {"model": self.model, "response_format": "json"}
        if language:
            data["language"] = language  # a hint: Whisper detects the language itself otherwise
        try:
            response = await self.client.post(
                "/v1/audio/transcriptions", data=data, files={"file": (f"voice.{extension}", audio, content_type)}
            )
            response.raise_for_status()
            text = response.json()["text"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
            raise TranscriptionUnavailable(f"transcription: {type(error).__name__}") from error
        if not isinstance(text, str):
            raise TranscriptionUnavailable("transcription: no text in the answer")
        return text.strip()


def transcriber_from_env(env: Mapping[str, str] = os.environ) -> Transcriber | None:
    url = env.get("TRANSCRIPTION_URL")
    if not url:
        return None
    return WhisperServer(url, env.get("TRANSCRIPTION_MODEL") or "whisper-1")
