"""Expected texts read straight from the catalogs, never from the code that renders them."""

from __future__ import annotations

from babel.messages.pofile import read_po

from bot.paths import Paths


def catalog_text(context: str, language: str, **values: str) -> str:
    path = Paths.default().locales / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        text = next(message.string or message.id for message in read_po(handle) if message.context == context)
    return text.format(**values) if values else text
