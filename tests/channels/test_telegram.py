"""Telegram: python-telegram-bot against a fake Bot API on loopback, updates through the webhook."""

import time

import httpx
import pytest

from bot.channels.telegram import MESSAGE_LIMIT, TelegramChannel, TelegramSettings, inbound_from_update
from bot.helpline import Helpline, Reply
from bot.store.actions import transcript
from tests.catalogs import catalog_text
from tests.channels.conftest import WEBHOOK_SECRET, channel_env, helpline_server
from tests.servers import wait_for

CHAT = 555001


def update(update_id: int, text: str | None = None, chat: int = CHAT, language_code: str = "ru", **extra) -> dict:
    message = {
        "message_id": update_id,
        "date": 1767000000,
        "chat": {"id": chat, "type": "private", "first_name": "Aibek"},
        "from": {"id": chat, "is_bot": False, "first_name": "Aibek", "language_code": language_code},
        **extra,
    }
    if text is not None:
        message["text"] = text
    return {"update_id": update_id, "message": message}


def post(url: str, body: dict, secret: str | None = WEBHOOK_SECRET) -> httpx.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    return httpx.post(f"{url}/webhooks/telegram", json=body, headers=headers, timeout=30)


def test_webhook_is_registered_with_the_secret_and_commands_are_localised(content, sessions, fake_bot):
    with helpline_server(content, sessions, channel_env(fake_bot)):
        pass
    webhook = next(params for method, params in fake_bot.calls if method == "setWebhook")
    assert webhook["secret_token"] == WEBHOOK_SECRET
    assert webhook["url"].endswith("/webhooks/telegram")
    languages = {params.get("language_code") for method, params in fake_bot.calls if method == "setMyCommands"}
    assert {"ru", "ky", "uz", "en", "vi", "ko"} <= languages


def test_a_message_is_answered_through_the_bot_api(content, sessions, fake_bot):
    with helpline_server(content, sessions, channel_env(fake_bot)) as (url, _):
        assert post(url, update(1, "my visa expires next week", language_code="en")).status_code == 200
        wait_for(lambda: fake_bot.sent())
    sent = fake_bot.sent()[0]
    assert int(sent["chat_id"]) == CHAT
    assert sent["text"].startswith(content.answers.source["answer:visa_extension"][:30])
    assert sent["reply_markup"]["inline_keyboard"]  # feedback and lawyer buttons
    stored = transcript(sessions, "telegram", str(CHAT))
    assert [m.direction for m in stored] == ["in", "out"] and stored[1].status == "sent"


@pytest.mark.parametrize("secret", [None, "wrong-secret"])
def test_a_wrong_or_missing_secret_is_refused_and_changes_nothing(content, sessions, fake_bot, secret):
    with helpline_server(content, sessions, channel_env(fake_bot)) as (url, _):
        assert post(url, update(2, "hello"), secret=secret).status_code == 403
    assert transcript(sessions, "telegram", str(CHAT)) == []
    assert fake_bot.sent() == []


def test_a_duplicate_update_is_answered_once(content, sessions, fake_bot):
    with helpline_server(content, sessions, channel_env(fake_bot)) as (url, app):
        for _ in range(3):
            assert post(url, update(3, "hello")).status_code == 200
        wait_for(lambda: fake_bot.sent())
        time.sleep(0.5)
    assert len(fake_bot.sent()) == 1
    assert [m.direction for m in transcript(sessions, "telegram", str(CHAT))] == ["in", "out"]


@pytest.mark.parametrize(
    ("body", "status"),
    [({"update_id": "x"}, 400), ({"no": "update"}, 400)],
)
def test_malformed_updates_get_400(content, sessions, fake_bot, body, status):
    with helpline_server(content, sessions, channel_env(fake_bot)) as (url, _):
        assert post(url, body).status_code == status
        bad_json = httpx.post(
            f"{url}/webhooks/telegram",
            content=b"{nope",
            headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET, "content-type": "application/json"},
        )
        assert bad_json.status_code == 400


