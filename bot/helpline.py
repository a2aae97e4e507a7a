"""The helpline service: one message in, one reply out, everything stored.

Order matters: the inbound message is stored first, so whatever fails afterwards (the NLU
server, a broken translation) the message is kept and the migrant still gets a reply.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from anyio import to_thread
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from sqlalchemy.orm import Session, sessionmaker

from bot import privacy
from bot.agencies import Register
from bot.answers import VARIANT_MARK, Answers, general_context
from bot.cases import actions as cases
from bot.cases import referrals
from bot.cases.notices import escalation_notice, phone_number, status_notice
from bot.cases.queue import DEFAULT_HANDLING_MINUTES, estimated_wait_minutes
from bot.dialogue import COUNTRY_LABEL, LAWYER_BUTTON, Action, Button, Dialogue, Evidence, Turn
from bot.directory.cards import service_card
from bot.directory.hsds import read_services
from bot.directory.matching import Where, match_services
from bot.directory.services import Service, service_from_hsds
from bot.intents import INTENTS
from bot.language import Detection, LanguageDetector
from bot.language.scripts import analysable
from bot.nlu.client import NluError, NluResult, RasaClient
from bot.paths import Paths
from bot.places import Gazetteer
from bot.profile import HelplineProfile, load_profile
from bot.safety import SafetyNet
from bot.store import actions
from bot.training_data import read_examples

log = logging.getLogger(__name__)


# What a channel hands over: the language hint (Telegram's language_code) is a prior, not an answer.
Inbound = actions.Received

# Partner services shown at a time; "More services" shows the next ones.
SERVICES_PER_PAGE = 3


@dataclass(frozen=True)
class ButtonView:
    label: str
    payload: str


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[ButtonView, ...]
    language: str
    detected_language: str | None
    intent: str | None
    confidence: float | None
    topic: str | None
    urgent: bool
    action: str
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    message_id: int | None = None  # the stored outbound message, for delivery status
    conversation_id: int | None = None

    def as_json(self) -> dict:
        return {
            "language": self.language,
            "detected_language": self.detected_language,
            "intent": self.intent,
            "confidence": None if self.confidence is None else round(self.confidence, 4),
            "topic": self.topic,
            "urgent": self.urgent,
            "action": self.action,
            "reply": self.text,
            "buttons": [{"label": b.label, "payload": b.payload} for b in self.buttons],
        }


def language_names(languages: tuple[str, ...], overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Each language's name in itself, for the language menu ("Русский", "Tiếng Việt")."""
    names = {}
    for code in languages:
        name = (overrides or {}).get(code) or Locale.parse(code).get_language_name() or code
        names[code] = name[:1].upper() + name[1:]
    return names


def detection_samples(paths: Paths, answers: Answers) -> list[tuple[str, str]]:
    """The served languages' own text: training examples and translated answers."""
    samples = [(example.language, example.text) for example in read_examples(paths.intents)]
    for language, entries in answers.translations.items():
        # country variants quote offices in the country's language ("трудовой договор" in a Tajik
        # text, "고용센터" in a Thai one): evidence of the wrong language
        samples.extend((language, entry.text) for context, entry in entries.items() if VARIANT_MARK not in context)
    return samples


