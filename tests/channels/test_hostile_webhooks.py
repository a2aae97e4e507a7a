"""Authenticated webhook payloads of the wrong shape: acknowledged, never a 500 (a platform
retries a 5xx for days); what can be stored is stored."""

import hashlib
import hmac
import json

import httpx
import pytest
from sqlalchemy import select

from bot.store.models import Message
from tests.channels.conftest import APP_SECRET, WEBHOOK_SECRET, channel_env, helpline_server


def signed(body: bytes) -> dict:
    digest = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"x-hub-signature-256": f"sha256={digest}", "content-type": "application/json"}


def wa_message(**fields) -> bytes:
    message = {"from": "996555000111", "id": "wamid.1", "type": "text", "text": {"body": "hello"}} | fields
    return json.dumps({"entry": [{"changes": [{"value": {"messages": [message]}}]}]}).encode()


@pytest.mark.parametrize(
    "body",
    [
        b'{"entry":[{"changes":"x"}]}',
        b'{"entry":"x"}',
        b'{"entry":[{"changes":[{"value":{"messages":["x", 5]}}]}]}',
        wa_message(text={"body": 12345}),
        wa_message(id="w" * 200),
        wa_message(type="image", image={"id": "m" * 600}),
        wa_message(type="location", location={"latitude": [1], "longitude": {}}),
    ],
)
def test_whatsapp_payloads_of_the_wrong_shape_are_acknowledged(content, sessions, fake_graph, body):
    with helpline_server(content, sessions, channel_env(fake_graph=fake_graph)) as (url, _):
        response = httpx.post(f"{url}/webhooks/whatsapp", content=body, headers=signed(body))
    assert response.status_code == 200


def test_whatsapp_text_with_nul_and_surrogates_is_stored_cleaned(content, sessions, fake_graph):
    body = (
        b'{"entry":[{"changes":[{"value":{"messages":[{"from":"996555000111","id":"wamid.9",'
        b'"type":"text","text":{"body":"hel\\u0000lo \\ud800"}}]}}]}]}'
    )
    with helpline_server(content, sessions, channel_env(fake_graph=fake_graph)) as (url, _):
        response = httpx.post(f"{url}/webhooks/whatsapp", content=body, headers=signed(body))
    assert response.status_code == 200
    with sessions() as db:
        assert db.scalars(select(Message.text).where(Message.direction == "in")).all() == ["hello \ufffd"]


def tg_update(message: dict) -> bytes:
    return json.dumps({"update_id": 7, "message": message}).encode()


@pytest.mark.parametrize(
    "body",
    [
        tg_update({"message_id": 1, "date": 0, "text": "hello"}),  # no chat
        tg_update({"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": 12345}),
        tg_update({"message_id": 1, "date": 0, "chat": {"id": "c" * 200, "type": "private"}, "text": "hi"}),
        tg_update({"message_id": 1, "date": 0, "chat": "x", "text": "hi"}),
        b'{"update_id": 7, "message": ' + b"[" * 2000 + b"]" * 2000 + b"}",
        b'{"update_id": ' + b"9" * 5000 + b"}",
    ],
)
def test_telegram_updates_of_the_wrong_shape_never_get_5xx(content, sessions, fake_bot, body):
    headers = {"x-telegram-bot-api-secret-token": WEBHOOK_SECRET, "content-type": "application/json"}
    with helpline_server(content, sessions, channel_env(fake_bot=fake_bot)) as (url, _):
        response = httpx.post(f"{url}/webhooks/telegram", content=body, headers=headers)
    assert response.status_code in (200, 400)
