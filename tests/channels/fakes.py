"""Local fakes of the Telegram Bot API and the WhatsApp Graph API: they record what the real
clients send and answer in the platforms' documented shapes, with scripted failures."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


async def _params(request: Request) -> dict:
    body = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        return json.loads(body or b"{}")
    form = await request.form()
    params = {}
    for key, value in form.items():
        try:
            params[key] = json.loads(value)
        except (TypeError, ValueError):
            params[key] = value
    return params


@dataclass
class FakeBotApi:
    """POST /bot<token>/<method>."""

    token: str = "123456:TEST"
    calls: list[tuple[str, dict]] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)  # statuses to answer sendMessage with, in order
    updates: list[dict] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    delivered: list[dict] = field(default_factory=list)
    # file_id -> (file_path, content): what getFile describes and /file/bot<token>/<path> serves
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    def sent(self) -> list[dict]:
        """The sendMessage calls that succeeded."""
        return list(self.delivered)

    async def endpoint(self, request: Request) -> JSONResponse:
        token, method = request.path_params["token"], request.path_params["method"]
        if token != self.token:
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401)
        params = await _params(request)
        self.calls.append((method, params))
        if method == "getMe":
            result = {"id": 123456, "is_bot": True, "first_name": "Helpline", "username": "helpline_test_bot"}
        elif method == "getUpdates":
            result, self.updates = self.updates, []
            if not result:
                await asyncio.sleep(0.05)
        elif method == "sendMessage":
            if self.failures:
                status = self.failures.pop(0)
                body = {"ok": False, "error_code": status, "description": "Too Many Requests: retry after 1"}
                if status == 429:
                    body["parameters"] = {"retry_after": 1}
                return JSONResponse(body, status_code=status)
            self.delivered.append(params)
            result = {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "text": params.get("text", ""),
            }
        elif method == "getFile":
            if params.get("file_id") not in self.files:
                return JSONResponse(
                    {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}, status_code=400
                )
            path, content = self.files[params["file_id"]]
            if len(content) > 20 * 1024 * 1024:  # what the real Bot API answers for large files
                return JSONResponse(
                    {"ok": False, "error_code": 400, "description": "Bad Request: file is too big"}, status_code=400
                )
            result = {
                "file_id": params["file_id"], "file_unique_id": params["file_id"][-8:], "file_size": len(content),
                "file_path": path,
            }  # fmt: skip
        else:  # setWebhook, deleteWebhook, setMyCommands, answerCallbackQuery
            result = True
        return JSONResponse({"ok": True, "result": result})

    async def download(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return Response(status_code=401)
        for path, content in self.files.values():
            if path == request.path_params["path"]:
                return Response(content, media_type="application/octet-stream")
        return Response(status_code=404)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/bot{token}/{method}", self.endpoint, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", self.download),
            ]
        )


@dataclass
class FakeGraphApi:
    """POST /<version>/<phone_number_id>/messages."""

    token: str = "wa-token"
    bodies: list[dict] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    media: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # media id -> (mime type, content)
    url: str = ""

    def _authorised(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.token}"

    async def media_url(self, request: Request) -> JSONResponse:
        """GET /<version>/<media id>: a short-lived download URL (Cloud API "Retrieve media URL")."""
        media_id = request.path_params["media_id"]
        if not self._authorised(request):
            return JSONResponse({"error": {"message": "Invalid OAuth access token", "code": 190}}, status_code=401)
        if media_id not in self.media:
            return JSONResponse({"error": {"message": "Unsupported get request", "code": 100}}, status_code=400)
        mime, content = self.media[media_id]
        return JSONResponse(
            {"messaging_product": "whatsapp", "url": f"{self.url}/download/{media_id}", "mime_type": mime,
             "sha256": "", "file_size": len(content), "id": media_id}
        )  # fmt: skip

    async def download(self, request: Request) -> Response:
        if not self._authorised(request):
            return Response(status_code=401)
        mime, content = self.media[request.path_params["media_id"]]
        return Response(content, media_type=mime)

    async def messages(self, request: Request) -> JSONResponse:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return JSONResponse({"error": {"message": "Invalid OAuth access token", "code": 190}}, status_code=401)
        body = await request.json()
        if self.failures:
            status = self.failures.pop(0)
            return JSONResponse({"error": {"message": "rate limit", "code": 130429}}, status_code=status)
        self.bodies.append(body)
        message_id = f"wamid.TEST{next(self._ids)}"
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [{"id": message_id}],
            }
        )

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/{version}/{phone}/messages", self.messages, methods=["POST"]),
                Route("/download/{media_id}", self.download),
                Route("/{version}/{media_id}", self.media_url),
            ]
        )


@dataclass
class FakeLibreTranslate:
    """LibreTranslate's HTTP API: GET /languages, POST /translate. Known sentences get their real
    translation; anything else comes back marked with the language pair. ``down`` answers 500."""

    known: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (source, target, text) -> text
    codes: tuple[str, ...] = ("en", "ru", "ky", "ko", "vi", "zh-Hans", "uz", "kk", "tl", "th", "id", "mn", "ne")
    requests: list[dict] = field(default_factory=list)
    down: bool = False

    async def languages(self, request: Request) -> JSONResponse:
        if self.down:
            return JSONResponse({"error": "down"}, status_code=500)
        return JSONResponse([{"code": code, "name": code, "targets": list(self.codes)} for code in self.codes])

    async def translate(self, request: Request) -> JSONResponse:
        if self.down:
            return JSONResponse({"error": "Cannot translate text: model not loaded"}, status_code=500)
        body = await request.json()
        self.requests.append(body)
        source, target, text = body["source"], body["target"], body["q"]
        if source not in (*self.codes, "auto") or target not in self.codes:
            return JSONResponse({"error": f"{source} or {target} is not supported"}, status_code=400)
        return JSONResponse({"translatedText": self.known.get((source, target, text), f"[{source}→{target}] {text}")})

    def app(self) -> Starlette:
        return Starlette(
            routes=[Route("/languages", self.languages), Route("/translate", self.translate, methods=["POST"])]
        )


@dataclass
class FakeWhisperServer:
    """The OpenAI-compatible POST /v1/audio/transcriptions of self-hosted Whisper servers."""

    text: str = ""
    received: list[tuple[bytes, dict]] = field(default_factory=list)
    down: bool = False

    async def transcriptions(self, request: Request) -> JSONResponse:
        if self.down:
            return JSONResponse({"error": "model not loaded"}, status_code=503)
        async with request.form() as form:
            audio = await form["file"].read()
            self.received.append((audio, {key: value for key, value in form.items() if key != "file"}))
        return JSONResponse({"text": self.text})

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/audio/transcriptions", self.transcriptions, methods=["POST"])])
