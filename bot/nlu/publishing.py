"""Which model is published, and the quality gate a new one must pass.

nlu/models/published.json records the published model and its held-out report; history.json keeps
every published version, so that `helpline content rollback` can return to the previous one.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.nlu.training import files_digest
from bot.paths import Paths

DEFAULT_TOLERANCE = 0.02  # a language may lose at most 2 points of held-out accuracy


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    reasons: list[str]


# A language the published model did not know must reach this on its own held-out examples.
NEW_LANGUAGE_FLOOR = 0.80


def gate(
    candidate: dict,
    published: dict | None,
    tolerance: float,
    served: tuple[str, ...] = (),
    floor: float = NEW_LANGUAGE_FLOOR,
) -> Verdict:
    """Refuse a model that is worse than the published one in any language by more than
    ``tolerance``, saying which intents got worse; and one that leaves a ``served`` language
    unmeasured, or below ``floor`` in a language the published model had no figure for."""
    reasons = []
    for language in served:
        if language not in candidate:
            reasons.append(f"{language}: served, but no held-out results for the new model")
        elif language not in (published or {}) and candidate[language]["accuracy"] < floor:
            reasons.append(f"{language}: {candidate[language]['accuracy']:.1%}, below {floor:.0%} for a new language")
    for language, before in (published or {}).items():
        after = candidate.get(language)
        if after is None:
            reasons.append(f"{language}: no held-out results for the new model")
            continue
        drop = before["accuracy"] - after["accuracy"]
        if drop > tolerance:
            worse = [
                f"{intent} {before['intents'][intent]:.0%}→{after['intents'].get(intent, 0):.0%}"
                for intent in before["intents"]
                if after["intents"].get(intent, 0) < before["intents"][intent]
            ]
            reasons.append(
                f"{language}: {before['accuracy']:.1%} → {after['accuracy']:.1%}; worse: {', '.join(worse) or 'none'}"
            )
    return Verdict(not reasons, reasons)


def _file(paths: Paths, name: str) -> Path:
    return paths.models / name


def published(paths: Paths) -> dict | None:
    path = _file(paths, "published.json")
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def published_model(paths: Paths) -> Path | None:
    record = published(paths)
    if record is None:
        return None
    model = paths.models / record["model"]
    return model if model.exists() else None


def history(paths: Paths) -> list[dict]:
    path = _file(paths, "history.json")
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def write_json(path: Path, document) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    temporary.replace(path)  # atomic: a worker never reads half a file


def heldout_hash(paths: Paths) -> str:
    """Which held-out examples a report was measured on: reports on different sets don't compare."""
    return files_digest(sorted(paths.heldout.glob("*.yml")))


def baseline(paths: Paths, current: dict | None, measure: Callable[[Path], dict]) -> dict | None:
    """The published model's held-out report to compare a new model with: the recorded one, or, when
    the held-out set changed since it was published, ``measure`` of the published model on today's."""
    if current is None:
        return None
    if current.get("heldout") == heldout_hash(paths):
        return current["report"]
    previous = published_model(paths)
    return measure(previous) if previous else None


def publish(paths: Paths, model: Path, report: dict) -> dict:
    record = {
        "model": model.name,
        "report": report,
        "heldout": heldout_hash(paths),
        "published_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    write_json(_file(paths, "published.json"), record)
    write_json(_file(paths, "history.json"), [*history(paths), record])
    return record


def rollback(paths: Paths) -> dict | None:
    """Publish again the version before the current one; None when there is none."""
    versions = history(paths)
    current = published(paths)
    earlier = [v for v in versions if current is None or v["model"] != current["model"]]
    if not earlier or not (paths.models / earlier[-1]["model"]).exists():
        return None
    previous = earlier[-1]
    write_json(_file(paths, "published.json"), {**previous, "published_at": dt.datetime.now(dt.UTC).isoformat()})
    write_json(
        _file(paths, "history.json"), [v for v in versions if v["model"] != current["model"]] if current else versions
    )
    return previous
