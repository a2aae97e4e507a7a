"""Telegram through python-telegram-bot: webhook (production) or long polling (quick start).

Only translation happens here: an Update becomes an Inbound for the helpline core, a Reply becomes
send_message calls with an inline keyboard.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hmac
import logging
import mimetypes
import os
from dataclasses import dataclass

# Opt in to PTB's future behaviour: durations (RetryAfter.retry_after) as timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.channels.base import Channel
from bot.channels.delivery import SendError, Sent, deliver
from bot.channels.leadership import LEADER_RETRY_SECONDS, lead_while_elected, lock_key
from bot.channels.shapes import storable
from bot.channels.text import split_message
from bot.helpline import Helpline, Inbound, Reply
from bot.media.fetching import MAX_MEDIA_BYTES, Fetched, MediaTooLarge, MediaUnavailable
from bot.store.db import libpq_url

log = logging.getLogger(__name__)

CHANNEL = "telegram"
MESSAGE_LIMIT = 4096
DEFAULT_API_URL = "https://api.telegram.org/bot"
COMMANDS = ("start", "language", "country", "lawyer", "status", "help", "delete")


@dataclass(frozen=True)
class TelegramSettings:
    token: str
    webhook_secret: str | None
    api_url: str
    public_url: str | None

    @property
    def file_url(self) -> str:
        """Where files are downloaded: https://api.telegram.org/file/bot<token>/<path>."""
        base = self.api_url.rstrip("/")
        return (base[: -len("/bot")] if base.endswith("/bot") else base) + "/file/bot"

    @property
    def webhook_url(self) -> str | None:
        return f"{self.public_url.rstrip('/')}/webhooks/telegram" if self.public_url else None


def media_of(message: Message) -> tuple[str | None, str | None]:
    """The kind of attachment and the reference a lawyer needs to fetch it later."""
    if message.photo:
        return "photo", message.photo[-1].file_id
    for kind in ("voice", "audio", "video", "document", "sticker", "video_note", "animation"):
        attachment = getattr(message, kind)
        if attachment is not None:
            return ("video" if kind in ("video_note", "animation") else kind), attachment.file_id
    if message.location is not None:
        return "location", f"{message.location.latitude},{message.location.longitude}"
    if message.contact is not None:
        return "document", f"contact:{message.contact.user_id or ''}"
    return None, None


def inbound_from_update(update: Update) -> Inbound | None:
    """A message or button press as the core's Inbound; None for update types the bot ignores."""
    external_id = str(update.update_id)
    query = update.callback_query
    if query is not None and query.message is not None:
        return storable(
            Inbound(CHANNEL, str(query.message.chat.id), _text(query.data), _hint(query.from_user), external_id)
        )
    message = update.message
    if message is None:
        return None
    media_type, media_ref = media_of(message)
    text = _text(message.text) or _text(message.caption)
    if not text and media_type is None:
        return None  # service messages (joins, pins): nothing to answer
    return storable(
        Inbound(CHANNEL, str(message.chat.id), text, _hint(message.from_user), external_id, media_type, media_ref)
    )


def _text(value: object) -> str:
    """PTB does not check types: a number where the text belongs is read as no text."""
    return value if isinstance(value, str) else ""


def _hint(user: object) -> str | None:
    code = getattr(user, "language_code", None)
    return code if isinstance(code, str) else None


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    rows = [[InlineKeyboardButton(button.label, callback_data=button.payload[:64])] for button in reply.buttons]
    return InlineKeyboardMarkup(rows)


def secret_matches(expected: str | None, given: str | None) -> bool:
    return bool(expected) and given is not None and hmac.compare_digest(expected.encode(), given.encode())