def test_an_unknown_update_type_is_acknowledged_and_ignored(content, sessions, fake_bot):
    with helpline_server(content, sessions, channel_env(fake_bot)) as (url, _):
        edited = {"update_id": 9, "edited_message": update(9, "hi")["message"]}
        assert post(url, edited).status_code == 200
    assert fake_bot.sent() == []


def test_a_button_press_runs_its_command(content, sessions, fake_bot):
    query = {
        "update_id": 20,
        "callback_query": {
            "id": "cb1",
            "chat_instance": "ci",
            "data": "/lang ky",
            "from": {"id": CHAT, "is_bot": False, "first_name": "Aibek", "language_code": "ru"},
            "message": update(19, "menu")["message"],
        },
    }
    with helpline_server(content, sessions, channel_env(fake_bot)) as (url, _):
        assert post(url, query).status_code == 200
        wait_for(lambda: fake_bot.sent())
    assert fake_bot.sent()[0]["text"] == content.answers.raw("ui:language_set", "ky")
    assert any(method == "answerCallbackQuery" for method, _ in fake_bot.calls)


def test_a_voice_note_is_kept_for_the_lawyer_and_answered_politely(content, sessions, fake_bot):
    voice = {"file_id": "VOICE-FILE-1", "file_unique_id": "u1", "duration": 7}
    with helpline_server(content, sessions, channel_env(fake_bot)) as (url, _):
        assert post(url, update(30, None, language_code="ky", voice=voice)).status_code == 200
        wait_for(lambda: fake_bot.sent())
    stored = transcript(sessions, "telegram", str(CHAT))
    assert stored[0].media_type == "voice" and stored[0].media_ref == "VOICE-FILE-1"
    # a first message without words is answered in the language the Telegram app reports (served)
    media_word = content.answers.raw("ui:media_voice", "ky")
    assert media_word in fake_bot.sent()[0]["text"]
    assert content.answers.raw("ui:media_voice", "ru") not in fake_bot.sent()[0]["text"]


def test_flood_control_429_is_retried_until_sent(content, sessions, fake_bot):
    fake_bot.failures = [429]
    with helpline_server(content, sessions, channel_env(fake_bot)) as (url, _):
        post(url, update(40, "hello", language_code="en"))
        wait_for(lambda: fake_bot.sent(), timeout=30)
    assert len(fake_bot.sent()) == 1
    assert transcript(sessions, "telegram", str(CHAT))[-1].status == "sent"


async def test_a_send_that_keeps_failing_is_marked_failed(content, sessions, fake_bot, nlu):
    fake_bot.failures = [403]  # the user blocked the bot: not retried
    helpline = Helpline(content, nlu, sessions)
    channel = TelegramChannel(TelegramSettings(fake_bot.token, WEBHOOK_SECRET, f"{fake_bot.url}/bot", None), helpline)
    await channel.application.initialize()
    try:
        reply = await helpline.handle(inbound_from_update(channel.parse(update(50, "hello"))))
        assert not await channel.send(str(CHAT), reply)
    finally:
        await channel.application.shutdown()
    assert transcript(sessions, "telegram", str(CHAT))[-1].status == "failed"


async def test_a_long_reply_is_split_at_boundaries(content, sessions, fake_bot):
    helpline = Helpline(content, None, sessions)
    channel = TelegramChannel(TelegramSettings(fake_bot.token, None, f"{fake_bot.url}/bot", None), helpline)
    sentence = "Keep copies of your contract and pay slips. "
    text = "\n".join(sentence * 12 for _ in range(20))  # about 10,500 characters
    reply = Reply(text, (), "en", "en", None, None, None, False, "answer")
    await channel.application.initialize()
    try:
        assert await channel.send(str(CHAT), reply)
    finally:
        await channel.application.shutdown()
    parts = [params["text"] for params in fake_bot.sent()]
    assert len(parts) >= 3 and all(len(part) <= MESSAGE_LIMIT for part in parts)
    assert all(part.endswith(".") for part in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())


