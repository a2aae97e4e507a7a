"""The dialogue core: what to answer, decided from facts about one message. No I/O here.

Channels turn their payloads into text (buttons send commands such as '/lang ru'); the helpline
service gathers the evidence (language, NLU, safety net) and this module decides the turn.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from enum import StrEnum

from bot.answers import variant_context
from bot.intents import INTENTS, MENU_TOPICS, URGENT_INTENTS, Topic, topic_of
from bot.language import Detection
from bot.nlu.client import NluResult
from bot.places import Whereabouts
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
    country: str | None = None  # where the migrant is (ISO 3166), from the profile, a message or /country
    region: str | None = None  # a place id from data/places.yml
    country_asked: bool = False  # asked once; never again unless the migrant sends /country
    pending: str | None = None  # what the last reply asked for: "agency", or "country:<intent>"


@dataclass(frozen=True)
class Evidence:
    detection: Detection
    nlu: NluResult | None  # None: the NLU server could not be reached
    safety: SafetyMatch | None
    whereabouts: Whereabouts | None = None  # a place named in the message


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
    referral: str | None = None  # partner services for this intent follow the texts
    services_page: int = 1
    agency_query: str | None = None  # an agency name to look up in the register
    cards: tuple[str, ...] = ()  # partner services as text, shown after 'ui:services_intro'
    referral_outcome: tuple[int, str] | None = None  # the migrant's answer to a referral's follow-up

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


COUNTRY_LABEL = "country:"  # a button label naming a country, in the reader's language
ASK_COUNTRY = "country:"  # pending: the country question, and the intent waiting for it
AGENCY = "agency"  # pending: the name of an agency to look up


def country_buttons(countries: tuple[str, ...]) -> tuple[Button, ...]:
    return (
        *(Button(f"{COUNTRY_LABEL}{code}", f"/country {code}") for code in countries),
        Button("ui:button_country_other", "/country other"),
    )


@dataclass(frozen=True)
class Dialogue:
    """Decides turns for one helpline: its served languages and their menu names."""

    languages: tuple[str, ...]
    language_names: dict[str, str]
    # where the migrants are: the country buttons, or the one country when there is only one
    migrants_in: tuple[str, ...] = ()
    # answers with country variants: intent -> countries
    variants: dict[str, frozenset[str]] = field(default_factory=dict)
    # intents the partner directory has services for
    referrals: frozenset[str] = frozenset()
    agency_register: bool = False

    @property
    def known_country(self) -> str | None:
        return self.migrants_in[0] if len(self.migrants_in) == 1 else None

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
        as_written = argument.strip()  # an agency's name, as the migrant wrote it
        argument = as_written.lower()
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
            case "country":
                return self._country(argument, language, state)
            case "referral" if len(argument.split()) == 2 and argument.split()[0].isdigit():
                referral_id, outcome = argument.split()
                buttons = (LAWYER_BUTTON,) if outcome != "helped" else ()
                return Turn(
                    language,
                    ("ui:referral_thanks",),
                    buttons,
                    state=state,
                    referral_outcome=(int(referral_id[:9]), outcome),
                )
            case "services" if argument.split(" ")[0] in self.referrals:
                intent, _, page = argument.partition(" ")
                return Turn(
                    language,
                    (),
                    (),
                    state=state,
                    referral=intent,
                    services_page=int(page) if page.isdigit() and 0 < int(page) < 100 else 1,
                )
            case "agency" if self.agency_register and argument:
                return Turn(language, (), (), state=replace(state, pending=None), agency_query=as_written[:200])
            case "agency" if self.agency_register:
                return Turn(language, ("ui:agency_prompt",), (LAWYER_BUTTON,), state=replace(state, pending=AGENCY))
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

    def _country(self, argument: str, language: str, state: ConversationState) -> Turn:
        """/country: the question with buttons; /country RU: answer the waiting question for Russia."""
        waiting = state.pending[len(ASK_COUNTRY) :] if (state.pending or "").startswith(ASK_COUNTRY) else ""
        if not argument:
            asked = replace(state, country_asked=True, pending=f"{ASK_COUNTRY}{waiting}")
            return Turn(language, ("ui:country_question",), country_buttons(self.migrants_in), state=asked)
        code = argument.upper()
        if len(code) != 2 or not code.isalpha():  # "other", or anything unknown: no country-specific rules
            code = None
        chosen = replace(
            state,
            country=code,
            region=state.region if code == state.country else None,
            country_asked=True,
            pending=None,
        )
        prefix = ("ui:country_set",) if code else ()
        if waiting in INTENTS:
            turn = self._answer(waiting, None, language, prefix, (), chosen)
            return replace(turn, extra={**turn.extra, **({"country": code} if code else {})})
        texts = prefix or ("ui:clarify",)
        return Turn(language, texts, (*topic_buttons(), LAWYER_BUTTON), state=chosen, extra={"country": code or ""})

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
        next_state = replace(state, language=language, pending=None)
        where = evidence.whereabouts
        if where is not None:
            region = where.region or (state.region if where.country == state.country else None)
            next_state = replace(next_state, country=where.country, region=region)
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
                referral=intent if intent in self.referrals else None,
            )

        if state.pending == AGENCY:  # the message is the agency's name
            return Turn(language, (), (), state=next_state, agency_query=text.strip()[:200])
        waiting = (state.pending or "")[len(ASK_COUNTRY) :] if (state.pending or "").startswith(ASK_COUNTRY) else ""
        if where is not None and waiting in INTENTS:  # "I'm in Moscow", answering the country question
            turn = self._answer(waiting, None, language, (*prefix, "ui:country_set"), (), next_state)
            return replace(turn, extra={**turn.extra, "country": where.country})
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
            return self._answer(nlu.intent, nlu.confidence, language, prefix, language_menu, next_state)
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
        intent: str,
        confidence: float | None,
        language: str,
        prefix: tuple[str, ...],
        language_menu: tuple[Button, ...],
        state: ConversationState,
    ) -> Turn:
        buttons: tuple[Button, ...] = language_menu
        handoff = False
        conversational = topic_of(intent) is CONVERSATIONAL
        if intent == "change_language":
            buttons = language_buttons(self.languages, self.language_names)
        elif intent in ("deny",):
            buttons += (*topic_buttons(), LAWYER_BUTTON)
        elif intent == "human_handoff":
            handoff = True
        elif not conversational:
            buttons += (*FEEDBACK_BUTTONS, LAWYER_BUTTON)
        if intent == "recruitment_fraud" and self.agency_register:
            buttons = (Button("ui:button_check_agency", "/agency"), *buttons)
        country = state.country or self.known_country
        varies = self.variants.get(intent, frozenset())
        texts = (*prefix, variant_context(f"answer:{intent}", country if country in varies else None))
        referral = intent if intent in self.referrals else None
        if varies and country is None and not state.country_asked and len(self.migrants_in) > 1:
            # the rules depend on the country: the general answer now, and the question, once
            return Turn(
                language,
                (*texts, "ui:country_question"),
                (*country_buttons(self.migrants_in), LAWYER_BUTTON),
                intent=intent,
                confidence=confidence,
                state=replace(state, country_asked=True, pending=f"{ASK_COUNTRY}{intent}"),
                action=Action.ANSWER,
                referral=referral,
            )
        if not conversational:
            texts += ("ui:did_it_help",)
        return Turn(
            language,
            texts,
            buttons,
            intent=intent,
            confidence=confidence,
            state=state,
            handoff=handoff,
            action=Action.ANSWER,
            referral=referral,
        )
