"""`helpline content check`: is every intent trained and answered, in every language?

Errors (non-zero exit): a served language without an answer for an intent, too few training
examples, placeholders that differ from the source text, an answer too long for Telegram, one
example under two intents. Warnings: fuzzy (unreviewed) answers, answers WhatsApp must split.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from bot.answers import VARIANT_MARK, Answers, general_context, placeholders_of
from bot.intents import INTENTS
from bot.training_data import Example

MIN_EXAMPLES = 15
TELEGRAM_LIMIT = 4096
WHATSAPP_INTERACTIVE_LIMIT = 1024


@dataclass(frozen=True)
class Cell:
    examples: int
    answered: bool
    fuzzy: bool


@dataclass
class Report:
    languages: list[str]
    matrix: dict[str, dict[str, Cell]]  # intent -> language -> cell
    # country variants: 'work_permit@RU' -> language -> "ok", "fuzzy" or "general" (falls back)
    variants: dict[str, dict[str, str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict:
        return {
            "ok": self.ok,
            "languages": self.languages,
            "matrix": {
                intent: {language: cell.__dict__ for language, cell in row.items()}
                for intent, row in self.matrix.items()
            },
            "variants": self.variants,
            "errors": self.errors,
            "warnings": self.warnings,
        }

    def as_table(self) -> str:
        width = max(len(intent) for intent in self.matrix) + 2
        lines = ["".ljust(width) + "".join(language.rjust(9) for language in self.languages)]
        for intent, row in self.matrix.items():
            cells = []
            for language in self.languages:
                cell = row[language]
                mark = "!" if not cell.answered else ("~" if cell.fuzzy else " ")
                cells.append(f"{cell.examples:>7}{mark} ")
            lines.append(intent.ljust(width) + "".join(cells))
        lines.append("")
        lines.append("number: training examples; ! no answer; ~ answer not reviewed (fuzzy)")
        if self.variants:
            width = max(width, *(len(name) + 2 for name in self.variants))
            lines.append("")
            lines.append("country variants".ljust(width) + "".join(language.rjust(9) for language in self.languages))
            marks = {"ok": "yes", "fuzzy": "~", "general": "·"}
            for name, row in self.variants.items():
                lines.append(name.ljust(width) + "".join(marks[row[language]].rjust(9) for language in self.languages))
            lines.append("yes: the country's own answer; ~ not reviewed (fuzzy); · the general answer is served")
        lines += [f"error: {message}" for message in self.errors]
        lines += [f"warning: {message}" for message in self.warnings]
        lines.append("ok" if self.ok else f"{len(self.errors)} errors")
        return "\n".join(lines)


def check(examples: list[Example], answers: Answers, languages: tuple[str, ...]) -> Report:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for example in examples:
        counts[(example.intent, example.language)] += 1
        owners[(example.language, example.text.casefold().strip())].add(example.intent)
    report = Report(list(languages), {})
    for intent in INTENTS:
        row = {}
        context = f"answer:{intent}"
        for language in languages:
            translation = answers.translations.get(language, {}).get(context)
            answered = context in answers.source and (language == "en" or translation is not None)
            fuzzy = bool(translation and translation.fuzzy)
            row[language] = Cell(counts[(intent, language)], answered, fuzzy)
            if not answered:
                report.errors.append(f"{intent} has no answer in {language}")
            if (count := counts[(intent, language)]) < MIN_EXAMPLES:
                report.errors.append(f"{intent} has {count} examples in {language} (at least {MIN_EXAMPLES})")
            if fuzzy:
                report.warnings.append(f"{intent} in {language} is not reviewed (fuzzy)")
        report.matrix[intent] = row
    for language, entries in answers.translations.items():
        for context, translation in entries.items():
            source = answers.source.get(context)
            if source is not None and placeholders_of(translation.text) != placeholders_of(source):
                report.errors.append(f"{context} in {language}: placeholders differ from the source text")
            if len(translation.text) > TELEGRAM_LIMIT:
                report.errors.append(f"{context} in {language} is longer than Telegram's {TELEGRAM_LIMIT} characters")
            elif context.startswith("answer:") and len(translation.text) > WHATSAPP_INTERACTIVE_LIMIT:
                report.warnings.append(
                    f"{context} in {language} is split on WhatsApp (over {WHATSAPP_INTERACTIVE_LIMIT})"
                )
    for context in answers.source:
        if VARIANT_MARK not in context:
            continue
        if general_context(context) not in answers.source:
            report.errors.append(f"{context} is a variant of {general_context(context)}, which does not exist")
        row = {}
        for language in languages:
            translation = answers.translations.get(language, {}).get(context)
            if (translation is not None and not translation.fuzzy) or (language == "en" and translation is None):
                row[language] = "ok"
            else:
                # English is the source: an unsure fact is flagged there too
                row[language] = "fuzzy" if translation is not None else "general"
        report.variants[context.removeprefix("answer:")] = row
    for (language, text), intents in owners.items():
        if len(intents) > 1:
            report.errors.append(f"'{text}' ({language}) is an example of {', '.join(sorted(intents))}")
    return report


def check_directory(problems: list[str], services, stale_days: int, today: dt.date) -> tuple[list[str], list[str]]:
    """Errors: the HSDS file's problems. Warnings: entries not verified for ``stale_days``, samples."""
    errors = [f"directory: {problem}" for problem in problems]
    warnings = []
    for service in services:
        if service.assured is None or (today - service.assured).days > stale_days:
            when = service.assured.isoformat() if service.assured else "never"
            warnings.append(f"directory: '{service.name}' not verified in {stale_days} days (last: {when})")
    samples = sum(1 for service in services if service.sample)
    if samples:
        warnings.append(f"directory: {samples} sample entries: replace them with your partners before going live")
    return errors, warnings
