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
from bot.channels.shapes import MAX_ID_CHARS, storable
from bot.channels.text import shorten, split_message
from bot.helpline import Helpline, Inbound, Reply
from bot.media.fetching import MAX_WHATSAPP_MEDIA_BYTES, Fetched, MediaTooLarge, MediaUnavailable
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


def _dict(value: object) -> dict:
    """The notification's documented objects; anything else (a string, a list) reads as empty."""
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _inbound(message: dict) -> Inbound | None:
    sender, external_id, kind = message.get("from"), message.get("id"), message.get("type")
    if not isinstance(sender, str) or not isinstance(external_id, str):
        return None
    if kind == "text":
        return Inbound(CHANNEL, sender, _str(_dict(message.get("text")).get("body")), None, external_id)
    if kind == "interactive":
        interactive = _dict(message.get("interactive"))
        choice = _dict(interactive.get("button_reply")) or _dict(interactive.get("list_reply"))
        return Inbound(CHANNEL, sender, _str(choice.get("id")), None, external_id)
    if kind == "button":  # a quick-reply button of a template
        button = _dict(message.get("button"))
        return Inbound(CHANNEL, sender, _str(button.get("payload")) or _str(button.get("text")), None, external_id)
    if kind == "location":
        place = _dict(message.get("location"))
        latitude, longitude = place.get("latitude"), place.get("longitude")
        if not all(isinstance(n, int | float) and not isinstance(n, bool) for n in (latitude, longitude)):
            return Inbound(CHANNEL, sender, "", None, external_id, "location", None)
        return Inbound(CHANNEL, sender, "", None, external_id, "location", f"{latitude},{longitude}")
    if isinstance(kind, str) and kind in MEDIA_KINDS:
        media = _dict(message.get(kind))
        media_type = "voice" if kind == "audio" and media.get("voice") else MEDIA_KINDS[kind]
        media_id = media.get("id")
        return Inbound(
            CHANNEL, sender, _str(media.get("caption")), None, external_id, media_type,
            media_id if isinstance(media_id, str) else None,
        )  # fmt: skip
    # reactions, unsupported types: keep them, answered like an attachment without words
    return Inbound(CHANNEL, sender, "", None, external_id, "document", None)


def parse_notification(payload: dict) -> tuple[list[Inbound], list[StatusUpdate]]:
    """Messages and delivery statuses from one webhook notification (documented shape).

    Parts of another shape are skipped and counted in a log line that holds no content."""
    messages: list[Inbound] = []
    statuses: list[StatusUpdate] = []
    skipped = 0
    for entry in _list(payload.get("entry")):
        for change in _list(_dict(entry).get("changes")):
            value = _dict(_dict(change).get("value"))
            for message in _list(value.get("messages")):
                inbound = _inbound(_dict(message))
                inbound = storable(inbound) if inbound is not None else None
                if inbound is None:
                    skipped += 1
                else:
                    messages.append(inbound)
            for status in _list(value.get("statuses")):
                status = _dict(status)
                state, message_id = status.get("status"), status.get("id")
                known = isinstance(state, str) and state in STATUSES
                if known and isinstance(message_id, str) and len(message_id) <= MAX_ID_CHARS:
                    statuses.append(StatusUpdate(message_id, state))
                else:
                    skipped += 1
    if skipped:
        log.warning("whatsapp: skipped %d part(s) of a notification of the wrong shape", skipped)
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
    buttons = reply.buttons
    if len(buttons) <= MAX_BUTTONS:
        action = {
            "buttons": [
                {"type": "reply", "reply": {"id": b.payload, "title": shorten(b.label, BUTTON_TITLE_LIMIT)}}
                for b in buttons
            ]
        }
        interactive = {"type": "button", "body": {"text": parts[-1]}, "action": action}
        return [*bodies, {**base, "type": "interactive", "interactive": interactive}]
    if len(buttons) > MAX_ROWS:
        # a list holds ten rows: a longer menu (sixteen languages and a lawyer) goes in several lists,
        # the lawyer and topics first, so that no choice is ever cut off
        buttons = tuple(sorted(buttons, key=lambda b: b.payload.startswith("/lang ")))
    for start in range(0, len(buttons), MAX_ROWS):
        rows = [
            {"id": b.payload, "title": shorten(b.label, ROW_TITLE_LIMIT)} for b in buttons[start : start + MAX_ROWS]
        ]
        action = {"button": shorten(list_button, BUTTON_TITLE_LIMIT), "sections": [{"rows": rows}]}
        body = parts[-1] if start == 0 else list_button
        interactive = {"type": "list", "body": {"text": body}, "action": action}
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
        await self.finish()
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

    async def fetch_media(self, reference: str) -> Fetched:
        """The media id's short-lived URL from the Graph API, then the file, both with the token."""
        try:
            described = await self.client.get(f"/{GRAPH_VERSION}/{reference}")
            if described.status_code >= 400:
                raise MediaUnavailable(f"whatsapp: media id HTTP {described.status_code}")
            info = described.json()
            size = info.get("file_size")
            if isinstance(size, int) and size > MAX_WHATSAPP_MEDIA_BYTES:
                raise MediaTooLarge(size, MAX_WHATSAPP_MEDIA_BYTES)
            url, content_type = info.get("url"), info.get("mime_type")
            if not isinstance(url, str) or not url.startswith(("https://", "http://")):
                raise MediaUnavailable("whatsapp: no media URL")
            data = bytearray()
            # the URL is on Meta's servers and needs the same token; streamed, to stop at the limit
            async with self.client.stream("GET", url) as download:
                if download.status_code >= 400:
                    raise MediaUnavailable(f"whatsapp: media download HTTP {download.status_code}")
                async for chunk in download.aiter_bytes():
                    data.extend(chunk)
                    if len(data) > MAX_WHATSAPP_MEDIA_BYTES:
                        raise MediaTooLarge(None, MAX_WHATSAPP_MEDIA_BYTES)
        except (httpx.HTTPError, ValueError, AttributeError) as error:
            raise MediaUnavailable(f"whatsapp: {type(error).__name__}") from error
        kind = content_type.split(";")[0].strip() if isinstance(content_type, str) else "application/octet-stream"
        return Fetched(bytes(data), kind, None)

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