class TelegramChannel(Channel):
    """One bot; ``start`` registers the webhook when there is a public URL, else polls."""

    name = CHANNEL

    def __init__(self, settings: TelegramSettings, helpline: Helpline):
        super().__init__(helpline)
        self.settings = settings
        builder = ApplicationBuilder().token(settings.token).base_url(settings.api_url)
        builder = builder.base_file_url(settings.file_url)
        if settings.webhook_url:
            builder = builder.updater(None)
        self.application: Application = builder.build()
        self.application.add_handler(TypeHandler(Update, self._on_polled_update))
        self._election: asyncio.Task | None = None
        self.election_retry_seconds = LEADER_RETRY_SECONDS

    @property
    def mode(self) -> str:
        return "webhook" if self.settings.webhook_url else "polling"

    async def start(self) -> None:
        await self.application.initialize()
        await self._set_commands()
        if self.settings.webhook_url:
            await self.application.bot.set_webhook(
                self.settings.webhook_url,
                secret_token=self.settings.webhook_secret,
                allowed_updates=["message", "callback_query"],
            )
        else:
            await self.application.bot.delete_webhook()
            await self.application.start()
            engine = self.helpline.sessions.kw.get("bind")
            if engine is not None and engine.dialect.name == "postgresql":
                # several workers may share this database: the one elected polls
                self._election = asyncio.create_task(
                    lead_while_elected(
                        libpq_url(engine),
                        lock_key(self.settings.token),
                        self._start_polling,
                        self._stop_polling,
                        self.election_retry_seconds,
                    )
                )
            else:
                await self._start_polling()
        self.start_sweeper()

    @property
    def polling(self) -> bool:
        return bool(self.application.updater and self.application.updater.running)

    async def _start_polling(self) -> None:
        assert self.application.updater is not None
        await self.application.updater.start_polling(allowed_updates=["message", "callback_query"])

    async def _stop_polling(self) -> None:
        if self.polling:
            assert self.application.updater is not None
            await self.application.updater.stop()

    async def stop(self) -> None:
        await self.stop_sweeper()
        if self._election is not None:  # stepping down stops the polling; the lock goes with its connection
            self._election.cancel()
            await asyncio.gather(self._election, return_exceptions=True)
            self._election = None
        if self.application.updater and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.finish()
        await self.application.shutdown()

    async def _set_commands(self) -> None:
        answers = self.helpline.answers
        try:
            for language in self.helpline.profile.languages:
                commands = [BotCommand(name, answers.raw(f"ui:command_{name}", language)) for name in COMMANDS]
                await self.application.bot.set_my_commands(commands, language_code=language)
        except TelegramError as error:
            log.warning("telegram: could not set the command menu: %s", type(error).__name__)

    # -- inbound -------------------------------------------------------------------------------

    def parse(self, payload: dict) -> Update:
        return Update.de_json(payload, self.application.bot)

    async def accept_update(self, update: Update) -> bool:
        """Store the update's message (before the webhook is acknowledged) and answer it in the
        background. False when there was nothing new to answer."""
        inbound = inbound_from_update(update)
        if inbound is None:
            log.info("telegram: ignored an update without a message")
            return False
        query = update.callback_query

        async def stop_spinner() -> None:
            if query is not None:
                with contextlib.suppress(TelegramError):
                    await query.answer()

        return await self.accept(inbound, stop_spinner)

    async def _on_polled_update(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(update, Update):
            await self.accept_update(update)

    # -- media -------------------------------------------------------------------------------

    async def fetch_media(self, reference: str) -> Fetched:
        """getFile, then the download; the Bot API gives bots files up to 20 MB."""
        try:
            file = await self.application.bot.get_file(reference)
            if file.file_size and file.file_size > MAX_MEDIA_BYTES:
                raise MediaTooLarge(file.file_size)
            data = bytes(await file.download_as_bytearray())
        except BadRequest as error:
            if "too big" in str(error).lower():
                raise MediaTooLarge(None) from error
            raise MediaUnavailable(f"telegram: {type(error).__name__}") from error
        except TelegramError as error:
            raise MediaUnavailable(f"telegram: {type(error).__name__}") from error
        if len(data) > MAX_MEDIA_BYTES:
            raise MediaTooLarge(len(data))
        name = (file.file_path or "").rsplit("/", 1)[-1] or None
        return Fetched(data, mimetypes.guess_type(name or "")[0] or "application/octet-stream", name)

    # -- outbound ------------------------------------------------------------------------------

    async def send(self, chat_id: str, reply: Reply, received_at: dt.datetime | None = None) -> bool:
        parts = split_message(reply.text, MESSAGE_LIMIT)
        markup = keyboard(reply)
        sent_parts = 0  # a retry resumes after the parts already sent

        async def attempt() -> Sent:
            nonlocal sent_parts
            last = None
            while sent_parts < len(parts):
                is_last = sent_parts == len(parts) - 1
                try:
                    last = await self.application.bot.send_message(
                        chat_id, parts[sent_parts], reply_markup=markup if is_last else None
                    )
                except RetryAfter as error:
                    wait = error.retry_after
                    seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
                    raise SendError("telegram: 429 flood control", retry_after=seconds) from error
                except (Forbidden, BadRequest) as error:
                    raise SendError(f"telegram: {type(error).__name__}") from error
                except NetworkError as error:  # timeouts and 5xx
                    raise SendError(f"telegram: {type(error).__name__}", retry_after=0.0) from error
                sent_parts += 1
            return Sent(str(last.message_id) if last else None)

        return await deliver(self.helpline.sessions, reply.message_id, CHANNEL, attempt)
