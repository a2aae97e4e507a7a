"""Access logs without secrets: query strings carry the WhatsApp verify token and the web chat's
session id (the only credential of a web conversation), so their values never reach a log."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlencode

HARMLESS = frozenset({"after", "hub.mode"})


def redacted_path(path: str) -> str:
    base, separator, query = path.partition("?")
    if not separator:
        return path
    pairs = [(key, value if key in HARMLESS else "***") for key, value in parse_qsl(query, keep_blank_values=True)]
    return f"{base}?{urlencode(pairs, safe='*')}"


class RedactQuery(logging.Filter):
    """For uvicorn's access records, whose args are (client, method, path, http version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redacted_path(args[2]), *args[3:])
        return True


def redact_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactQuery) for f in access.filters):
        access.addFilter(RedactQuery())
