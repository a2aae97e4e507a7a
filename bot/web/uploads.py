"""Files a migrant attaches in the web chat: a photo, a PDF document or a voice recording.

What a file is comes from its first bytes (puremagic), never from the name or the browser's word
alone: a "photo.jpg" that is an HTML page is refused. A recording needs both: browsers record into
WebM, Ogg or MP4 containers, which are also video formats, so a container is accepted as a voice
message only when the page declared it as audio."""

from __future__ import annotations

from dataclasses import dataclass

import puremagic

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UPLOAD_MB = MAX_UPLOAD_BYTES // (1024 * 1024)

DOCUMENTS = {
    "image/jpeg": "photo",
    "image/png": "photo",
    "image/webp": "photo",
    "application/pdf": "document",
}
# container found in the bytes -> the audio type served, for recordings the page declared as audio
RECORDINGS = {
    "video/webm": "audio/webm",
    "audio/webm": "audio/webm",
    "application/ogg": "audio/ogg",
    "audio/ogg": "audio/ogg",
    "video/mp4": "audio/mp4",
    "audio/mp4": "audio/mp4",
}


@dataclass(frozen=True)
class Accepted:
    media_type: str  # photo, document, voice
    content_type: str


def sniffed(data: bytes) -> str | None:
    try:
        return puremagic.from_string(data, mime=True) or None
    except (puremagic.PureError, ValueError):
        return None


def accept(data: bytes, declared: str | None) -> Accepted | None:
    """The file's kind, or None when it is not one the helpline takes."""
    if not data:
        return None
    found = sniffed(data[:4096])
    if found in DOCUMENTS:
        return Accepted(DOCUMENTS[found], found)
    declared_audio = (declared or "").split(";")[0].strip().lower().startswith("audio/")
    if found in RECORDINGS and declared_audio:
        return Accepted("voice", RECORDINGS[found])
    return None
