"""Reading request bodies safely: bounded in size, JSON objects only."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request


class BadRequest(Exception):
    """A request refused with ``status`` (400, 413, 422...) and a short reason for the caller."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


async def read_bounded(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BadRequest(413, "body too large")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise BadRequest(413, "body too large")
    return bytes(body)


def json_object(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadRequest(400, "body is not JSON") from error
    if not isinstance(payload, dict):
        raise BadRequest(400, "body must be a JSON object")
    return payload
