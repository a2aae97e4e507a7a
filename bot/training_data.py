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


class _RasaYamlDumper(yaml.SafeDumper):
    """Writes multi-line strings as YAML block scalars, as Rasa's own files do."""


_RasaYamlDumper.add_representer(
    str,
    lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None),
)


def write_nlu_file(path: Path, document: dict) -> None:
    """Write a Rasa NLU document atomically (a running worker never reads half a file)."""
    temporary = path.with_suffix(".yml.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        yaml.dump(document, handle, allow_unicode=True, sort_keys=False, Dumper=_RasaYamlDumper, width=10_000)
    temporary.replace(path)
