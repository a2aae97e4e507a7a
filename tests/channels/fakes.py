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
from starlette.responses import JSONResponse
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
        else:  # setWebhook, deleteWebhook, setMyCommands, answerCallbackQuery
            result = True
        return JSONResponse({"ok": True, "result": result})

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/bot{token}/{method}", self.endpoint, methods=["GET", "POST"])])


@dataclass
class FakeGraphApi:
    """POST /<version>/<phone_number_id>/messages."""

    token: str = "wa-token"
    bodies: list[dict] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

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
        return Starlette(routes=[Route("/{version}/{phone}/messages", self.messages, methods=["POST"])])
