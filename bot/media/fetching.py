"""What a channel must do to hand over a migrant's file, and the limits every channel shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# The Bot API serves files up to 20 MB to bots; the Cloud API accepts up to 100 MB documents and
# 16 MB audio and video. Above this a file is recorded as too large, never held in memory.
MAX_MEDIA_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Fetched:
    data: bytes
    content_type: str
    filename: str | None = None


class MediaUnavailable(Exception):
    """The platform would not give the file (expired, removed, refused, unreachable)."""


class MediaTooLarge(Exception):
    def __init__(self, size: int | None):
        super().__init__(f"larger than {MAX_MEDIA_BYTES} bytes" + (f" ({size})" if size else ""))
        self.size = size


class MediaSource(Protocol):
    """A channel that can fetch a file by the reference stored with the message."""

    async def fetch_media(self, reference: str) -> Fetched: ...
