"""Conversations and their messages."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# SQLite and PostgreSQL integers are 64-bit: a larger id names nothing and must not reach the database.
MAX_ID = 2**63 - 1


def as_id(value: object) -> int | None:
    """A database id from a path, query or form value; None for anything else."""
    text = str(value)
    if not text.isascii() or not text.isdigit() or len(text) > 19 or int(text) > MAX_ID:
        return None
    return int(text)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


class Base(DeclarativeBase):
    pass


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "sender", name="uq_conversation_sender"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    sender: Mapped[str] = mapped_column(String(128))
    language: Mapped[str | None] = mapped_column(String(16))
    language_choice: Mapped[str | None] = mapped_column(String(16))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    # where the migrant is: the rules and the services near them depend on it
    country: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(64))
    country_asked: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # what the last reply asked for ("agency": the name of an agency to look up)
    pending: Mapped[str | None] = mapped_column(String(64))
    # the last time the migrant wrote: WhatsApp allows free-form replies for 24 hours after it
    last_inbound_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # /delete while a lawyer has an open case: erased when the case closes
    erase_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", order_by="Message.id"
    )


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("channel", "direction", "external_id", name="uq_message_external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(3))  # "in" or "out"
    lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("lawyers.id", ondelete="SET NULL"))  # a lawyer's reply
    channel: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    detected_language: Mapped[str | None] = mapped_column(String(16))
    intent: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None] = mapped_column(Float)
    topic: Mapped[str | None] = mapped_column(String(32))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    # the platform's id (Telegram update_id, WhatsApp message id): a redelivery is recognised by it
    external_id: Mapped[str | None] = mapped_column(String(128))
    # outbound delivery: pending, sent, delivered, read or failed
    status: Mapped[str | None] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(String(255))
    media_type: Mapped[str | None] = mapped_column(String(32))
    media_ref: Mapped[str | None] = mapped_column(String(512))
    # a lawyer's reply sent in machine translation: what the lawyer wrote, in their own language
    written_as: Mapped[str | None] = mapped_column(Text)
    # an editor's decision on a message the bot was unsure about: "example" or "out_of_scope"
    triage: Mapped[str | None] = mapped_column(String(16))
    # the worker answering an inbound message holds it until claimed_until, renewing while it works;
    # an expired claim means that worker died, and the sweeper of another takes the message over
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")

    @classmethod
    def outbound(
        cls, conversation_id: int, channel: str, text: str, *, status: str | None = "pending", **fields
    ) -> Message:
        """A message to the migrant (from the bot, a lawyer or the queue), not yet delivered."""
        fields.setdefault("created_at", utcnow())
        return cls(
            conversation_id=conversation_id, direction="out", channel=channel, text=text, answered=True, status=status,
            **fields,
        )  # fmt: skip


class Lawyer(Base):
    """A console user: lawyer, supervisor, editor or admin."""

    __tablename__ = "lawyers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    languages: Mapped[str] = mapped_column(String(128), default="")  # comma-separated codes
    topics: Mapped[str] = mapped_column(String(128), default="")  # comma-separated; empty = all
    # the languages the user reads, first the one machine translations are made into; empty: English
    reads: Mapped[str] = mapped_column(String(128), default="", server_default="")
    console_language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    # the partner organisation the user works for (a profile organisation id); None: the first one
    organization: Mapped[str | None] = mapped_column(String(64))
    # The console's cookie is signed but kept by the browser: it carries this number, and raising it
    # (logout) makes every cookie issued before worthless, replayed or not.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginThrottle(Base):
    """Failed console logins per address, user name, or both (bot/console/throttle.py)."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(320), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    blocked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Case(Base):
    """An escalated conversation waiting for, or handled by, a lawyer."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    ticket: Mapped[str | None] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="waiting", index=True)  # waiting, assigned, closed
    priority: Mapped[int] = mapped_column(Integer, default=1)  # 0 urgent, 1 normal
    language: Mapped[str | None] = mapped_column(String(16))
    # the language the migrant writes, when the helpline serves it not (the case is in ``language``)
    written_in: Mapped[str | None] = mapped_column(String(16))
    # whose queue the case is in (a profile organisation id, chosen by its routing rules); None: the first
    organization: Mapped[str | None] = mapped_column(String(64), index=True)
    topic: Mapped[str | None] = mapped_column(String(32))
    intent: Mapped[str | None] = mapped_column(String(64))  # what the migrant asked about, when understood
    channel: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text, default="")  # the migrant's own first words
    lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("lawyers.id", ondelete="SET NULL"))
    callback_phone: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str | None] = mapped_column(String(32))
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("lawyers.id", ondelete="SET NULL"))
    # an urgent case the lawyer found not urgent: the share of these is the triage's false-alarm rate
    false_alarm: Mapped[bool | None] = mapped_column(Boolean)
    # where a web chat's request came from, as a keyed hash of the client's address (never the
    # address itself): new cases per origin are limited, so that nobody floods the queue
    opened_from: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    assigned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    first_reply_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """Who viewed, claimed, replied to, transferred or closed which case, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("lawyers.id", ondelete="SET NULL"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(255), default="")


class CaseNote(Base):
    """A lawyer's private note on a case: never sent to the migrant."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("lawyers.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Referral(Base):
    """A lawyer sent the migrant to a partner service; the migrant is asked later whether it helped."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[str] = mapped_column(String(64))  # the HSDS service id
    service_name: Mapped[str] = mapped_column(String(255))
    partner: Mapped[str] = mapped_column(String(255), default="")  # the HSDS organization's name
    lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("lawyers.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    follow_up_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    followed_up_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(16))  # helped, not_helped, not_contacted
    outcome_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Media(Base):
    """A photo, voice note, audio, video or document of a message, fetched from the platform (or
    uploaded in the web chat). Erased with its message."""

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(16))  # stored, too_large, failed
    content_type: Mapped[str | None] = mapped_column(String(128))
    size: Mapped[int | None] = mapped_column(Integer)
    filename: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    error: Mapped[str | None] = mapped_column(String(255))
    transcript: Mapped[str | None] = mapped_column(Text)  # a voice note's words, when transcribed
    fetched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Translation(Base):
    """A machine translation of one message into one language, made once and kept."""

    __tablename__ = "translations"
    __table_args__ = (UniqueConstraint("message_id", "language", name="uq_translation_message_language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
