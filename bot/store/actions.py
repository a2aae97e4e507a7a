"""Writes to the store. The inbound message is committed before anything else happens to it,
so no failure later in the pipeline can lose it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    BindParameter,
    Insert,
    Select,
    Text,
    bindparam,
    cast,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot import privacy
from bot.cases.queue import CaseView
from bot.dialogue import RATE_LIMITED, ConversationState
from bot.events import CHANNEL, announce
from bot.store.models import Conversation, Message, UTCDateTime, utcnow


@dataclass(frozen=True)
class Analysis:
    language: str
    detected_language: str | None
    intent: str | None
    confidence: float | None
    topic: str | None
    urgent: bool


@dataclass(frozen=True)
class Received:
    """An inbound message as the pipeline needs it, whether just stored or recovered."""

    channel: str
    sender: str
    text: str
    language_hint: str | None = None
    external_id: str | None = None
    media_type: str | None = None
    media_ref: str | None = None
    # the web chat's client, as a keyed hash of its address (not stored with the message): new
    # cases per origin are limited; None on Telegram and WhatsApp, whose senders the platform knows
    origin: str | None = None


# More messages than this from one person in a minute get one friendly "slow down" and then
# are stored without replies until the minute is over.
RATE_LIMIT_PER_MINUTE = 20
RATE_WINDOW = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Arrival:
    """What the turn must know of its conversation as the message arrives. It is read in the
    transaction that stores the message: one round trip to the database instead of three."""

    case: CaseView | None  # the conversation's open case
    recent_inbound: int  # inbound messages of the last minute, this one included
    told_to_slow_down: bool  # the last minute's replies include the "slow down" notice

    @property
    def over_rate_limit(self) -> bool:
        return self.recent_inbound > RATE_LIMIT_PER_MINUTE


@dataclass(frozen=True)
class Stored:
    conversation_id: int
    message_id: int
    state: ConversationState
    received_at: dt.datetime | None = None  # when the inbound message arrived
    arrival: Arrival | None = None  # None for a recovered message: read afresh before answering


# A lone UTF-16 surrogate: no database stores it as UTF-8.
UNSTORABLE = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    # PostgreSQL text cannot hold NUL, and no database UTF-8 a lone surrogate (which a caller of
    # Helpline.handle other than the channels, e.g. `helpline ask`, may pass); keep everything else
    return UNSTORABLE.sub("\ufffd", text.replace("\x00", "\ufffd"))


# The per-message statements use the tables themselves (SQLAlchemy Core): the ORM's bookkeeping
# costs more CPU than the statements, and these statements load no objects anyway.
CONVERSATIONS, MESSAGES = Conversation.__table__, Message.__table__
_STATE_COLUMNS = tuple(
    CONVERSATIONS.c[name]
    for name in ("language", "language_choice", "urgent", "country", "region", "country_asked", "pending")
)


def _arrive(session: Session, channel: str, sender: str, now: dt.datetime) -> tuple[int, ConversationState]:
    """The sender's conversation (created on a first message) and its state, marked as written to
    now: one INSERT ... ON CONFLICT DO UPDATE ... RETURNING, on both databases (this runs for every
    message, and two workers may see a new sender's first messages at once)."""
    statement = _UPSERTS[session.get_bind().dialect.name]
    row = session.execute(
        statement, {"channel": channel, "sender": sender, "created_at": now, "updated_at": now, "last_inbound_at": now}
    ).one()
    values = row._asdict()
    return values.pop("id"), ConversationState(**values)


def _upsert(insert_for_dialect) -> Insert:
    statement = insert_for_dialect(CONVERSATIONS)
    return statement.on_conflict_do_update(
        index_elements=[CONVERSATIONS.c.channel, CONVERSATIONS.c.sender],
        set_={"last_inbound_at": statement.excluded.last_inbound_at},
    ).returning(CONVERSATIONS.c.id, *_STATE_COLUMNS)


# The statements every message runs are built once: building and keying a statement for
# SQLAlchemy's compiled cache costs more CPU than executing it on SQLite. Their values are passed
# as parameters at execution.
_UPSERTS = {"postgresql": _upsert(postgresql_insert), "sqlite": _upsert(sqlite_insert)}
_INSERT_MESSAGE = insert(MESSAGES).returning(MESSAGES.c.id)
_RECENT_INBOUND = select(func.count()).where(
    MESSAGES.c.conversation_id == bindparam("conversation_id"),
    MESSAGES.c.direction == "in",
    MESSAGES.c.created_at >= bindparam("since"),
)
_UPDATE_CONVERSATION = (
    update(CONVERSATIONS).where(CONVERSATIONS.c.id == bindparam("conversation_id")).returning(CONVERSATIONS.c.channel)
)
_UPDATE_MESSAGE = update(MESSAGES).where(MESSAGES.c.id == bindparam("message_id"))


def _postgresql_arrival() -> Select:
    """On PostgreSQL, one statement (one round trip) does what _arrive, the INSERT, announce and
    the pace count do in four on SQLite: the conversation upsert and the message INSERT as data-
    modifying CTEs, the last minute's count (which cannot see the new row: hence + 1) and pg_notify.
    Its parameters are named p_*: a parameter named like a column of an INSERT confuses the compiler."""

    def now(use: str) -> BindParameter:  # a name per use: the compiler wants an INSERT's values apart
        return bindparam(f"p_now_{use}", type_=UTCDateTime())

    upsert = postgresql_insert(CONVERSATIONS).values(
        channel=bindparam("p_channel"),
        sender=bindparam("p_sender"),
        created_at=now("created"),
        updated_at=now("updated"),
        last_inbound_at=now("written"),
        # in a CTE the columns' Python defaults are not filled in: given here
        urgent=false(),
        country_asked=false(),
        erase_requested=false(),
    )
    conversation = (
        upsert.on_conflict_do_update(
            index_elements=[CONVERSATIONS.c.channel, CONVERSATIONS.c.sender],
            set_={"last_inbound_at": upsert.excluded.last_inbound_at},
        )
        .returning(CONVERSATIONS.c.id, *_STATE_COLUMNS)
        .cte("conversation")
    )
    message = (
        insert(MESSAGES)
        .from_select(
            ["conversation_id", "direction", "channel", "text", "external_id", "media_type", "media_ref",
             "created_at", "claimed_by", "claimed_until", "urgent", "answered"],
            select(
                conversation.c.id, literal("in"), bindparam("p_message_channel"), bindparam("p_text"),
                bindparam("p_external_id"), bindparam("p_media_type"), bindparam("p_media_ref"), now("message"),
                bindparam("p_claimed_by"), bindparam("p_claimed_until", type_=UTCDateTime()), false(), false(),
            ),
            # the columns' Python defaults would be parameters named like the upsert's own
            include_defaults=False,
        )
        .returning(MESSAGES.c.id)
        .cte("message")
    )  # fmt: skip
    recent = (
        select(func.count())
        .where(
            MESSAGES.c.conversation_id == conversation.c.id,
            MESSAGES.c.direction == "in",
            MESSAGES.c.created_at >= bindparam("p_since", type_=UTCDateTime()),
        )
        .scalar_subquery()
    )
    # announce()'s payload to the letter (json.dumps), with the new conversation's id
    before, after = literal('{"kind": "message", "conversation_id": '), literal(', "case_id": null}')
    notice = before + cast(conversation.c.id, Text) + after
    return select(
        conversation.c.id.label("conversation_id"),
        *(conversation.c[column.name] for column in _STATE_COLUMNS),
        message.c.id.label("message_id"),
        (recent + 1).label("recent"),
        func.pg_notify(CHANNEL, notice).label("announced"),
    ).select_from(conversation.join(message, true()))


_POSTGRESQL_ARRIVAL = _postgresql_arrival()


_STATE_WRITTEN = ("language", "language_choice", "country", "region", "country_asked", "pending")
_UNDERSTOOD = ("language", "detected_language", "intent", "confidence", "topic", "urgent")


def _postgresql_turn() -> Select:
    """On PostgreSQL, one statement stores a turn with a reply: the conversation's new state, what
    was understood of the inbound message, the reply and its announcement (five round trips on
    SQLite). Parameters are named p_<table>_<column> for the same reason as above."""
    conversation = (
        update(CONVERSATIONS)
        .where(CONVERSATIONS.c.id == bindparam("p_conversation_id"))
        .values(
            **{name: bindparam(f"p_conversation_{name}") for name in _STATE_WRITTEN},
            updated_at=bindparam("p_conversation_updated_at", type_=UTCDateTime()),
            # never cleared here: a lawyer decides when a conversation stops being urgent
            urgent=CONVERSATIONS.c.urgent | bindparam("p_conversation_urgent"),
        )
        .returning(CONVERSATIONS.c.id, CONVERSATIONS.c.channel)
        .cte("conversation")
    )
    # PostgreSQL runs a data-modifying CTE whether or not the query reads it
    understood = (
        update(MESSAGES)
        .where(MESSAGES.c.id == bindparam("p_inbound_id"))
        .values(**{name: bindparam(f"p_inbound_{name}") for name in _UNDERSTOOD}, answered=true())
        .cte("understood")
    )
    shared = [name for name in _UNDERSTOOD if name != "detected_language"]
    reply = (
        insert(MESSAGES)
        .from_select(
            ["conversation_id", "direction", "channel", "text", "answered", "status", "created_at", "claimed_by",
             "claimed_until", *shared],
            select(
                conversation.c.id, literal("out"), conversation.c.channel, bindparam("p_reply_text"), true(),
                bindparam("p_reply_status", type_=MESSAGES.c.status.type),
                bindparam("p_reply_created_at", type_=UTCDateTime()), bindparam("p_reply_claimed_by"),
                bindparam("p_reply_claimed_until", type_=UTCDateTime()),
                # typed: a NULL in a SELECT list would otherwise be text, and no float
                *(bindparam(f"p_reply_{name}", type_=MESSAGES.c[name].type) for name in shared),
            ),
            include_defaults=False,
        )
        .returning(MESSAGES.c.id, MESSAGES.c.conversation_id)
        .cte("reply")
    )  # fmt: skip
    before, after = literal('{"kind": "message", "conversation_id": '), literal(', "case_id": null}')
    return (
        select(reply.c.id, func.pg_notify(CHANNEL, before + cast(reply.c.conversation_id, Text) + after))
        .select_from(reply)
        .add_cte(understood)
    )


_POSTGRESQL_TURN = _postgresql_turn()


def state_of(conversation: Conversation) -> ConversationState:
    return ConversationState(
        language=conversation.language,
        language_choice=conversation.language_choice,
        urgent=conversation.urgent,
        country=conversation.country,
        region=conversation.region,
        country_asked=conversation.country_asked,
        pending=conversation.pending,
    )


# How long a claim on an inbound message lasts unless its worker renews it.
CLAIM_LEASE = dt.timedelta(seconds=20)


OpenCaseLookup = Callable[[Session, int], CaseView | None]


def record_inbound(
    sessions: sessionmaker[Session],
    received: Received,
    claimant: str | None = None,
    open_case: OpenCaseLookup | None = None,
) -> Stored | None:
    """Store an inbound message, claimed by ``claimant`` when given; None for a redelivery.

    With ``open_case``, the conversation's open case and pace are read in the same transaction."""
    try:
        with sessions.begin() as session:
            now = utcnow()
            if session.get_bind().dialect.name == "postgresql":
                return _record_inbound_in_one(session, received, claimant, open_case, now)
            conversation_id, state = _arrive(session, received.channel, received.sender, now)
            message_id = session.scalar(
                _INSERT_MESSAGE,
                {
                    "conversation_id": conversation_id,
                    "direction": "in",
                    "channel": received.channel,
                    "text": storable(received.text),
                    "external_id": received.external_id,
                    "media_type": received.media_type,
                    "media_ref": received.media_ref,
                    "created_at": now,
                    "claimed_by": claimant,
                    "claimed_until": now + CLAIM_LEASE if claimant else None,
                },
            )
            announce(session, "message", conversation_id=conversation_id)
            arrival = _arrival(session, conversation_id, now, open_case) if open_case is not None else None
            return Stored(conversation_id, message_id, state, now, arrival)
    except IntegrityError:
        if received.external_id is None:
            raise
        return None  # a redelivery: the unique (channel, direction, external_id) caught it


def _record_inbound_in_one(
    session: Session, received: Received, claimant: str | None, open_case: OpenCaseLookup | None, now: dt.datetime
) -> Stored:
    row = session.execute(
        _POSTGRESQL_ARRIVAL,
        {
            "p_channel": received.channel,
            "p_message_channel": received.channel,
            "p_sender": received.sender,
            **{f"p_now_{use}": now for use in ("created", "updated", "written", "message")},
            "p_text": storable(received.text),
            "p_external_id": received.external_id,
            "p_media_type": received.media_type,
            "p_media_ref": received.media_ref,
            "p_claimed_by": claimant,
            "p_claimed_until": now + CLAIM_LEASE if claimant else None,
            "p_since": now - RATE_WINDOW,
        },
    ).one()
    state = ConversationState(**{column.name: row._mapping[column.name] for column in _STATE_COLUMNS})
    arrival = None
    if open_case is not None:
        arrival = _arrival(session, row.conversation_id, now, open_case, recent=row.recent)
    return Stored(row.conversation_id, row.message_id, state, now, arrival)


def _arrival(
    session: Session, conversation_id: int, now: dt.datetime, open_case: OpenCaseLookup, recent: int | None = None
) -> Arrival:
    """``recent``: the last minute's inbound count when already known."""
    since = now - RATE_WINDOW
    if recent is None:
        recent = session.scalar(_RECENT_INBOUND, {"conversation_id": conversation_id, "since": since})
    told = False
    if (recent or 0) > RATE_LIMIT_PER_MINUTE:  # only a flood pays for the second query
        last_intent = session.scalar(
            select(Message.intent)
            .where(Message.conversation_id == conversation_id, Message.direction == "out", Message.created_at >= since)
            .order_by(Message.id.desc())
            .limit(1)
        )
        told = last_intent == RATE_LIMITED
    return Arrival(open_case(session, conversation_id), recent or 0, told)


def arrival_of(sessions: sessionmaker[Session], conversation_id: int, open_case: OpenCaseLookup) -> Arrival:
    """The same reading for a message stored earlier (recovered after its worker died)."""
    with sessions() as session:
        return _arrival(session, conversation_id, utcnow(), open_case)


def record_turn(
    sessions: sessionmaker[Session],
    stored: Stored,
    analysis: Analysis,
    reply: str | None,
    state: ConversationState,
    erase_history: bool = False,
    delivery: str | None = None,
    claimant: str | None = None,
) -> int | None:
    """Save what the bot understood, its reply and the conversation's new state, atomically.

    Returns the outbound message's id (None when there is no reply); ``delivery`` is its initial
    status for channels that deliver asynchronously ("pending"), and ``claimant`` the worker that
    will deliver it (its claim lets a sweep deliver it if that worker dies first).
    """
    if erase_history:
        with sessions.begin() as session:
            conversation = session.get(Conversation, stored.conversation_id)
            if conversation is None:
                return None
            privacy.erase_conversation(session, conversation.id, "request")
            session.refresh(conversation)
            conversation.language_choice = state.language_choice
            conversation.language = state.language
            conversation.urgent = False
            return None
    now = utcnow()
    conversation_values = {
        "language": state.language,
        "language_choice": state.language_choice,
        "country": state.country,
        "region": state.region,
        "country_asked": state.country_asked,
        "pending": state.pending,
        "updated_at": now,
    }
    if state.urgent:  # never cleared here: a lawyer decides when a conversation stops being urgent
        conversation_values["urgent"] = True
    understood = dataclasses.asdict(analysis)  # the inbound message's columns; the reply's but one
    # Plain UPDATEs and one INSERT, with no reads first: this runs for every message.
    with sessions.begin() as session:
        if reply is not None and session.get_bind().dialect.name == "postgresql":
            return session.scalar(
                _POSTGRESQL_TURN,
                {
                    "p_conversation_id": stored.conversation_id,
                    **{f"p_conversation_{name}": conversation_values[name] for name in _STATE_WRITTEN},
                    "p_conversation_updated_at": now,
                    "p_conversation_urgent": state.urgent,
                    "p_inbound_id": stored.message_id,
                    **{f"p_inbound_{name}": value for name, value in understood.items()},
                    "p_reply_text": reply,
                    "p_reply_status": delivery,
                    "p_reply_created_at": now,
                    "p_reply_claimed_by": claimant,
                    "p_reply_claimed_until": now + CLAIM_LEASE if claimant else None,
                    **{f"p_reply_{name}": value for name, value in understood.items() if name != "detected_language"},
                },
            )  # None when the conversation was erased meanwhile: no reply row
        channel = session.scalar(
            _UPDATE_CONVERSATION, {"conversation_id": stored.conversation_id, **conversation_values}
        )
        if channel is None:  # erased meanwhile (retention, /delete on another device)
            return None
        session.execute(_UPDATE_MESSAGE, {"message_id": stored.message_id, **understood, "answered": True})
        if reply is None:
            return None
        outbound_id = session.scalar(
            _INSERT_MESSAGE,
            {
                "conversation_id": stored.conversation_id,
                "direction": "out",
                "channel": channel,
                "text": reply,
                "answered": True,
                "status": delivery,
                "created_at": now,
                "claimed_by": claimant,
                "claimed_until": now + CLAIM_LEASE if claimant else None,
                **{name: value for name, value in understood.items() if name != "detected_language"},
            },
        )
        announce(session, "message", conversation_id=stored.conversation_id)
        return outbound_id


def _claim(session: Session, claimable: tuple, claimant: str, now: dt.datetime, limit: int) -> list:
    """Claim up to ``limit`` messages matching ``claimable`` for ``claimant``: (message, conversation) rows.

    Atomic on both databases: the conditional update only takes a message still claimable, and on
    PostgreSQL SKIP LOCKED lets concurrent sweepers pass over rows another one is claiming."""
    candidates = list(
        session.scalars(
            select(Message.id).where(*claimable).order_by(Message.id).limit(limit).with_for_update(skip_locked=True)
        )
    )
    if not candidates:
        return []
    claimed = list(
        session.scalars(
            update(Message)
            .where(Message.id.in_(candidates), *claimable)
            .values(claimed_by=claimant, claimed_until=now + CLAIM_LEASE)
            .returning(Message.id)
        )
    )
    query = select(Message, Conversation).join(Conversation).where(Message.id.in_(claimed)).order_by(Message.id)
    return list(session.execute(query))


def claim_unanswered(
    sessions: sessionmaker[Session], channel: str, claimant: str, limit: int = 20
) -> list[tuple[Received, Stored]]:
    """Claim unanswered inbound messages nobody holds (or whose worker died: the lease expired)."""
    now = utcnow()
    claimable = (
        Message.direction == "in",
        Message.answered.is_(False),
        Message.channel == channel,
        or_(Message.claimed_until.is_(None), Message.claimed_until < now),
    )
    with sessions.begin() as session:
        return [
            (
                Received(
                    channel,
                    conversation.sender,
                    message.text,
                    None,
                    message.external_id,
                    message.media_type,
                    message.media_ref,
                ),
                Stored(conversation.id, message.id, state_of(conversation), message.created_at),
            )  # fmt: skip
            for message, conversation in _claim(session, claimable, claimant, now, limit)
        ]


def renew_claims(sessions: sessionmaker[Session], claimant: str, message_ids: list[int]) -> None:
    """A live worker keeps the messages it is answering, and the replies it is delivering."""
    if not message_ids:
        return
    with sessions.begin() as session:
        session.execute(
            update(Message)
            .where(Message.id.in_(message_ids), Message.claimed_by == claimant)
            .values(claimed_until=utcnow() + CLAIM_LEASE)
        )


@dataclass(frozen=True)
class Undelivered:
    """A stored reply whose worker died before delivering it."""

    message_id: int
    recipient: str
    text: str
    language: str | None
    topic: str | None
    urgent: bool
    last_inbound_at: dt.datetime | None


def claim_undelivered(
    sessions: sessionmaker[Session], channel: str, claimant: str, limit: int = 20
) -> list[Undelivered]:
    """Claim stored replies still 'pending' whose delivering worker's claim lapsed. Only claimed
    replies qualify: a reply sent without a claim (a lawyer's, from the console) is not taken
    from under its sender."""
    now = utcnow()
    claimable = (
        Message.direction == "out",
        Message.channel == channel,
        Message.status == "pending",
        Message.claimed_by.is_not(None),
        Message.claimed_until < now,
    )
    with sessions.begin() as session:
        return [
            Undelivered(
                message.id,
                conversation.sender,
                message.text,
                message.language,
                message.topic,
                message.urgent,
                conversation.last_inbound_at,
            )
            for message, conversation in _claim(session, claimable, claimant, now, limit)
        ]


def release_claims(sessions: sessionmaker[Session], claimant: str) -> int:
    """A stopping worker gives back the messages it claimed and has not answered, and the replies
    it stored and has not delivered (their claim lapses now: the next sweep sends them)."""
    with sessions.begin() as session:
        unanswered = session.execute(
            update(Message)
            .where(Message.claimed_by == claimant, Message.answered.is_(False), Message.direction == "in")
            .values(claimed_by=None, claimed_until=None)
        )
        undelivered = session.execute(
            update(Message)
            .where(Message.claimed_by == claimant, Message.direction == "out", Message.status == "pending")
            .values(claimed_until=utcnow() - dt.timedelta(seconds=1))
        )
        return unanswered.rowcount + undelivered.rowcount


def set_delivery(
    sessions: sessionmaker[Session],
    message_id: int,
    status: str,
    external_id: str | None = None,
    error: str | None = None,
) -> None:
    values: dict = {"status": status, "error": error[:255] if error else None}
    if external_id:
        values["external_id"] = external_id
    with sessions.begin() as session:
        session.execute(update(Message).where(Message.id == message_id).values(**values))


def set_delivery_by_external_id(sessions: sessionmaker[Session], channel: str, external_id: str, status: str) -> bool:
    """A platform's status report (sent, delivered, read, failed) for an outbound message."""
    with sessions.begin() as session:
        result = session.execute(
            update(Message)
            .where(Message.channel == channel, Message.direction == "out", Message.external_id == external_id)
            .values(status=status)
        )
        return result.rowcount > 0


def transcript(sessions: sessionmaker[Session], channel: str, sender: str) -> list[Message]:
    with sessions() as session:
        query = (
            select(Message)
            .join(Conversation)
            .where(Conversation.channel == channel, Conversation.sender == sender)
            .order_by(Message.id)
        )
        return list(session.scalars(query))


def last_unserved_language(
    sessions: sessionmaker[Session], conversation_id: int, served: tuple[str, ...]
) -> str | None:
    """The latest language the migrant wrote in that the helpline does not serve, if any."""
    with sessions() as session:
        return session.scalars(
            select(Message.detected_language)
            .where(
                Message.conversation_id == conversation_id,
                Message.direction == "in",
                Message.detected_language.is_not(None),
                Message.detected_language.not_in(served),
            )
            .order_by(Message.id.desc())
            .limit(1)
        ).first()


def first_words(sessions: sessionmaker[Session], conversation_id: int, limit: int = 280) -> str:
    """The migrant's own first words in the conversation (commands and buttons aside), for the queue."""
    with sessions() as session:
        text = session.scalar(
            select(Message.text)
            .where(Message.conversation_id == conversation_id, Message.direction == "in", ~Message.text.startswith("/"))
            .order_by(Message.id)
            .limit(1)
        )
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def last_understood(sessions: sessionmaker[Session], conversation_id: int) -> tuple[str, str] | None:
    """The latest (intent, topic) the bot understood in this conversation, conversation small talk aside."""
    with sessions() as session:
        row = session.execute(
            select(Message.intent, Message.topic)
            .where(
                Message.conversation_id == conversation_id,
                Message.direction == "in",
                Message.topic.is_not(None),
                Message.topic != "conversation",
            )
            .order_by(Message.id.desc())
            .limit(1)
        ).first()
        return (row.intent, row.topic) if row else None
