"""WhatsApp Cloud API: signed webhook payloads in the documented shape, sends to a fake Graph API."""

import datetime as dt
import hashlib
import hmac
import json
import time

import httpx
import pytest

from bot.channels.whatsapp import (
    BUTTON_TITLE_LIMIT,
    WhatsAppChannel,
    WhatsAppSettings,
    parse_notification,
    reply_payloads,
    within_service_window,
)
from bot.helpline import ButtonView, Helpline, Reply
from bot.store.actions import transcript
from tests.channels.conftest import APP_SECRET, VERIFY_TOKEN, channel_env, helpline_server
from tests.servers import wait_for

WA_ID = "996700123456"


def notification(*messages: dict, statuses: list | None = None) -> dict:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "996312000000", "phone_number_id": "1234567890"},
        "contacts": [{"profile": {"name": "Aigul"}, "wa_id": WA_ID}],
        "messages": list(messages),
    }
    if statuses:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA_ID", "changes": [{"value": value, "field": "messages"}]}],
    }


def text_message(message_id: str, body: str) -> dict:
    return {"from": WA_ID, "id": message_id, "timestamp": "1767000000", "type": "text", "text": {"body": body}}


def signed_post(url: str, payload: dict, secret: str = APP_SECRET, signature: str | None = None) -> httpx.Response:
    body = json.dumps(payload).encode()
    signature = signature or "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return httpx.post(
        f"{url}/webhooks/whatsapp",
        content=body,
        headers={"content-type": "application/json", "X-Hub-Signature-256": signature},
        timeout=30,
    )


def test_meta_verification_handshake(content, sessions, fake_graph):
    with helpline_server(content, sessions, channel_env(fake_graph=fake_graph)) as (url, _):
        ok = httpx.get(
            f"{url}/webhooks/whatsapp",
            params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
        )
        wrong = httpx.get(
            f"{url}/webhooks/whatsapp",
            params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
        )
    assert ok.status_code == 200 and ok.text == "1158201444"
    assert wrong.status_code == 403


def test_a_signed_message_is_answered_through_the_graph_api(content, sessions, fake_graph):
    with helpline_server(content, sessions, channel_env(fake_graph=fake_graph)) as (url, _):
        assert signed_post(url, notification(text_message("wamid.IN1", "my visa expires next week"))).status_code == 200
        wait_for(lambda: fake_graph.bodies)
    body = fake_graph.bodies[-1]
    assert body["to"] == WA_ID and body["type"] == "interactive"
    assert body["interactive"]["body"]["text"].startswith(content.answers.source["answer:visa_extension"][:30])
    stored = transcript(sessions, "whatsapp", WA_ID)
    assert stored[-1].status == "sent" and stored[-1].external_id.startswith("wamid.TEST")


@pytest.mark.parametrize("signature", ["sha256=" + "0" * 64, "nonsense", None])
def test_a_forged_or_missing_signature_is_refused_before_parsing(content, sessions, fake_graph, signature):
    payload = notification(text_message("wamid.F1", "hello"))
    headers = {"X-Hub-Signature-256": signature} if signature else {}
    with helpline_server(content, sessions, channel_env(fake_graph=fake_graph)) as (url, _):
        response = httpx.post(f"{url}/webhooks/whatsapp", json=payload, headers=headers)
    assert response.status_code == 401
    assert transcript(sessions, "whatsapp", WA_ID) == [] and fake_graph.bodies == []


def test_a_body_signed_with_another_secret_is_refused(content, sessions, fake_graph):
    with helpline_server(content, sessions, channel_env(fake_graph=fake_graph)) as (url, _):
        assert signed_post(url, notification(text_message("wamid.F2", "hi")), secret="other").status_code == 401


def test_malformed_json_with_a_valid_signature_gets_400(content, sessions, fake_graph):
    body = b"{broken"
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    with helpline_server(content, sessions, channel_env(fake_graph=fake_graph)) as (url, _):
        response = httpx.post(f"{url}/webhooks/whatsapp", content=body, headers={"X-Hub-Signature-256": signature})
    assert response.status_code == 400


def test_a_message_delivered_twice_is_answered_once(content, sessions, fake_graph):
    with helpline_server(content, sessions, channel_env(fake_graph=fake_graph)) as (url, _):
        for _ in range(2):
            signed_post(url, notification(text_message("wamid.DUP", "hello")))
        wait_for(lambda: fake_graph.bodies)
        time.sleep(0.5)
    assert len(fake_graph.bodies) == 1


