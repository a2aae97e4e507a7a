"""Fitting replies into platform limits."""

from __future__ import annotations

import re

SENTENCE_END = re.compile(r"(?<=[.!?。])\s+")


def split_message(text: str, limit: int) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` characters, at paragraph, line or sentence
    boundaries when possible, at spaces otherwise, and hard only when a word is longer than a part."""
    parts: list[str] = []
    remaining = text.strip()
    while len(remaining) > limit:
        window = remaining[: limit + 1]
        cut = -1
        for separator in ("\n\n", "\n"):
            cut = window.rfind(separator, 0, limit)
            if cut > limit // 3:
                break
        if cut <= limit // 3:
            ends = [match.start() for match in SENTENCE_END.finditer(window) if match.start() <= limit]
            cut = ends[-1] if ends and ends[-1] > limit // 3 else window.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        parts.append(remaining[:cut].rstrip())
        remaining = remaining[cut:].lstrip()
    if remaining:
        parts.append(remaining)
    return parts


def shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"
