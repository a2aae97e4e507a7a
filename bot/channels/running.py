"""Starting and stopping the configured channels for the web server's lifetime."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

from bot.channels.config import missing_whatsapp_settings, telegram_settings, whatsapp_settings
from bot.channels.telegram import TelegramChannel
from bot.channels.whatsapp import WhatsAppChannel
from bot.helpline import Helpline

log = logging.getLogger(__name__)


@dataclass
class Channels:
    telegram: TelegramChannel | None = None
    whatsapp: WhatsAppChannel | None = None

    def describe(self) -> str:
        parts = ["web chat"]
        if self.telegram:
            parts.append(f"Telegram ({self.telegram.mode})")
        if self.whatsapp:
            parts.append("WhatsApp")
        return ", ".join(parts)


@contextlib.asynccontextmanager
async def no_channels(helpline: Helpline) -> AsyncIterator[Channels]:
    yield Channels()


@contextlib.asynccontextmanager
async def running_channels(helpline: Helpline, env: Mapping[str, str] = os.environ) -> AsyncIterator[Channels]:
    channels = Channels()
    if settings := telegram_settings(env):
        channels.telegram = TelegramChannel(settings, helpline)
        if settings.public_url and not settings.webhook_secret:
            log.error("TELEGRAM_WEBHOOK_SECRET is not set: the Telegram webhook will refuse every update")
    if settings := whatsapp_settings(env):
        channels.whatsapp = WhatsAppChannel(settings, helpline)
    elif missing := missing_whatsapp_settings(env):
        log.error("WhatsApp is off: %s not set", ", ".join(missing))
    started = []
    try:
        for channel in (channels.telegram, channels.whatsapp):
            if channel is not None:
                await channel.start()
                started.append(channel)
        log.info("channels on: %s", channels.describe())
        yield channels
    finally:
        for channel in reversed(started):
            await channel.stop()
