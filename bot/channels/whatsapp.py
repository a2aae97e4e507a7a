"""WhatsApp Cloud API: webhook verification and signed notifications in, Graph API sends out.

A small httpx client rather than a framework: the Graph API needs a handful of JSON shapes, and
the base URL must point at a local fake in tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from dataclasses import dataclass

import httpx
from anyio import to_thread

from bot.channels.base import Channel
from bot.channels.delivery import SendError, Sent, deliver
from bot.channels.text import shorten, split_message
from bot.helpline import Helpline, Inbound, Reply
from bot.store import actions

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
DEFAULT_API_URL = "https://graph.facebook.com"
GRAPH_VERSION = "v21.0"
TEXT_LIMIT = 4096
INTERACTIVE_BODY_LIMIT = 1024
BUTTON_TITLE_LIMIT = 20
MAX_BUTTONS = 3
ROW_TITLE_LIMIT = 24
MAX_ROWS = 10
SERVICE_WINDOW = dt.timedelta(hours=24)
STATUSES = ("sent", "delivered", "read", "failed")
MEDIA_KINDS = {"image": "photo", "audio": "audio", "video": "video", "document": "document", "sticker": "sticker"}


@dataclass(frozen=True)
class WhatsAppSettings:
    token: str
    app_secret: str
    verify_token: str
    phone_number_id: str
    api_url: str = DEFAULT_API_URL
    template_name: str = "helpline_follow_up"
    template_language: str = "en"


@dataclass(frozen=True)
class StatusUpdate:
    message_id: str
    status: str


def signature_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    """X-Hub-Signature-256: 'sha256=' + HMAC-SHA256 of the raw body with the app secret."""
    if not header or not header.startswith("sha256="):
        return False
    expected = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.encode())


def _inbound(message: dict) -> Inbound | None:
    sender, external_id, kind = message.get("from"), message.get("id"), message.get("type")
    if not isinstance(sender, str) or not isinstance(external_id, str):
        return None
    if kind == "text":
        return Inbound(CHANNEL, sender, str((message.get("text") or {}).get("body", "")), None, external_id)
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        choice = interactive.get("button_reply") or interactive.get("list_reply") or {}
        return Inbound(CHANNEL, sender, str(choice.get("id", "")), None, external_id)
    if kind == "button":  # a quick-reply button of a template
        button = message.get("button") or {}
        return Inbound(CHANNEL, sender, str(button.get("payload") or button.get("text") or ""), None, external_id)
    if kind == "location":
        place = message.get("location") or {}
        return Inbound(
            CHANNEL, sender, "", None, external_id, "location", f"{place.get('latitude')},{place.get('longitude')}"
        )
    if kind in MEDIA_KINDS:
        media = message.get(kind) or {}
        media_type = "voice" if kind == "audio" and media.get("voice") else MEDIA_KINDS[kind]
        return Inbound(CHANNEL, sender, str(media.get("caption") or ""), None, external_id, media_type, media.get("id"))
    # reactions, unsupported types: keep them, answered like an attachment without words
    return Inbound(CHANNEL, sender, "", None, external_id, "document", None)


def parse_notification(payload: dict) -> tuple[list[Inbound], list[StatusUpdate]]:
    """Messages and delivery statuses from one webhook notification (documented shape)."""
    messages: list[Inbound] = []
    statuses: list[StatusUpdate] = []
    for entry in payload.get("entry") or []:
        for change in (entry or {}).get("changes") or []:
            value = (change or {}).get("value") or {}
            for message in value.get("messages") or []:
                inbound = _inbound(message or {})
                if inbound is not None:
                    messages.append(inbound)
            for status in value.get("statuses") or []:
                if (status or {}).get("status") in STATUSES and isinstance(status.get("id"), str):
                    statuses.append(StatusUpdate(status["id"], status["status"]))
    return messages, statuses


def within_service_window(last_inbound_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Free-form messages are allowed for 24 hours after the migrant last wrote."""
    return last_inbound_at is not None and now - last_inbound_at < SERVICE_WINDOW


