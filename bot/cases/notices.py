"""What the migrant is told about their case: pure choices from the case and the clock."""

from __future__ import annotations

import re

from bot.cases.queue import CaseView

# Digits with spaces, hyphens or brackets; dots are left out so that dates never look like phones.
# A full stop ending the sentence is not part of a date: "my number is +996 555 123 456." is a phone.
PHONE = re.compile(r"(?<![\d.])(\+?\d[\d\s()-]{7,18}\d)(?!\d|\.\d)")


def escalation_notice(case: CaseView, urgent: bool, lawyers_available_now: bool) -> str:
    if urgent:
        return "ui:case_urgent"
    if not lawyers_available_now:
        return "ui:case_after_hours"
    return "ui:case_created"


def status_notice(case: CaseView | None) -> str:
    if case is None:
        return "ui:case_no_case"
    if case.status == "assigned":
        return "ui:case_taken"
    return "ui:case_position"


def phone_number(text: str) -> str | None:
    """A phone number in the text, normalised to digits and a leading +; None if there is none."""
    match = PHONE.search(text)
    if not match:
        return None
    digits = re.sub(r"[^\d+]", "", match.group(1))
    return digits if sum(char.isdigit() for char in digits) >= 9 else None
