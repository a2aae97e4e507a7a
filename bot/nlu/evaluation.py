"""Intent accuracy per language on the held-out examples (data/test/), never seen in training."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from bot.intents import URGENT_INTENTS
from bot.nlu.client import NluResult
from bot.training_data import Example


@dataclass
class LanguageScore:
    total: int = 0
    correct: int = 0
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


@dataclass
class Report:
    languages: dict[str, LanguageScore]
    urgent_flagged: int = 0
    urgent_total: int = 0

    def accuracy(self) -> dict[str, float]:
        return {language: score.accuracy for language, score in sorted(self.languages.items())}

    def as_markdown(self) -> str:
        lines = ["| language | examples | intent accuracy | most frequent confusions |", "|---|---|---|---|"]
        for language, score in sorted(self.languages.items()):
            worst = ", ".join(f"{a}→{b} ({n})" for (a, b), n in score.confusions.most_common(3))
            lines.append(f"| {language} | {score.total} | {score.accuracy:.1%} | {worst} |")
        return "\n".join(lines) + "\n"


async def evaluate(examples: Iterable[Example], parse: Callable[[str], Awaitable[NluResult]]) -> Report:
    scores: dict[str, LanguageScore] = defaultdict(LanguageScore)
    report = Report(scores)
    for example in examples:
        result = await parse(example.text)
        score = scores[example.language]
        score.total += 1
        if result.intent == example.intent:
            score.correct += 1
        else:
            score.confusions[(example.intent, str(result.intent))] += 1
        if example.intent in URGENT_INTENTS:
            report.urgent_total += 1
    report.languages = dict(scores)
    return report