def test_reply_buttons_and_statuses(content, sessions, fake_graph):
    button = {
        "from": WA_ID,
        "id": "wamid.BTN",
        "timestamp": "1767000000",
        "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": {"id": "/lang uz", "title": "Oʻzbek"}},
    }
    with helpline_server(content, sessions, channel_env(fake_graph=fake_graph)) as (url, _):
        signed_post(url, notification(button))
        wait_for(lambda: [m.status for m in transcript(sessions, "whatsapp", WA_ID)][-1:] == ["sent"])
        outbound = transcript(sessions, "whatsapp", WA_ID)[-1]
        status = {"id": outbound.external_id, "status": "delivered", "timestamp": "1767000100", "recipient_id": WA_ID}
        signed_post(url, notification(statuses=[status]))
    body = fake_graph.bodies[0]
    assert body["interactive"]["body"]["text"] == content.answers.raw("ui:language_set", "uz")
    assert transcript(sessions, "whatsapp", WA_ID)[-1].status == "delivered"


def test_a_voice_note_is_kept_and_answered_in_the_conversation_language(content, sessions, fake_graph):
    voice = {
        "from": WA_ID,
        "id": "wamid.VOICE",
        "timestamp": "1767000000",
        "type": "audio",
        "audio": {"id": "MEDIA-77", "mime_type": "audio/ogg; codecs=opus", "voice": True},
    }
    with helpline_server(content, sessions, channel_env(fake_graph=fake_graph)) as (url, _):
        signed_post(url, notification(voice))
        wait_for(lambda: fake_graph.bodies)
    stored = transcript(sessions, "whatsapp", WA_ID)
    assert (stored[0].media_type, stored[0].media_ref) == ("voice", "MEDIA-77")
    assert content.answers.raw("ui:media_voice", "ru") in json.dumps(fake_graph.bodies[0], ensure_ascii=False)


def test_rate_limited_graph_api_is_retried(content, sessions, fake_graph):
    fake_graph.failures = [429, 503]
    with helpline_server(content, sessions, channel_env(fake_graph=fake_graph)) as (url, _):
        signed_post(url, notification(text_message("wamid.RL", "hello")))
        wait_for(lambda: fake_graph.bodies, timeout=30)
    assert len(fake_graph.bodies) == 1
    assert transcript(sessions, "whatsapp", WA_ID)[-1].status == "sent"


async def test_outside_the_24_hour_window_only_the_template_is_sent(content, sessions, fake_graph, nlu):
    settings = WhatsAppSettings(fake_graph.token, APP_SECRET, VERIFY_TOKEN, "1234567890", fake_graph.url)
    helpline = Helpline(content, nlu, sessions)
    channel = WhatsAppChannel(settings, helpline)
    reply = Reply("A lawyer has answered your question.", (), "en", "en", None, None, None, False, "answer")
    try:
        assert await channel.send(WA_ID, reply, dt.datetime.now(dt.UTC) - dt.timedelta(hours=25))
        assert await channel.send(WA_ID, reply, dt.datetime.now(dt.UTC) - dt.timedelta(hours=23))
    finally:
        await channel.stop()
    assert fake_graph.bodies[0]["type"] == "template"
    assert fake_graph.bodies[0]["template"]["name"] == settings.template_name
    assert fake_graph.bodies[1]["type"] == "text"


def test_the_service_window_is_24_hours():
    now = dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC)
    assert within_service_window(now - dt.timedelta(hours=23, minutes=59), now)
    assert not within_service_window(now - dt.timedelta(hours=24), now)
    assert not within_service_window(None, now)


def test_menus_respect_whatsapp_limits():
    three = tuple(ButtonView(f"A very long button label {n}", f"/x {n}") for n in range(3))
    five = tuple(ButtonView(f"Topic {n}", f"/topic {n}") for n in range(5))
    short = reply_payloads(WA_ID, Reply("Body", three, "en", "en", None, None, None, False, "answer"), "Choose")
    assert short[-1]["interactive"]["type"] == "button"
    titles = [b["reply"]["title"] for b in short[-1]["interactive"]["action"]["buttons"]]
    assert all(len(title) <= BUTTON_TITLE_LIMIT for title in titles)
    listed = reply_payloads(WA_ID, Reply("x" * 3000, five, "en", "en", None, None, None, False, "answer"), "Choose")
    assert listed[-1]["interactive"]["type"] == "list"
    assert len(listed[-1]["interactive"]["body"]["text"]) <= 1024
    assert len(listed[-1]["interactive"]["action"]["sections"][0]["rows"]) == 5
    assert (
        "".join(p.get("text", {}).get("body", "") for p in listed[:-1]) + listed[-1]["interactive"]["body"]["text"]
        == "x" * 3000
    )


