"""Channel settings from the environment. A channel whose settings are absent is simply off."""

from __future__ import annotations

import os
from collections.abc import Mapping

from bot.channels.telegram import DEFAULT_API_URL as TELEGRAM_DEFAULT_URL
from bot.channels.telegram import TelegramSettings
from bot.channels.whatsapp import DEFAULT_API_URL as WHATSAPP_DEFAULT_URL
from bot.channels.whatsapp import WhatsAppSettings

WHATSAPP_REQUIRED = ("WHATSAPP_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN", "WHATSAPP_PHONE_NUMBER_ID")


def telegram_settings(env: Mapping[str, str] = os.environ) -> TelegramSettings | None:
    token = env.get("TELEGRAM_BOT_TOKEN")
    if not token:
        return None
    return TelegramSettings(
        token=token,
        webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET") or None,
        api_url=env.get("TELEGRAM_API_URL") or TELEGRAM_DEFAULT_URL,
        public_url=env.get("PUBLIC_URL") or None,
    )


def whatsapp_settings(env: Mapping[str, str] = os.environ) -> WhatsAppSettings | None:
    if not all(env.get(name) for name in WHATSAPP_REQUIRED):
        return None
    return WhatsAppSettings(
        token=env["WHATSAPP_TOKEN"],
        app_secret=env["WHATSAPP_APP_SECRET"],
        verify_token=env["WHATSAPP_VERIFY_TOKEN"],
        phone_number_id=env["WHATSAPP_PHONE_NUMBER_ID"],
        api_url=env.get("WHATSAPP_API_URL") or WHATSAPP_DEFAULT_URL,
        template_name=env.get("WHATSAPP_TEMPLATE_NAME") or "helpline_follow_up",
        template_language=env.get("WHATSAPP_TEMPLATE_LANGUAGE") or "en",
    )


def missing_whatsapp_settings(env: Mapping[str, str] = os.environ) -> list[str]:
    """Names of the WhatsApp variables still missing when some are set (a half-configured channel)."""
    missing = [name for name in WHATSAPP_REQUIRED if not env.get(name)]
    return missing if len(missing) < len(WHATSAPP_REQUIRED) else []
