"""Intent accuracy per language on the held-out examples (data/test/), never seen in training."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from bot.nlu.client import NluResult
from bot.training_data import Example


@dataclass
class LanguageScore:
    total: int = 0
    correct: int = 0
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    per_intent: dict[str, list[int]] = field(default_factory=dict)  # intent -> [correct, total]

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


@dataclass
class Report:
    languages: dict[str, LanguageScore]

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
        counts = score.per_intent.setdefault(example.intent, [0, 0])
        counts[1] += 1
        if result.intent == example.intent:
            counts[0] += 1
            score.correct += 1
        else:
            score.confusions[(example.intent, str(result.intent))] += 1
    report.languages = dict(scores)
    return report


def as_record(report: Report) -> dict:
    """A JSON-able summary: accuracy per language and per intent within each language."""
    return {
        language: {
            "accuracy": round(score.accuracy, 4),
            "examples": score.total,
            "intents": {intent: round(c / t, 4) for intent, (c, t) in sorted(score.per_intent.items())},
            "confusions": [[a, b, n] for (a, b), n in score.confusions.most_common()],
        }
        for language, score in sorted(report.languages.items())
    }


def confusion_svg(record: dict, language: str) -> str:
    """A confusion-matrix picture (SVG) of one language's held-out results."""
    predicted = {b for _, b, _ in record[language]["confusions"] if b != "None"}
    intents = sorted(set(record[language]["intents"]) | predicted)
    index = {intent: n for n, intent in enumerate(intents)}
    cell, margin = 14, 170
    size = margin + cell * len(intents)
    counts: dict[tuple[int, int], int] = {}
    for intent, accuracy in record[language]["intents"].items():
        counts[(index[intent], index[intent])] = round(accuracy * 100)
    worst = max([n for _, _, n in record[language]["confusions"]] or [1])
    header = f'width="{size}" height="{size}" font-size="10" font-family="sans-serif"'
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" {header}>']
    parts.append(f'<text x="4" y="14" font-size="12">{language}: rows true intent, columns predicted</text>')
    for n, intent in enumerate(intents):
        y = margin + n * cell
        parts.append(f'<text x="{margin - 4}" y="{y + 10}" text-anchor="end">{intent}</text>')
        parts.append(f'<text transform="translate({margin + n * cell + 10},{margin - 4}) rotate(-60)">{intent}</text>')
    for (row, column), value in counts.items():
        shade = 255 - int(value * 2.2)
        parts.append(
            f'<rect x="{margin + column * cell}" y="{margin + row * cell}" width="{cell}" height="{cell}" '
            f'fill="rgb({shade},{min(255, shade + 60)},{shade})"><title>{intents[row]}: {value}%</title></rect>'
        )
    for true, predicted, number in record[language]["confusions"]:
        if true in index and predicted in index:
            red = 255 - int(200 * number / worst)
            parts.append(
                f'<rect x="{margin + index[predicted] * cell}" y="{margin + index[true] * cell}" width="{cell}" '
                f'height="{cell}" fill="rgb(255,{red},{red})"><title>{true} as {predicted}: {number}</title></rect>'
            )
    parts.append("</svg>")
    return "\n".join(parts)
