"""The web chat's HTTP API: statuses for bad requests, replies for good ones."""

import json

import pytest

from bot.web.app import MAX_TEXT_CHARS


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
