"""What a channel must do to hand over a migrant's file, and the limits every channel shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# The platforms' own limits: the Bot API serves bots files up to 20 MB; the Cloud API takes
# documents up to 100 MB (audio and video up to 16 MB, images 5 MB). Above its channel's limit a
# file is recorded as too large and never held in memory.
MAX_MEDIA_BYTES = 20 * 1024 * 1024  # Telegram
MAX_WHATSAPP_MEDIA_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class Fetched:
    data: bytes
    content_type: str
    filename: str | None = None


class MediaUnavailable(Exception):
    """The platform would not give the file (expired, removed, refused, unreachable)."""


class MediaTooLarge(Exception):
    def __init__(self, size: int | None, limit: int = MAX_MEDIA_BYTES):
        super().__init__(f"larger than {limit} bytes" + (f" ({size})" if size else ""))
        self.size = size


class MediaSource(Protocol):
    """A channel that can fetch a file by the reference stored with the message."""

    async def fetch_media(self, reference: str) -> Fetched: ...
