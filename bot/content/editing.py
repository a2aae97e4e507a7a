"""Edits from the console, written through the same files editors change by hand: the gettext
catalogs and the Rasa training YAML."""

from __future__ import annotations

from pathlib import Path

import yaml
from babel.messages.pofile import read_po, write_po

from bot.answers import placeholders_of
from bot.intents import INTENTS
from bot.paths import Paths
from bot.training_data import write_nlu_file


class EditError(ValueError):
    pass


def _checked_language(language: str) -> str:
    """A bare language code: never a path (``../test/en``, ``/etc/x``) reaching outside the data folders."""
    if not language.isascii() or not language.replace("_", "").replace("-", "").isalnum() or len(language) > 16:
        raise EditError("unknown language")
    return language


def _catalog_path(paths: Paths, language: str) -> Path:
    return paths.locales / _checked_language(language) / "LC_MESSAGES" / "messages.po"


def _rewrite(path: Path, change) -> None:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    change(catalog)
    temporary = path.with_suffix(".po.tmp")
    with temporary.open("wb") as handle:
        write_po(handle, catalog, width=0)
    temporary.replace(path)


def save_translation(paths: Paths, language: str, context: str, text: str, reviewed: bool) -> None:
    """Change one translation; ``reviewed`` clears or sets its fuzzy flag."""
    path = _catalog_path(paths, language)
    if not path.exists():
        raise EditError(f"no catalog for {language}")
    found = []

    def change(catalog) -> None:
        for message in catalog:
            if message.context == context and message.id:
                if placeholders_of(text) != placeholders_of(message.id):
                    raise EditError(f"keep the placeholders {sorted(placeholders_of(message.id))}")
                message.string = text
                if reviewed:
                    message.flags.discard("fuzzy")
                else:
                    message.flags.add("fuzzy")
                found.append(message)

    _rewrite(path, change)
    if not found:
        raise EditError(f"no text {context} in {language}")


def save_source(paths: Paths, context: str, text: str) -> list[str]:
    """Change the English source text: every translation of it becomes fuzzy (needs review).
    Returns the languages whose translation was marked."""
    pot = paths.locales / "messages.pot"
    with pot.open("rb") as handle:
        template = read_po(handle)
    old = next((m for m in template if m.context == context and m.id), None)
    if old is None:
        raise EditError(f"no text {context}")
    if placeholders_of(text) != placeholders_of(old.id):
        raise EditError(f"keep the placeholders {sorted(placeholders_of(old.id))}")

    def renew(catalog, is_source: bool):
        for message in list(catalog):
            if message.context == context and message.id:
                translation = text if is_source else message.string
                flags = set(message.flags) | ({"fuzzy"} if not is_source and message.string else set())
                catalog.delete(message.id, context=context)
                catalog.add(text, translation, context=context, flags=flags, auto_comments=message.auto_comments)

    _rewrite(pot, lambda catalog: renew(catalog, True))
    marked = []
    for path in sorted(paths.locales.glob("*/LC_MESSAGES/messages.po")):
        language = path.parent.parent.name
        _rewrite(path, lambda catalog, source=(language == "en"): renew(catalog, source))
        if language != "en":
            marked.append(language)
    return marked


def add_examples(paths: Paths, language: str, intent: str, texts: list[str]) -> int:
    """Append training examples to data/intents/<language>.yml; returns how many were new."""
    if intent not in INTENTS:
        raise EditError(f"unknown intent {intent}")
    path = paths.intents / f"{_checked_language(language)}.yml"
    if not path.exists():
        raise EditError(f"no training file for {language}")
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = document.setdefault("nlu", []) or []
    document["nlu"] = entries
    existing = {
        line.strip()[2:].strip().casefold()
        for entry in entries
        for line in (entry.get("examples") or "").splitlines()
        if line.strip().startswith("- ")
    }
    fresh = [text.strip() for text in texts if text.strip() and text.strip().casefold() not in existing]
    fresh = [" ".join(text.split()).replace("#", "") for text in dict.fromkeys(fresh)]
    if not fresh:
        return 0
    entry = next((e for e in entries if e.get("intent") == intent), None)
    if entry is None:
        entry = {"intent": intent, "examples": ""}
        entries.append(entry)
    entry["examples"] = (entry.get("examples") or "") + "".join(f"- {text}\n" for text in fresh)
    write_nlu_file(path, document)
    return len(fresh)
