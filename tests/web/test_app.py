"""The web chat's HTTP API: statuses for bad requests, replies for good ones."""

import json

import pytest

from bot.web.app import MAX_TEXT_CHARS
from tests.catalogs import catalog_text


async def test_the_chat_page_is_served_for_phones(client):
    response = await client.get("/")
    assert response.status_code == 200
    assert 'name="viewport"' in response.text and "1899" in response.text


async def test_a_message_gets_a_reply(client):
    response = await client.post("/api/chat", json={"session": "abcdefgh12", "text": "шеф не платит зарплату"})
    assert response.status_code == 200
    body = response.json()
    assert body["language"] == "ru" and body["intent"] == "unpaid_wages" and body["topic"] == "employment"
    assert body["reply"] and body["buttons"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"\xff\xfe\x00garbage", 400),
        (b"[1, 2]", 400),
        (json.dumps({"text": "hi"}).encode(), 422),
        (json.dumps({"session": "x", "text": "hi"}).encode(), 422),
        (json.dumps({"session": "abcdefgh12", "text": 5}).encode(), 422),
        (json.dumps({"session": "abcdefgh12", "text": "a" * (MAX_TEXT_CHARS + 1)}).encode(), 413),
        (b"{" + b" " * 70_000 + b"}", 413),
    ],
)
async def test_bad_requests_get_a_clear_status(client, body, status):
    response = await client.post("/api/chat", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status
    assert response.json()["error"]


async def test_a_ten_thousand_character_message_is_answered(client):
    response = await client.post("/api/chat", json={"session": "abcdefgh12", "text": "зарплата " * 1100})
    assert response.status_code == 200 and response.json()["reply"]


async def test_health(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}


async def test_the_page_greets_in_the_browser_language_when_served(client, content):
    response = await client.get("/", headers={"accept-language": "ky-KG,ru;q=0.8"})
    assert '<html lang="ky">' in response.text
    greeting = content.answers.raw("answer:greet", "ky").split("{")[0].strip()
    assert greeting.replace("'", "&#39;") in response.text


def test_preferred_language_falls_back_to_the_default():
    from bot.web.app import preferred_language

    assert preferred_language("fr-FR,de;q=0.5", ("ru", "en"), "ru") == "ru"
    assert preferred_language("fr;q=0.9,en;q=0.8,ru;q=0.1", ("ru", "en"), "ru") == "en"
    assert preferred_language("garbage;q=x", ("ru",), "ru") == "ru"


async def test_a_reloaded_page_gets_its_conversation_back_by_header(client):
    await client.post("/api/chat", json={"session": "reloaded-1", "text": "шеф не платит зарплату"})
    await client.post("/api/chat", json={"session": "someone-else", "text": "виза"})

    response = await client.get("/api/chat/history", headers={"X-Chat-Session": "reloaded-1"})

    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["language"] == "ru"
    assert [(m["who"], m["text"][:22]) for m in body["messages"]][0] == ("me", "шеф не платит зарплату")
    assert {m["who"] for m in body["messages"][1:]} == {"bot"}
    ids = [m["id"] for m in body["messages"]]
    assert ids == sorted(ids) and len(ids) >= 2


async def test_history_after_delete_is_empty_and_a_bad_session_gets_422(client):
    await client.post("/api/chat", json={"session": "erased-one", "text": "шеф не платит зарплату"})
    await client.post("/api/chat", json={"session": "erased-one", "text": "/delete"})

    history = (await client.get("/api/chat/history", headers={"X-Chat-Session": "erased-one"})).json()
    assert "зарплату" not in json.dumps(history, ensure_ascii=False)
    assert (await client.get("/api/chat/history")).status_code == 422
    assert (await client.get("/api/chat/history", headers={"X-Chat-Session": "bad id!"})).status_code == 422


async def test_the_page_labels_its_controls_in_its_language(client):
    page = (await client.get("/", headers={"accept-language": "ru"})).text
    send, message = catalog_text("ui:send", "ru"), catalog_text("ui:message_label", "ru")
    assert f'aria-label="{send}"' in page and f'placeholder="{message}"' in page
    assert catalog_text("ui:new_conversation", "ru") in page
    assert send != catalog_text("ui:send", "en")
