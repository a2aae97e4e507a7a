"""The intent taxonomy: a contract shared with evaluation tools, so names never change."""

from enum import StrEnum


class Topic(StrEnum):
    VISA = "visa"
    MEDICAL = "medical"
    EMPLOYMENT = "employment"
    SAFETY = "safety"
    SUPPORT = "support"
    CONVERSATION = "conversation"


TAXONOMY: dict[Topic, tuple[str, ...]] = {
    Topic.VISA: (
        "visa_extension",
        "visa_change",
        "visa_overstay",
        "residence_registration",
        "work_permit",
        "lost_documents",
        "entry_ban",
        "family_reunion",
    ),
    Topic.MEDICAL: ("medical_emergency", "find_doctor", "health_insurance", "mental_health"),
    Topic.EMPLOYMENT: (
        "unpaid_wages",
        "job_search",
        "change_employer",
        "employment_contract",
        "dismissal",
        "workplace_abuse",
        "workplace_injury",
        "recruitment_fraud",
    ),
    Topic.SAFETY: ("trafficking", "domestic_violence", "self_harm"),
    Topic.SUPPORT: ("return_home", "children_support"),
    Topic.CONVERSATION: (
        "greet",
        "goodbye",
        "thanks",
        "affirm",
        "deny",
        "human_handoff",
        "change_language",
        "hotline_info",
        "data_privacy",
        "bot_challenge",
    ),
}

INTENTS: tuple[str, ...] = tuple(name for names in TAXONOMY.values() for name in names)
TOPIC_OF: dict[str, Topic] = {name: topic for topic, names in TAXONOMY.items() for name in names}

# Someone may be in danger: answered at once with emergency numbers, and first in the lawyer queue.
URGENT_INTENTS: frozenset[str] = frozenset({"trafficking", "domestic_violence", "self_harm", "medical_emergency"})

# Topics offered as buttons when the bot is unsure what the question is about.
MENU_TOPICS: tuple[Topic, ...] = (
    Topic.VISA,
    Topic.EMPLOYMENT,
    Topic.MEDICAL,
    Topic.SAFETY,
    Topic.SUPPORT,
)


def topic_of(intent: str | None) -> Topic | None:
    return TOPIC_OF.get(intent) if intent else None
