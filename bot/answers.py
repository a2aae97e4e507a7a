"""Answers and interface texts from the gettext catalogs under locales/.

Catalogs are read with babel straight from the .po files, because whether a translation is fuzzy
(unreviewed) decides whether it is served, and compiled .mo files drop that flag.
"""

from __future__ import annotations

import logging
import string
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

DOMAIN = "messages"
# The catalog template's texts are written in English.
SOURCE_LANGUAGE = "en"
# 'answer:work_permit@RU' is the variant of 'answer:work_permit' for migrants in Russia.
VARIANT_MARK = "@"


def variant_context(context: str, country: str | None) -> str:
    return f"{context}{VARIANT_MARK}{country}" if country else context


def general_context(context: str) -> str:
    return context.partition(VARIANT_MARK)[0]


@dataclass(frozen=True)
class Translation:
    text: str
    fuzzy: bool


def placeholders_of(text: str) -> set[str]:
    """The {names} a text formats, e.g. {'hotline', 'hours'}."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        return {"<malformed>"}


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


class Answers:
    """Texts keyed by context ('answer:<intent>' or 'ui:<key>') in every language."""

    def __init__(
        self,
        source: dict[str, str],
        translations: dict[str, dict[str, Translation]],
        serve_fuzzy: bool = True,
    ):
        self.source = source
        self.translations = translations
        self.serve_fuzzy = serve_fuzzy

    @classmethod
    def load(cls, locales: Path, serve_fuzzy: bool = True) -> Answers:
        template = read_catalog(locales / f"{DOMAIN}.pot")
        source = {message.context: message.id for message in template if message.id}
        translations: dict[str, dict[str, Translation]] = {}
        for po_path in sorted(locales.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            language = po_path.parent.parent.name
            catalog = read_catalog(po_path)
            translations[language] = {
                message.context: Translation(message.string, message.fuzzy)
                for message in catalog
                if message.id
                and message.string
                # a translation of an older source text is stale whatever its flags say
                and source.get(message.context) in (message.id, None)
            }
        return cls(source, translations, serve_fuzzy)

    def usable(self, context: str, language: str) -> bool:
        """Whether ``context`` has a text to serve in ``language`` (the source counts for English)."""
        if context not in self.source:
            return False
        translation = self.translations.get(language, {}).get(context)
        return language == SOURCE_LANGUAGE or (translation is not None and (self.serve_fuzzy or not translation.fuzzy))

    def resolve(self, context: str, language: str) -> str:
        """A country variant where it is written in ``language``; otherwise the general text, which
        is better for a Kyrgyz reader than the variant in English."""
        if VARIANT_MARK in context and not self.usable(context, language):
            return general_context(context)
        return context

    def countries_of(self, context: str) -> frozenset[str]:
        """The countries ``context`` has a variant for, e.g. {'RU', 'KZ'} for 'answer:work_permit'."""
        prefix = context + VARIANT_MARK
        return frozenset(key[len(prefix) :] for key in self.source if key.startswith(prefix))

    def raw(self, context: str, language: str) -> str:
        translation = self.translations.get(language, {}).get(context)
        if translation and (self.serve_fuzzy or not translation.fuzzy):
            return translation.text
        return self.source[context]

    def text(self, context: str, language: str, values: dict[str, str]) -> str:
        """The text for ``context`` in ``language`` with placeholders filled in.

        A translation whose placeholders are broken falls back to the source text rather than
        failing in front of a migrant.
        """
        context = self.resolve(context, language)
        template = self.raw(context, language)
        try:
            return template.format_map(values)
        except (KeyError, ValueError, IndexError):
            log.warning("broken placeholders in %s [%s]; serving the source text", context, language)
            return self.source[context].format_map(values)