def reply_payloads(to: str, reply: Reply, list_button: str) -> list[dict]:
    """Graph API message bodies: text parts, the last one interactive when there are buttons."""
    base = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
    if not reply.buttons:
        return [{**base, "type": "text", "text": {"body": part}} for part in split_message(reply.text, TEXT_LIMIT)]
    parts = split_message(reply.text, TEXT_LIMIT)
    if len(parts[-1]) > INTERACTIVE_BODY_LIMIT:
        parts = parts[:-1] + split_message(parts[-1], INTERACTIVE_BODY_LIMIT)
    bodies = [{**base, "type": "text", "text": {"body": part}} for part in parts[:-1]]
    buttons = reply.buttons[:MAX_ROWS]
    if len(buttons) <= MAX_BUTTONS:
        action = {
            "buttons": [
                {"type": "reply", "reply": {"id": b.payload, "title": shorten(b.label, BUTTON_TITLE_LIMIT)}}
                for b in buttons
            ]
        }
        interactive = {"type": "button", "body": {"text": parts[-1]}, "action": action}
    else:
        rows = [{"id": b.payload, "title": shorten(b.label, ROW_TITLE_LIMIT)} for b in buttons]
        action = {"button": shorten(list_button, BUTTON_TITLE_LIMIT), "sections": [{"rows": rows}]}
        interactive = {"type": "list", "body": {"text": parts[-1]}, "action": action}
    bodies.append({**base, "type": "interactive", "interactive": interactive})
    return bodies


def template_payload(to: str, settings: WhatsAppSettings) -> dict:
    return {
        "messaging_product": "whatsapp",
        "to": to,
        "type": "template",
        "template": {"name": settings.template_name, "language": {"code": settings.template_language}},
    }


class WhatsAppChannel(Channel):
    name = CHANNEL

    def __init__(
        self, settings: WhatsAppSettings, helpline: Helpline, transport: httpx.AsyncBaseTransport | None = None
    ):
        super().__init__(helpline)
        self.settings = settings
        self.client = httpx.AsyncClient(
            base_url=settings.api_url.rstrip("/"),
            headers={"Authorization": f"Bearer {settings.token}"},
            timeout=httpx.Timeout(15.0, connect=5.0),
            transport=transport,
        )

    async def start(self) -> None:
        self.start_sweeper()

    async def stop(self) -> None:
        await self.stop_sweeper()
        await self.drain()
        await self.client.aclose()

    async def record_statuses(self, statuses: list[StatusUpdate]) -> None:
        for status in statuses:
            found = await to_thread.run_sync(
                actions.set_delivery_by_external_id, self.helpline.sessions, CHANNEL, status.message_id, status.status
            )
            if status.status == "failed":
                log.error("whatsapp: the platform reports a failed delivery (found: %s)", found)

    async def _post(self, body: dict) -> str | None:
        path = f"/{GRAPH_VERSION}/{self.settings.phone_number_id}/messages"
        try:
            response = await self.client.post(path, json=body)
        except httpx.HTTPError as error:
            raise SendError(f"whatsapp: {type(error).__name__}", retry_after=0.0) from error
        if response.status_code == 429 or response.status_code >= 500:
            retry = response.headers.get("retry-after")
            raise SendError(
                f"whatsapp: HTTP {response.status_code}", retry_after=float(retry) if retry and retry.isdigit() else 0.0
            )
        if response.status_code >= 400:
            raise SendError(f"whatsapp: HTTP {response.status_code}")
        try:
            return str(response.json()["messages"][0]["id"])
        except (ValueError, KeyError, IndexError, TypeError):
            return None

    async def send(self, recipient: str, reply: Reply, received_at: dt.datetime | None = None) -> bool:
        """Free-form within 24 hours of the migrant's last message, else the approved template."""
        if within_service_window(received_at, dt.datetime.now(dt.UTC)):
            list_button = self.helpline.text("ui:list_button", reply.language)
            bodies = reply_payloads(recipient, reply, list_button)
        else:
            bodies = [template_payload(recipient, self.settings)]
        sent_bodies = 0

        async def attempt() -> Sent:
            nonlocal sent_bodies
            last_id = None
            while sent_bodies < len(bodies):
                last_id = await self._post(bodies[sent_bodies])
                sent_bodies += 1
            return Sent(last_id)

        return await deliver(self.helpline.sessions, reply.message_id, CHANNEL, attempt)