async def test_a_message_stored_before_a_crash_is_answered_after_restart(content, sessions, fake_bot, nlu):
    helpline = Helpline(content, nlu, sessions)
    channel = TelegramChannel(TelegramSettings(fake_bot.token, None, f"{fake_bot.url}/bot", None), helpline)
    # the first worker stored the message, acknowledged the webhook, and died before answering
    assert await helpline.receive(inbound_from_update(channel.parse(update(60, "hello", language_code="en"))))
    await channel.application.initialize()
    try:
        assert await channel.recover() == 1
        assert await channel.recover() == 0
    finally:
        await channel.application.shutdown()
    assert len(fake_bot.sent()) == 1


def test_polling_mode_answers_without_a_public_url(content, sessions, fake_bot):
    fake_bot.updates = [update(70, "hello", language_code="en")]
    with helpline_server(content, sessions, channel_env(fake_bot, public_url=None)):
        wait_for(lambda: fake_bot.sent(), timeout=30)
    assert any(method == "deleteWebhook" for method, _ in fake_bot.calls)
    assert any(method == "getUpdates" for method, _ in fake_bot.calls)


@pytest.mark.rasa
@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "my employer has not paid my salary for two months"),
        ("ru", "работодатель не платит зарплату уже два месяца"),
        ("ky", "эки айдан бери айлыгымды бербей жатат"),
        ("uz", "ish beruvchi ikki oydan beri maosh bermayapti"),
        ("vi", "chủ không trả lương cho tôi hai tháng rồi"),
        ("ko", "사장님이 두 달째 월급을 안 줘요"),
    ],
)
def test_a_conversation_in_each_launch_language(content, sessions, fake_bot, rasa_url, language, text):
    with helpline_server(content, sessions, channel_env(fake_bot), rasa_url=rasa_url) as (url, _):
        post(url, update(100, "/start", language_code=language))
        wait_for(lambda: len(fake_bot.sent()) >= 1)
        post(url, update(101, text, language_code=language))
        wait_for(lambda: len(fake_bot.sent()) >= 2)
        post(url, update(102, "/lawyer", language_code=language))
        wait_for(lambda: len(fake_bot.sent()) >= 3)
    answer = fake_bot.sent()[1]["text"]
    assert answer.startswith(content.answers.raw("answer:unpaid_wages", language)[:25])
    stored = transcript(sessions, "telegram", str(CHAT))
    assert stored[2].language == language and stored[2].intent == "unpaid_wages"


def test_an_escalated_telegram_chat_is_answered_by_a_lawyer_on_telegram(content, sessions, fake_bot):
    import re

    from bot.console.users import create_user

    create_user(sessions, "aida", "Aida", "lawyer", "correct horse battery", [], [])
    with helpline_server(content, sessions, channel_env(fake_bot)) as (url, _):
        post(url, update(200, "/lawyer", language_code="ru"))
        wait_for(lambda: len(fake_bot.sent()) >= 1)
        assert re.search(r"1899-\d{6}", fake_bot.sent()[0]["text"])  # the ticket number
        console = httpx.Client(base_url=url, timeout=30)
        csrf = re.search(r'name="csrf" value="([^"]+)"', console.get("/console/login").text).group(1)
        console.post("/console/login", data={"username": "aida", "password": "correct horse battery", "csrf": csrf})
        queue = console.get("/console").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', queue).group(1)
        case_url = console.post("/console/take-next", data={"csrf": csrf}).headers["location"]
        wait_for(lambda: len(fake_bot.sent()) >= 2)  # "a lawyer has joined"
        console.post(f"{case_url}/reply", data={"csrf": csrf, "text": "Здравствуйте, я юрист Аида."})
        # labelled in the migrant's language, so that a person is not taken for the bot
        labelled = f"{catalog_text('ui:lawyer_says', 'ru', name='Aida')}\nЗдравствуйте, я юрист Аида."
        wait_for(lambda: any(m["text"] == labelled for m in fake_bot.sent()))
        post(url, update(201, "спасибо, у меня нет договора", language_code="ru"))
        wait_for(lambda: transcript(sessions, "telegram", str(CHAT))[-1].text == "спасибо, у меня нет договора")
        console.close()
    # while the lawyer has the case the bot did not answer the migrant's last message
    assert fake_bot.sent()[-1]["text"] == labelled
    assert int(fake_bot.sent()[-1]["chat_id"]) == CHAT