def test_a_menu_longer_than_a_list_is_sent_in_several_lists_losing_no_choice():
    languages = tuple(ButtonView(f"Language {n}", f"/lang l{n}") for n in range(16))
    menu = (*languages, ButtonView("Lawyer", "/lawyer"))
    bodies = reply_payloads(WA_ID, Reply("Pick one", menu, "en", "en", None, None, None, False, "answer"), "Choose")
    lists = [body["interactive"] for body in bodies if body["type"] == "interactive"]
    rows = [row for part in lists for row in part["action"]["sections"][0]["rows"]]
    assert all(len(part["action"]["sections"][0]["rows"]) <= 10 for part in lists)
    assert sorted(row["id"] for row in rows) == sorted(button.payload for button in menu)
    assert rows[0]["id"] == "/lawyer"  # the way to a person is never in a later list
    assert lists[0]["body"]["text"] == "Pick one"


def test_parsing_ignores_junk_and_keeps_what_it_can():
    messages, statuses = parse_notification(
        {
            "entry": [
                {"changes": [{"value": {"messages": [{"type": "text"}, text_message("w1", "hi")], "statuses": [{}]}}]}
            ]
        }
    )
    assert [m.external_id for m in messages] == ["w1"] and statuses == []
    assert parse_notification({"entry": [{"changes": [None, {"value": None}]}]}) == ([], [])


@pytest.mark.rasa
@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "i lost my passport what should i do"),
        ("ru", "я потерял паспорт, что делать"),
        ("ky", "паспортумду жоготуп алдым, эмне кылам"),
        ("uz", "pasportimni yo'qotib qo'ydim nima qilay"),
        ("vi", "tôi bị mất hộ chiếu rồi phải làm sao"),
        ("ko", "여권을 잃어버렸어요 어떻게 해요"),
    ],
)
def test_a_conversation_in_each_launch_language(content, sessions, fake_graph, rasa_url, language, text):
    with helpline_server(content, sessions, channel_env(fake_graph=fake_graph), rasa_url=rasa_url) as (url, _):
        signed_post(url, notification(text_message(f"wamid.L-{language}-1", text)))
        wait_for(lambda: len(fake_graph.bodies) >= 1)
        signed_post(url, notification(text_message(f"wamid.L-{language}-2", "/lawyer")))
        wait_for(lambda: len(fake_graph.bodies) >= 2)
    answer = fake_graph.bodies[0]["interactive"]["body"]["text"]
    assert answer.startswith(content.answers.raw("answer:lost_documents", language)[:25])
    stored = transcript(sessions, "whatsapp", WA_ID)
    assert stored[0].language == language and stored[0].intent == "lost_documents"
    assert "1899-" in json.dumps(fake_graph.bodies[1], ensure_ascii=False)  # the ticket, in the same chat


def test_an_escalated_whatsapp_chat_gets_the_lawyers_reply_labelled(content, sessions, fake_graph):
    import re

    from bot.console.users import create_user
    from tests.catalogs import catalog_text

    create_user(sessions, "aida", "Aida Sadykova", "lawyer", "correct horse battery", [], [])
    with helpline_server(content, sessions, channel_env(fake_graph=fake_graph)) as (url, _):
        signed_post(url, notification(text_message("wamid.L1", "/lawyer")))
        wait_for(lambda: fake_graph.bodies)
        console = httpx.Client(base_url=url, timeout=30)
        csrf = re.search(r'name="csrf" value="([^"]+)"', console.get("/console/login").text).group(1)
        console.post("/console/login", data={"username": "aida", "password": "correct horse battery", "csrf": csrf})
        csrf = re.search(r'name="csrf" value="([^"]+)"', console.get("/console").text).group(1)
        case_url = console.post("/console/take-next", data={"csrf": csrf}).headers["location"]
        console.post(f"{case_url}/reply", data={"csrf": csrf, "text": "Hello, do you have a written contract?"})
        # "/lawyer" alone is in the profile's first language, Russian: so is the label
        labelled = f"{catalog_text('ui:lawyer_says', 'ru', name='Aida')}\nHello, do you have a written contract?"
        wait_for(lambda: any(body.get("text", {}).get("body") == labelled for body in fake_graph.bodies))
        console.close()
    sent = next(body for body in fake_graph.bodies if body.get("text", {}).get("body") == labelled)
    assert sent["to"] == WA_ID and sent["type"] == "text"
