"""The console in its user's language: interface strings from gettext catalogs (domain
``console``: ``locales/<language>/LC_MESSAGES/console.po``, beside the migrants' catalogs, so that
translators edit both in Poedit or Weblate). English is the source and needs no catalog."""

from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.paths import Paths

SOURCE = "en"
# the languages the console's catalogs are written in; a user chooses one under their name
CONSOLE_LANGUAGES = ("en", "ru", "ko", "ky", "vi")


def N_(text: str) -> str:
    """Marks a message for the catalog where it is written; it is translated where it is shown."""
    return text


@functools.cache
def _translations(locales: Path, language: str) -> gettext.NullTranslations:
    path = locales / language / "LC_MESSAGES" / "console.po"
    if language == SOURCE or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)  # unreviewed console strings stay English
    compiled.seek(0)
    return Translations(compiled, domain="console")


def interface_strings(language: str | None, locales: Path | None = None) -> gettext.NullTranslations:
    chosen = language if language in CONSOLE_LANGUAGES else SOURCE
    return _translations(locales or Paths.default().locales, chosen)


def from_accept_language(header: str) -> str:
    """Before login: the first console language the browser asks for."""
    for part in header.split(","):
        code = part.split(";")[0].strip().split("-")[0].lower()
        if code in CONSOLE_LANGUAGES:
            return code
    return SOURCE
