"""Adding a language from the template: an empty catalog and a training file to fill."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.intents import INTENTS
from bot.paths import Paths


class LanguageError(ValueError):
    pass


def add_language(paths: Paths, code: str) -> list[Path]:
    """Scaffold locales/<code>/LC_MESSAGES/messages.po and data/intents/<code>.yml; returns them."""
    try:
        locale = Locale.parse(code)
    except (ValueError, UnknownLocaleError) as error:
        raise LanguageError(f"{code!r} is not a language code babel knows (e.g. tg, kk, tr)") from error
    catalog_path = paths.locales / code / "LC_MESSAGES" / "messages.po"
    training_path = paths.intents / f"{code}.yml"
    if catalog_path.exists() or training_path.exists():
        raise LanguageError(f"{code} exists already")
    with (paths.locales / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    catalog = Catalog(
        locale=locale, project="helpline", charset="utf-8", fuzzy=False, creation_date=dt.datetime.now(dt.UTC)
    )
    for message in template:
        if message.id:
            catalog.add(
                message.id, "", context=message.context, flags=message.flags, auto_comments=message.auto_comments
            )
    catalog_path.parent.mkdir(parents=True, exist_ok=True)
    with catalog_path.open("wb") as handle:
        write_po(handle, catalog, width=0)
    lines = [
        f"# Training examples in {locale.english_name}: at least 15 per intent, as people really write.",
        "# Uncomment an intent and add examples under it; `helpline content check` shows what is missing.",
        'version: "3.1"',
        "nlu: []",
    ]
    for intent in INTENTS:
        lines += [f"# - intent: {intent}", "#   examples: |", "#     - "]
    training_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [catalog_path, training_path]
