"""A private copy of the project's content, for tests that edit or publish it."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.paths import Paths

# everything an editor can change; models and state stay out
CONTENT_FOLDERS = ("locales", "data/intents", "data/safety", "data/profiles", "data/directory", "data/agencies")
CONTENT_FILES = ("data/places.yml",)


def copy_content(source: Paths, root: Path) -> Paths:
    for folder in CONTENT_FOLDERS:
        if (source.root / folder).exists():
            shutil.copytree(source.root / folder, root / folder)
    for name in CONTENT_FILES:
        if (source.root / name).exists():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source.root / name, root / name)
    return Paths(root)
