"""Reading request bodies safely: bounded in size, JSON objects only."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from bot.channels.shapes import clean_text


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


MAX_DEPTH = 32  # no platform payload we read is nested deeper than about 8


def _cleaned(value: Any, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise BadRequest(400, "body is nested too deeply")
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(key): _cleaned(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_cleaned(item, depth + 1) for item in value]
    return value


def json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object, its strings cleaned of what cannot be stored.

    Deep nesting (RecursionError) and integers over Python's 4,300-digit limit (ValueError)
    are bad requests like any other malformed JSON."""
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:  # JSONDecodeError is a ValueError
        raise BadRequest(400, "body is not JSON") from error
    if not isinstance(payload, dict):
        raise BadRequest(400, "body must be a JSON object")
    return _cleaned(payload)
