"""The dialogue core: what to answer, decided from facts about one message. No I/O here.

Channels turn their payloads into text (buttons send commands such as '/lang ru'); the helpline
service gathers the evidence (language, NLU, safety net) and this module decides the turn.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from enum import StrEnum

from bot.intents import MENU_TOPICS, URGENT_INTENTS, Topic, topic_of
from bot.language import Detection
from bot.nlu.client import NluResult
from bot.safety import SafetyMatch

# Rasa's confidence needed to answer an intent outright, or to offer it as a guess.
ANSWER_THRESHOLD = 0.45
GUESS_THRESHOLD = 0.25
# Urgent intents are answered at a lower confidence: a false alarm costs less than a miss.
URGENT_THRESHOLD = 0.30
# Below that, an urgent intent anywhere in the ranking still marks the conversation urgent and adds
# the emergency number under the answer: the cost is one extra line, the gain is nobody missed.
POSSIBLE_DANGER_THRESHOLD = 0.12
# Longer messages are stored whole but only their beginning is analysed.
LONG_MESSAGE_CHARS = 2000

# Answers after which the migrant is asked whether they helped.
CONVERSATIONAL = Topic.CONVERSATION


@dataclass(frozen=True)
class Button:
    label: str  # a catalog context ('ui:button_lawyer') or a literal label ('Русский')
    payload: str  # the command the button sends back
    translate: bool = True


@dataclass(frozen=True)
class ConversationState:
    language: str | None = None
    language_choice: str | None = None  # set by the migrant; wins until they change it
    urgent: bool = False


@dataclass(frozen=True)
class Evidence:
    detection: Detection
    nlu: NluResult | None  # None: the NLU server could not be reached
    safety: SafetyMatch | None


# The intent recorded for the "please slow down" reply, so that it is sent once per minute.
RATE_LIMITED = "rate_limited"
MEDIA_TYPES = ("photo", "voice", "audio", "video", "document", "location", "sticker")


class Action(StrEnum):
    """What the bot did with a message; intent and confidence say what it understood."""

    ANSWER = "answer"  # answered the understood intent
    URGENT = "urgent"  # safety reply, conversation marked urgent
    CLARIFY = "clarify"  # not sure enough: topic menu and the lawyer offered
    UNAVAILABLE = "nlu_unavailable"  # the NLU server could not be reached
    UNSERVED = "unserved_language"  # written in a language the helpline does not serve: not understood
    COMMAND = "command"  # a command or button
    PROMPT = "prompt"  # empty, unreadable or wordless message


@dataclass(frozen=True)
class Turn:
    language: str
    texts: tuple[str, ...]  # catalog contexts, rendered in order
    buttons: tuple[Button, ...] = ()
    intent: str | None = None
    confidence: float | None = None
    urgent: bool = False
    state: ConversationState = field(default_factory=ConversationState)
    erase_history: bool = False
    handoff: bool = False
    extra: dict[str, str] = field(default_factory=dict)
    action: Action = Action.COMMAND
    also_in: tuple[str, ...] = ()  # languages the texts are repeated in, after ``language``

    @property
    def silent(self) -> bool:
        """Stored and understood, but not answered (e.g. flooding after the rate-limit notice)."""
        return not self.texts

    @property
    def topic(self) -> str | None:
        topic = topic_of(self.intent)
        return topic.value if topic else None


def is_garbage(text: str) -> bool:
    """Binary or broken text: mostly control, private-use or replacement characters."""
    if not text:
        return False
    bad = sum(
        1
        for char in text
        if char == "\ufffd" or unicodedata.category(char) in ("Cc", "Co", "Cs", "Cn") and char not in "\n\r\t"
    )
    return bad * 4 >= len(text)


def has_letters(text: str) -> bool:
    return any(char.isalpha() for char in text)


def topic_buttons() -> tuple[Button, ...]:
    return tuple(Button(f"ui:topic_{topic.value}", f"/topic {topic.value}") for topic in MENU_TOPICS)


LAWYER_BUTTON = Button("ui:button_lawyer", "/lawyer")
FEEDBACK_BUTTONS = (
    Button("ui:button_yes", "/feedback yes"),
    Button("ui:button_no", "/feedback no"),
)


def language_buttons(languages: tuple[str, ...], names: dict[str, str]) -> tuple[Button, ...]:
    return tuple(Button(names[code], f"/lang {code}", translate=False) for code in languages)


@dataclass(frozen=True)
class Dialogue:
    """Decides turns for one helpline: its served languages and their menu names."""

    languages: tuple[str, ...]
    language_names: dict[str, str]

    def reply_language(self, state: ConversationState, detection: Detection | None) -> str:
        if state.language_choice:
            return state.language_choice
        if detection is not None:
            return detection.language
        return state.language or self.languages[0]

    def command(self, text: str, state: ConversationState) -> Turn | None:
        """Commands typed or sent by buttons; None when ``text`` is not a command."""
        if not text.startswith("/"):
            return None
        name, _, argument = text[1:].partition(" ")
        name = name.split("@")[0].lower()  # Telegram appends @botname in groups
        argument = argument.strip().lower()
        language = state.language_choice or state.language or self.languages[0]
        menu = language_buttons(self.languages, self.language_names)
        match name:
            case "start":
                return Turn(language, ("answer:greet",), menu, intent="greet", state=state)
            case "language" | "lang" if argument in self.languages:
                chosen = replace(state, language=argument, language_choice=argument)
                return Turn(argument, ("ui:language_set",), topic_buttons(), state=chosen)
            case "language" | "lang":
                return Turn(language, ("ui:language_menu",), menu, intent="change_language", state=state)
            case "lawyer":
                return Turn(
                    language,
                    ("answer:human_handoff",),
                    (),
                    intent="human_handoff",
                    state=state,
                    handoff=True,
                )
            case "status" | "ticket":
                return Turn(language, ("ui:case_position",), (), state=state, extra={"case": "status"})
            case "help":
                return Turn(
                    language,
                    ("answer:hotline_info", "ui:clarify"),
                    (*topic_buttons(), LAWYER_BUTTON),
                    intent="hotline_info",
                    state=state,
                )
            case "delete":
                return Turn(
                    language,
                    ("ui:deleted",),
                    (),
                    intent="data_privacy",
                    state=state,
                    erase_history=True,
                )
            case "topic" if argument in {topic.value for topic in MENU_TOPICS}:
                return Turn(
                    language,
                    ("ui:topic_prompt",),
                    (LAWYER_BUTTON,),
                    state=state,
                    extra={"topic_context": f"ui:topic_{argument}"},
                )
            case "feedback" if argument == "yes":
                return Turn(language, ("answer:affirm",), (), intent="affirm", state=state)
            case "feedback":
                return Turn(
                    language,
                    ("answer:deny",),
                    (*topic_buttons(), LAWYER_BUTTON),
                    intent="deny",
                    state=state,
                )
        return Turn(language, ("ui:clarify",), (*topic_buttons(), LAWYER_BUTTON), state=state)

    def media(self, media_type: str, state: ConversationState) -> Turn:
        """A photo, voice note, document, location or sticker without a question in words."""
        kind = media_type if media_type in MEDIA_TYPES else "document"
        language = self.reply_language(state, None)
        return Turn(
            language,
            ("ui:media_received",),
            (*topic_buttons(), LAWYER_BUTTON),
            state=state,
            action=Action.PROMPT,
            extra={"media_context": f"ui:media_{kind}"},
        )

    def rate_limited(self, state: ConversationState, already_told: bool) -> Turn:
        language = self.reply_language(state, None)
        texts = () if already_told else ("ui:rate_limited",)
        return Turn(language, texts, (), intent=RATE_LIMITED, state=state, action=Action.PROMPT)

    def without_words(self, text: str, state: ConversationState) -> Turn | None:
        """Empty, emoji-only or unreadable messages; None when the text has words."""
        language = self.reply_language(state, None)
        if not text.strip():
            return Turn(language, ("ui:empty_message",), state=state, action=Action.PROMPT)
        if is_garbage(text):
            return Turn(language, ("ui:unreadable_message",), state=state, action=Action.PROMPT)
        if not has_letters(text):
            return Turn(
                language,
                ("ui:clarify",),
                (*topic_buttons(), LAWYER_BUTTON),
                state=state,
                action=Action.PROMPT,
            )
        return None

    def decide(self, text: str, state: ConversationState, evidence: Evidence) -> Turn:
        detection = evidence.detection
        language = self.reply_language(state, detection)
        next_state = replace(state, language=language)
        prefix: tuple[str, ...] = ()
        if not detection.served and not state.language_choice:
            prefix += ("ui:unsupported_language",)
        if len(text) > LONG_MESSAGE_CHARS:
            prefix += ("ui:long_message",)
        language_menu = language_buttons(self.languages, self.language_names) if not detection.served else ()

        # in a language nobody serves, the NLU's guess means nothing: only the keyword net can raise the alarm
        urgent = self._urgent_intent(evidence if detection.served else replace(evidence, nlu=None))
        if urgent:
            intent, confidence = urgent
            return Turn(
                language,
                (*prefix, f"answer:{intent}"),
                (LAWYER_BUTTON,),
                intent=intent,
                confidence=confidence,
                urgent=True,
                state=replace(next_state, urgent=True),
                handoff=True,
                action=Action.URGENT,
            )

        if not detection.served:
            return self._unserved(language, state, next_state)
        nlu = evidence.nlu
        if nlu is not None and self._possible_danger(nlu):
            turn = self._understood(nlu, language, prefix, language_menu, next_state)
            texts = [context for context in turn.texts if context != "ui:did_it_help"] + ["ui:safety_check"]
            return replace(turn, texts=tuple(texts), urgent=True, state=replace(turn.state, urgent=True))
        if nlu is None:
            return Turn(
                language,
                (*prefix, "ui:nlu_unavailable"),
                (LAWYER_BUTTON,),
                state=next_state,
                action=Action.UNAVAILABLE,
            )
        return self._understood(nlu, language, prefix, language_menu, next_state)

    def _unserved(self, language: str, state: ConversationState, next_state: ConversationState) -> Turn:
        """Not understood, and not pretended to be: the first time, a notice in English and the
        helpline's main language with the language menu, the emergency number and a person; after
        the migrant chose a language, the topic menu in it."""
        if state.language_choice:
            return Turn(
                language,
                ("ui:clarify",),
                (*topic_buttons(), LAWYER_BUTTON),
                state=next_state,
                action=Action.UNSERVED,
            )
        also_in = tuple(
            lang for lang in dict.fromkeys(("en", self.languages[0])) if lang != language and lang in self.languages
        )
        return Turn(
            language,
            ("ui:unserved_language",),
            (*language_buttons(self.languages, self.language_names), LAWYER_BUTTON),
            state=next_state,
            action=Action.UNSERVED,
            also_in=also_in,
        )

    def _understood(self, nlu, language, prefix, language_menu, next_state) -> Turn:
        """An answer, a guessed topic, or the topic menu, by confidence."""
        if nlu.intent and nlu.confidence >= ANSWER_THRESHOLD:
            return self._answer(nlu, language, prefix, language_menu, next_state)
        guess = topic_of(nlu.intent)
        if guess and guess is not CONVERSATIONAL and nlu.confidence >= GUESS_THRESHOLD:
            return Turn(
                language,
                (*prefix, "ui:clarify_guess"),
                (*language_menu, *topic_buttons(), LAWYER_BUTTON),
                intent=nlu.intent,
                confidence=nlu.confidence,
                state=next_state,
                extra={"topic_context": f"ui:topic_{guess.value}"},
                action=Action.CLARIFY,
            )
        return Turn(
            language,
            (*prefix, "ui:clarify"),
            (*language_menu, *topic_buttons(), LAWYER_BUTTON),
            intent=nlu.intent,
            confidence=nlu.confidence,
            state=next_state,
            action=Action.CLARIFY,
        )

    @staticmethod
    def _possible_danger(nlu: NluResult) -> bool:
        scores = [score.confidence for score in nlu.ranking if score.name in URGENT_INTENTS]
        if nlu.intent in URGENT_INTENTS:
            scores.append(nlu.confidence)
        return max(scores, default=0.0) >= POSSIBLE_DANGER_THRESHOLD

    def _urgent_intent(self, evidence: Evidence) -> tuple[str, float | None] | None:
        nlu = evidence.nlu
        if nlu and nlu.intent in URGENT_INTENTS and nlu.confidence >= URGENT_THRESHOLD:
            return nlu.intent, nlu.confidence
        if evidence.safety:
            return evidence.safety.intent, nlu.confidence if nlu else None
        return None

    def _answer(
        self,
        nlu: NluResult,
        language: str,
        prefix: tuple[str, ...],
        language_menu: tuple[Button, ...],
        state: ConversationState,
    ) -> Turn:
        intent = nlu.intent
        assert intent is not None
        buttons: tuple[Button, ...] = language_menu
        handoff = False
        if intent == "change_language":
            buttons = language_buttons(self.languages, self.language_names)
        elif intent in ("deny",):
            buttons += (*topic_buttons(), LAWYER_BUTTON)
        elif intent == "human_handoff":
            handoff = True
        elif topic_of(intent) is not CONVERSATIONAL:
            buttons += (*FEEDBACK_BUTTONS, LAWYER_BUTTON)
        texts = (*prefix, f"answer:{intent}")
        if topic_of(intent) is not CONVERSATIONAL:
            texts += ("ui:did_it_help",)
        return Turn(
            language,
            texts,
            buttons,
            intent=intent,
            confidence=nlu.confidence,
            state=state,
            handoff=handoff,
            action=Action.ANSWER,
        )