@dataclass(frozen=True)
class Content:
    """Everything an editor changes: profile, answers, language evidence, safety phrases."""

    profile: HelplineProfile
    answers: Answers
    detector: LanguageDetector
    safety: SafetyNet
    places: Gazetteer = field(default_factory=lambda: Gazetteer({}, {}))
    services: tuple[Service, ...] = ()
    register: Register | None = None

    @classmethod
    def load(cls, paths: Paths) -> Content:
        profile = load_profile(paths.profile)
        answers = Answers.load(paths.locales, serve_fuzzy=profile.serve_fuzzy)
        detector = LanguageDetector(
            detection_samples(paths, answers), profile.languages, profile.closest_served, cache=paths.state / "cache"
        )
        directory = paths.directory(profile.id)
        records = read_services(directory) if directory.exists() else []
        services = tuple(service_from_hsds(record, profile.hours.timezone) for record in records)
        return cls(
            profile,
            answers,
            detector,
            SafetyNet.load(paths.safety),
            Gazetteer.load(paths.places),
            services,
            Register.load(paths.agencies(profile.id)),
        )

    def dialogue(self) -> Dialogue:
        names = language_names(self.profile.languages, self.profile.language_names)
        variants = {intent: self.answers.countries_of(f"answer:{intent}") for intent in INTENTS}
        return Dialogue(
            self.profile.languages,
            names,
            migrants_in=self.profile.migrants_in,
            variants={intent: countries for intent, countries in variants.items() if countries},
            referrals=frozenset(topic for service in self.services for topic in service.topics),
            agency_register=self.register is not None,
        )


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Helpline:
    def __init__(
        self,
        content: Content,
        nlu: RasaClient | None,
        sessions: sessionmaker[Session],
        clock: Callable[[], dt.datetime] = utc_now,
    ):
        self.nlu = nlu
        self.sessions = sessions
        self.clock = clock  # opening hours are decided with it, so tests can fix the time
        self.claimant = f"helpline-{uuid.uuid4().hex}"  # what handle() claims its messages as
        self.case_limits = cases.CaseLimits()  # new non-urgent cases per web origin and overall
        self.use(content)

    def use(self, content: Content) -> None:
        """Serve new content (a publication) from the next message on."""
        self.content = content
        self.profile = content.profile
        self.answers = content.answers
        self.detector = content.detector
        self.safety = content.safety
        self.dialogue = content.dialogue()
        self._placeholders: dict[str, dict[str, str]] = {}  # the profile's values per language

    @classmethod
    def from_paths(cls, paths: Paths, nlu: RasaClient | None, sessions: sessionmaker[Session]) -> Helpline:
        return cls(Content.load(paths), nlu, sessions)

    async def handle(
        self, inbound: Inbound, claimant: str | None = None, holding: set[int] | None = None
    ) -> Reply | None:
        """Store, understand and answer one message (None: a redelivered duplicate, or no reply due).

        The message is claimed by ``claimant`` (by default this helpline), so that no worker's sweep
        answers it meanwhile; while it is answered its id is in ``holding``, the set of claims a
        channel's sweeper renews."""
        started = time.perf_counter()
        # the channels clean what they receive; a direct caller's text is cleaned the same way, so
        # that what is stored, summarised into a case and analysed is one and the same
        inbound = replace(inbound, text=actions.storable(inbound.text))
        # Rasa parses while the message is committed: the two are independent, and the reply is
        # decided only once both are done, so the message is still stored before it is answered
        parsing = self._parse_ahead(inbound)
        stored = await self.receive(inbound, claimant or self.claimant)
        if stored is None:
            return None
        stored_in = time.perf_counter() - started
        if holding is not None:
            holding.add(stored.message_id)
        try:
            reply = await self.answer(inbound, stored, parsing=parsing)
        finally:
            if holding is not None:
                holding.discard(stored.message_id)
        if reply is not None:
            reply.timings["store"] = reply.timings.get("store", 0.0) + stored_in
        return reply

    def _parse_ahead(self, inbound: Inbound) -> asyncio.Future[NluResult] | None:
        """Rasa's parse of a message that will likely need one (words, not a command), started now.

        A parse that turns out unneeded (a duplicate, a flood, words that are a command after all)
        is left to finish and dropped: cancelling it would cost the connection to Rasa."""
        text = inbound.text.strip()
        if self.nlu is None or not text or text.startswith("/"):
            return None
        parsing = asyncio.ensure_future(self.nlu.parse(analysable(inbound.text)))
        parsing.add_done_callback(_drop_outcome)
        return parsing

    async def receive(self, inbound: Inbound, claimant: str | None = None) -> actions.Stored | None:
        """Commit the message (claimed by ``claimant``) before anything else happens to it; None for a duplicate."""
        return await to_thread.run_sync(actions.record_inbound, self.sessions, inbound, claimant, cases.open_case_in)

    async def answer(
        self,
        inbound: Inbound,
        stored: actions.Stored,
        delivery: str | None = None,
        claimant: str | None = None,
        parsing: asyncio.Future[NluResult] | None = None,
    ) -> Reply | None:
        """Decide, render and store the reply to a stored message; None when it gets no reply.

        A reply still to be delivered (``delivery`` "pending") is claimed by ``claimant``, the worker
        that will send it, so that a sweep sends it if that worker dies first. ``parsing`` is Rasa's
        parse of the message when it was started ahead."""
        timings: dict[str, float] = {}
        if stored.arrival is None:  # recovered: the case and pace may have changed since it arrived
            arrival = await to_thread.run_sync(
                actions.arrival_of, self.sessions, stored.conversation_id, cases.open_case_in
            )
            stored = replace(stored, arrival=arrival)
        turn, detection = await self._understand(inbound, stored, timings, parsing)
        turn = await self._with_case(turn, inbound, stored, detection)
        if turn.referral_outcome is not None:
            referral_id, outcome = turn.referral_outcome
            await to_thread.run_sync(
                referrals.record_outcome, self.sessions, stored.conversation_id, referral_id, outcome
            )
        turn = self._with_agency(self._with_agency_mention(turn, inbound.text))
        turn = self._with_services(turn)
        text = None if turn.silent else self.render(turn)
        analysis = actions.Analysis(
            language=turn.language,
            detected_language=detection.detected if detection else None,
            intent=turn.intent,
            confidence=turn.confidence,
            topic=turn.topic,
            urgent=turn.urgent,
        )
        started = time.perf_counter()
        outbound_id = await to_thread.run_sync(
            actions.record_turn,
            self.sessions,
            stored,
            analysis,
            text,
            turn.state,
            turn.erase_history,
            delivery,
            claimant,
        )
        timings["store"] = time.perf_counter() - started
        if turn.urgent:
            log.warning("urgent conversation %s (%s)", stored.conversation_id, turn.intent)
        if text is None:
            return None
        return Reply(
            text=text,
            buttons=tuple(ButtonView(self._label(b, turn.language), b.payload) for b in turn.buttons),
            language=turn.language,
            detected_language=analysis.detected_language,
            intent=turn.intent,
            confidence=turn.confidence,
            topic=turn.topic,
            urgent=turn.urgent,
            action=turn.action.value,
            timings=timings,
            message_id=outbound_id,
            conversation_id=stored.conversation_id,
        )

    async def _with_case(
        self, turn: Turn, inbound: Inbound, stored: actions.Stored, detection: Detection | None = None
    ) -> Turn:
        """The lawyer queue's part of the turn: silence while a lawyer has the case, the ticket
        and queue position on escalation or when asked, a callback number when one is sent."""
        case = stored.arrival.case if stored.arrival else None
        if case is not None and turn.erase_history:  # an open case keeps what the lawyer needs
            await to_thread.run_sync(privacy.request_erasure, self.sessions, stored.conversation_id)
            # the truth about where the case stands: with a lawyer, or still waiting for one
            notice = "ui:deleted_after_case" if case.status == "assigned" else "ui:deleted_while_waiting"
            return replace(turn, texts=(notice,), erase_history=False, extra={"ticket": case.ticket})
        if case is not None and case.status == "assigned" and turn.action is not Action.COMMAND:
            return replace(turn, texts=(), buttons=())  # the lawyer answers, live in the console
        if turn.extra.get("case") == "status":
            return replace(turn, texts=(status_notice(case),), extra=await self._case_values(case, turn.language))
        phone = phone_number(inbound.text) if case is not None and not turn.urgent else None
        if case is not None and phone:
            await to_thread.run_sync(cases.save_callback, self.sessions, case.id, phone)
            return replace(turn, texts=("ui:callback_saved",), buttons=(), extra={"phone": phone})
        if (
            case is not None
            and case.status == "waiting"
            and not (turn.handoff or turn.urgent)
            and turn.action is not Action.COMMAND
        ):
            # the lawyer will read the whole story: an FAQ answer now would talk past the case
            return replace(
                turn, texts=("ui:case_message_added",), buttons=(), referral=None, extra={"ticket": case.ticket}
            )
        if not turn.handoff:
            return turn
        intent, topic = turn.intent, turn.topic
        if topic in (None, "conversation"):  # "a lawyer please": the case is about what was asked before
            earlier = await to_thread.run_sync(actions.last_understood, self.sessions, stored.conversation_id)
            intent, topic = earlier or (None, None)
        if detection is not None and not detection.served:
            written_in = detection.detected
        else:
            served = self.profile.languages
            written_in = await to_thread.run_sync(
                actions.last_unserved_language, self.sessions, stored.conversation_id, served
            )
        summary = await to_thread.run_sync(actions.first_words, self.sessions, stored.conversation_id)
        areas = self.content.places.areas_of(turn.state.region)
        organization = self.profile.route(intent, areas, turn.language)
        escalation = cases.Escalation(
            turn.language,
            topic,
            turn.urgent,
            summary,
            written_in=written_in,
            organization=organization,
            intent=intent,
            origin=inbound.origin,
        )
        try:
            case = await to_thread.run_sync(
                cases.open_case,
                self.sessions,
                stored.conversation_id,
                escalation,
                self.profile.hotline,
                self.case_limits,
            )
        except cases.CaseLimited:
            log.warning("new case refused: too many opened lately (conversation %s)", stored.conversation_id)
            return replace(turn, texts=("ui:case_limited",), buttons=(), referral=None)
        notice = escalation_notice(case, turn.urgent, self.profile.hours.is_open(self.clock()))
        values = await self._case_values(case, turn.language)
        return replace(turn, texts=(*turn.texts, notice), extra={**turn.extra, **values})

    async def _case_values(self, case, language: str) -> dict[str, str]:
        if case is None:
            return {}
        busy = await to_thread.run_sync(cases.lawyers_busy, self.sessions)
        pace = await to_thread.run_sync(cases.handling_minutes, self.sessions, DEFAULT_HANDLING_MINUTES)
        wait = estimated_wait_minutes(case.position, busy, pace)
        opening = self.profile.hours.next_opening(self.clock())
        return {
            "ticket": case.ticket,
            "position": format_decimal(max(case.position, 1), locale=language),
            "wait": format_decimal(wait, locale=language),
            "opening": format_datetime(opening, "EEE HH:mm", tzinfo=self.profile.hours.timezone, locale=language)
            if opening
            else "",
        }

    async def _understand(
        self, inbound: Inbound, stored, timings, parsing: asyncio.Future[NluResult] | None = None
    ) -> tuple[Turn, Detection | None]:
        """The turn for one message; in a flood, a slow-down notice instead, unless it is urgent."""
        turn, detection = await self._understand_message(inbound, stored, timings, parsing)
        arrival = stored.arrival
        if arrival is not None and arrival.over_rate_limit and not turn.urgent:
            # someone in danger may write many times a minute: an urgent message is always answered
            return self.dialogue.rate_limited(stored.state, already_told=arrival.told_to_slow_down), None
        return turn, detection

    async def _understand_message(
        self, inbound: Inbound, stored, timings, parsing: asyncio.Future[NluResult] | None = None
    ) -> tuple[Turn, Detection | None]:
        text, state = inbound.text, stored.state
        # A first message without words ("/lawyer", a button, a photo) is answered in the language the
        # app or browser reports, when served, rather than in the profile's first language. Words are
        # detected with the report as a weak prior only (below).
        unspoken = state
        if not state.language and not state.language_choice:
            unspoken = replace(state, language=self.detector.served_hint(inbound.language_hint))
        if inbound.media_type and not text.strip():
            return self.dialogue.media(inbound.media_type, unspoken), None
        command = self.dialogue.command(text.strip(), unspoken)
        if command:
            return command, None
        wordless = self.dialogue.without_words(text, unspoken)
        if wordless:
            return wordless, None

        text = analysable(text)
        if parsing is None and self.nlu is not None:
            parsing = asyncio.ensure_future(self.nlu.parse(text))
        # what needs no NLU is worked out while Rasa parses
        started = time.perf_counter()
        detection = self.detector.detect(text[:1000], state.language, inbound.language_hint)
        timings["detect"] = time.perf_counter() - started
        safety = self.safety.check(text)
        where = self.content.places.find(text, home=self.profile.country)

        started = time.perf_counter()
        nlu = None
        if parsing is not None:
            try:
                nlu = await parsing
            except NluError as error:
                log.error("NLU unavailable, answering without it: %s", error)
        timings["nlu"] = time.perf_counter() - started

        return self.dialogue.decide(text, state, Evidence(detection, nlu, safety, where)), detection

    def _with_agency_mention(self, turn: Turn, text: str) -> Turn:
        """ "Is Ala-Too Jumush licensed?": an agency named in a question about recruitment is looked up."""
        register = self.content.register
        if register is None or turn.agency_query or turn.intent not in ("recruitment_fraud", "job_search"):
            return turn
        agency = register.mentioned_in(text)
        return replace(turn, agency_query=agency.name) if agency else turn

    def _with_agency(self, turn: Turn) -> Turn:
        register = self.content.register
        if register is None or not turn.agency_query:
            return turn
        lookup = register.lookup(turn.agency_query)
        language = turn.language
        updated = format_date(register.updated, "long", locale=language) if register.updated else "—"
        values = {"name": turn.agency_query, "updated": updated}
        answer: tuple[str, ...]
        buttons: tuple[Button, ...] = (Button("ui:button_check_agency", "/agency"), LAWYER_BUTTON)
        if lookup.agency is not None:
            agency = lookup.agency
            territories = Locale.parse(language).territories
            values |= {
                "agency": agency.name,
                "licence": agency.licence,
                "valid_until": format_date(agency.valid_until, "long", locale=language),
                "countries": ", ".join(territories.get(code, code) for code in agency.countries),
            }
            licensed = agency.licensed_on(self.clock().astimezone(self.profile.hours.timezone).date())
            answer = ("ui:agency_licensed",) if licensed else ("ui:agency_expired",)
        elif lookup.similar:
            answer = ("ui:agency_did_you_mean",)
            buttons = (
                *(Button(agency.name, f"/agency {agency.name}", translate=False) for agency in lookup.similar),
                LAWYER_BUTTON,
            )
        else:
            answer = ("ui:agency_not_found",)
        texts = tuple(context for context in turn.texts if context != "ui:did_it_help")
        return replace(turn, texts=(*texts, *answer), buttons=buttons, extra={**turn.extra, **values})

    def _with_services(self, turn: Turn) -> Turn:
        """Partner services for the turn's topic near the migrant, 1-3 at a time, or an honest none."""
        if turn.referral is None:
            return turn
        state = turn.state
        country = state.country or self.profile.known_country
        if country is None:  # nowhere to look yet: the country question comes first
            return turn
        places = self.content.places
        where = Where(country, places.areas_of(state.region) if state.region else ())
        languages = tuple(dict.fromkeys(code for code in (turn.language, state.language) if code))

        matches = match_services(
            self.content.services, turn.referral, where, languages, self.clock(), places.country_of
        )
        page = turn.services_page
        shown = matches[(page - 1) * SERVICES_PER_PAGE : page * SERVICES_PER_PAGE]
        before, after = _split_before_feedback(turn.texts)
        if not shown:
            if page > 1:
                return replace(turn, texts=(*before, "ui:services_none", *after), buttons=(LAWYER_BUTTON,))
            return replace(turn, texts=(*before, "ui:services_none", *after))
        cards = tuple(
            service_card(match, (page - 1) * SERVICES_PER_PAGE + number, turn.language, self.ui(turn.language))
            for number, match in enumerate(shown, start=1)
        )
        hint = ("ui:region_question",) if not state.region and page == 1 else ()
        buttons = turn.buttons
        if len(matches) > page * SERVICES_PER_PAGE:
            more = Button("ui:button_more_services", f"/services {turn.referral} {page + 1}")
            buttons = (more, *buttons) if buttons else (more, LAWYER_BUTTON)
        return replace(turn, texts=(*before, "ui:services_intro", *hint, *after), buttons=buttons, cards=cards)

    def ui(self, language: str) -> Callable[[str], str]:
        return lambda context: self.answers.text(context, language, {})

    def _label(self, button, language: str) -> str:
        if not button.translate:
            return button.label
        if button.label.startswith(COUNTRY_LABEL):
            code = button.label[len(COUNTRY_LABEL) :]
            return Locale.parse(language).territories.get(code, code)
        return self.answers.text(button.label, language, {})

    def text(self, context: str, language: str, **extra: str) -> str:
        """One catalog text in ``language``, filled in with the profile's values."""
        values = self._placeholders.get(language)
        if values is None:  # formatted once per language: every reply uses them
            values = self._placeholders[language] = self.profile.placeholders(language)
        return self.answers.text(context, language, {**values, **extra})

    def render(self, turn: Turn) -> str:
        extra = {key: value for key, value in turn.extra.items() if not key.endswith("_context")}
        if "topic_context" in turn.extra:
            extra["topic"] = self.answers.text(turn.extra["topic_context"], turn.language, {})
        if "media_context" in turn.extra:
            extra["media"] = self.answers.text(turn.extra["media_context"], turn.language, {})
        parts = []
        for language in (turn.language, *turn.also_in):
            values = dict(extra)
            country = turn.state.country or self.profile.known_country
            if country or extra.get("country"):
                code = extra.get("country") or country or ""
                values["country"] = Locale.parse(language).territories.get(code, code)
            for context in turn.texts:
                parts.append(self.text(context, language, **values))
                served = self.answers.resolve(context, language)
                if served != general_context(served) and not self.profile.known_country:
                    # the rules of one country: say which, so that a migrant elsewhere can change it
                    parts.append(self.text("ui:variant_note", language, **values))
                if context == "ui:services_intro":
                    parts.extend(turn.cards)
        return "\n\n".join(parts)


def _drop_outcome(parsing: asyncio.Future) -> None:
    """An unneeded parse ahead may fail unseen; its failure is logged where a parse is awaited."""
    if not parsing.cancelled():
        parsing.exception()


def _split_before_feedback(texts: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Services go after the answer and before "did this help?" or a question to the migrant."""
    for index, context in enumerate(texts):
        if context in ("ui:did_it_help", "ui:country_question") or context.startswith("ui:case_"):
            return texts[:index], texts[index:]
    return texts, ()
