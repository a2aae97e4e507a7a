"""Reading the Rasa NLU YAML files under data/intents/ (training) and data/test/ (held out)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Example:
    language: str
    intent: str
    text: str


def parse_examples(block: str) -> list[str]:
    """Rasa's examples block: one '- text' line per example."""
    texts = []
    for line in block.splitlines():
        stripped = line.strip()
        if stripped.startswith("- "):
            texts.append(stripped[2:].strip())
        elif stripped == "-":
            continue
    return [text for text in texts if text]


def read_nlu_file(path: Path) -> list[Example]:
    language = path.stem
    with path.open(encoding="utf-8") as handle:
        document = yaml.safe_load(handle) or {}
    examples = []
    for entry in document.get("nlu") or []:
        if "intent" not in entry:
            continue
        for text in parse_examples(entry.get("examples") or ""):
            examples.append(Example(language=language, intent=entry["intent"], text=text))
    return examples


def read_examples(folder: Path) -> list[Example]:
    """All examples of a folder holding one <language>.yml file per language."""
    examples: list[Example] = []
    for path in sorted(folder.glob("*.yml")):
        examples.extend(read_nlu_file(path))
    return examples
