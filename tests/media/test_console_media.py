"""A migrant's files reach the lawyer, on SQLite and PostgreSQL: fetched through the real
python-telegram-bot client and the Graph API client from local fakes of the platforms, kept once,
served only through the case's access check, and too large ones said to be so."""

import base64
import contextlib
import re

import httpx

from bot.console.users import create_user
from tests.channels.conftest import channel_env, helpline_server
from tests.channels.test_telegram import post, update
from tests.channels.test_whatsapp import WA_ID, notification, signed_post, text_message
from tests.servers import wait_for

PASSWORD = "correct horse battery"
# a real 1×1 PNG, so that a browser can draw it
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
OGG = b"OggS\x00\x02" + bytes(200)  # the head of an Ogg/Opus voice note


def console_client(url, username="aida") -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/console/login").text).group(1)
    client.post("/console/login", data={"username": username, "password": PASSWORD, "csrf": csrf})
    return client


def take_next(client) -> str:
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/console").text).group(1)
    return client.post("/console/take-next", data={"csrf": csrf}).headers["location"]


def lawyer_on_telegram_case(url, fake_bot, messages, language) -> tuple[httpx.Client, str]:
    """The migrant sends ``messages`` (update id, text or None, attachment fields) and asks for a
    lawyer; a lawyer logs in and takes the case: their client and the case page's URL."""
    for update_id, text, attachment in messages:
        post(url, update(update_id, text, language_code=language, **attachment))
    post(url, update(messages[-1][0] + 1, "/lawyer", language_code=language))
    wait_for(lambda: len(fake_bot.sent()) >= len(messages) + 1)
    lawyer = console_client(url)
    return lawyer, take_next(lawyer)


def test_a_telegram_voice_note_is_fetched_once_and_only_for_the_case(content, sessions, fake_bot):
    fake_bot.files["VOICE-FILE-1"] = ("voice/file_1.oga", OGG)
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    create_user(sessions, "bek", "Bek", "lawyer", PASSWORD, [], [])
    voice = {"file_id": "VOICE-FILE-1", "file_unique_id": "u1", "duration": 7}
    with helpline_server(content, sessions, channel_env(fake_bot)) as (url, _):
        lawyer, case_url = lawyer_on_telegram_case(url, fake_bot, [(30, None, {"voice": voice})], "ky")
        page = lawyer.get(case_url).text
        media_url = re.search(r'<audio class="media" controls preload="metadata" src="([^"]+)"', page).group(1)

        first, second = lawyer.get(media_url), lawyer.get(media_url)

        assert first.status_code == 200 and first.content == OGG and first.headers["content-type"] == "audio/ogg"
        assert second.content == OGG
        assert [method for method, _ in fake_bot.calls].count("getFile") == 1  # kept after the first view
        assert first.headers["cache-control"] == "private, no-store"
        assert "sandbox" in first.headers["content-security-policy"]
        with contextlib.closing(console_client(url, "bek")) as colleague:
            assert colleague.get(media_url).status_code == 403  # not his case
        assert httpx.get(f"{url}{media_url}").status_code in (303, 401)  # nobody logged in
        other_message = media_url.rsplit("/", 1)[0] + "/999999"
        assert lawyer.get(other_message).status_code == 404
        lawyer.close()


def test_a_whatsapp_photo_is_fetched_with_the_token_and_shown_inline(content, sessions, fake_graph):
    fake_graph.media["MEDIA-PHOTO"] = ("image/png", PNG)
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    photo = {"from": WA_ID, "id": "wamid.PH", "timestamp": "1767000000", "type": "image",
             "image": {"id": "MEDIA-PHOTO", "mime_type": "image/png", "caption": "my contract"}}  # fmt: skip
    with helpline_server(content, sessions, channel_env(fake_graph=fake_graph)) as (url, _):
        signed_post(url, notification(photo))
        signed_post(url, notification(text_message("wamid.L2", "/lawyer")))
        wait_for(lambda: len(fake_graph.bodies) >= 2)
        lawyer = console_client(url)
        page = lawyer.get(take_next(lawyer)).text
        assert "my contract" in page
        media_url = re.search(r'<img class="media" src="([^"]+)"', page).group(1)
        image = lawyer.get(media_url)
        assert image.status_code == 200 and image.content == PNG and image.headers["content-type"] == "image/png"
        assert "inline" in image.headers["content-disposition"]
        lawyer.close()


def test_a_file_too_large_for_the_platform_is_said_to_be_so_and_not_asked_for_again(content, sessions, fake_bot):
    fake_bot.files["HUGE"] = ("videos/file_2.mp4", bytes(21 * 1024 * 1024))
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    video = {"file_id": "HUGE", "file_unique_id": "u2", "duration": 60, "width": 640, "height": 480}
    with helpline_server(content, sessions, channel_env(fake_bot)) as (url, _):
        lawyer, case_url = lawyer_on_telegram_case(url, fake_bot, [(40, None, {"video": video})], "ru")
        media_url = re.search(r'src="(/console/cases/\d+/media/\d+)"', lawyer.get(case_url).text).group(1)
        assert lawyer.get(media_url).status_code == 413
        assert "too large" in lawyer.get(case_url).text
        assert lawyer.get(media_url).status_code == 413
        assert [method for method, _ in fake_bot.calls].count("getFile") == 1
        lawyer.close()


def test_a_file_the_platform_will_not_give_is_a_502_and_tried_again_later(content, sessions, fake_bot):
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    document = {"file_id": "GONE", "file_unique_id": "u3", "file_name": "contract.pdf"}
    with helpline_server(content, sessions, channel_env(fake_bot)) as (url, _):
        lawyer, case_url = lawyer_on_telegram_case(url, fake_bot, [(50, None, {"document": document})], "ru")
        media_url = re.search(r'href="(/console/cases/\d+/media/\d+)"', lawyer.get(case_url).text).group(1)
        assert lawyer.get(media_url).status_code == 502
        fake_bot.files["GONE"] = ("documents/contract.pdf", b"%PDF-1.7 contract")
        again = lawyer.get(media_url)
        assert again.status_code == 200 and again.content == b"%PDF-1.7 contract"
        assert "attachment" in again.headers["content-disposition"]  # a document is downloaded, never rendered
        lawyer.close()


def test_a_voice_note_is_transcribed_once_by_the_configured_engine(content, sessions, fake_bot, monkeypatch):
    from tests.channels.fakes import FakeWhisperServer
    from tests.servers import serving

    whisper = FakeWhisperServer(text="менин айлыгымды үч айдан бери бербей жатат")
    fake_bot.files["VOICE-KY2"] = ("voice/file_9.oga", OGG)
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    with serving(whisper.app()) as engine_url:
        monkeypatch.setenv("TRANSCRIPTION_URL", engine_url)
        voice = {"file_id": "VOICE-KY2", "file_unique_id": "u9", "duration": 5}
        with helpline_server(content, sessions, channel_env(fake_bot)) as (url, _):
            messages = [(70, "менин визам бүтүп жатат", {}), (71, None, {"voice": voice})]
            lawyer, case_url = lawyer_on_telegram_case(url, fake_bot, messages, "ky")
            assert whisper.text in lawyer.get(case_url).text
            assert whisper.text in lawyer.get(case_url).text
            lawyer.close()
    assert len(whisper.received) == 1  # kept after the first time
    audio, fields = whisper.received[0]
    assert audio == OGG and fields["language"] == "ky"


def test_without_an_engine_a_voice_note_is_only_played_and_a_failing_engine_blocks_nothing(
    content, sessions, fake_bot, monkeypatch
):
    from tests.channels.fakes import FakeWhisperServer
    from tests.servers import serving

    fake_bot.files["VOICE-3"] = ("voice/file_3.oga", OGG)
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    voice = {"file_id": "VOICE-3", "file_unique_id": "u3", "duration": 5}
    with helpline_server(content, sessions, channel_env(fake_bot)) as (url, _):
        lawyer, case_url = lawyer_on_telegram_case(url, fake_bot, [(80, None, {"voice": voice})], "ru")
        assert "no transcription engine (TRANSCRIPTION_URL)" in lawyer.get(case_url).text
        lawyer.close()
    with serving(FakeWhisperServer(down=True).app()) as engine_url:
        monkeypatch.setenv("TRANSCRIPTION_URL", engine_url)
        with helpline_server(content, sessions, channel_env(fake_bot)) as (url, _):
            lawyer = console_client(url)
            page = lawyer.get(case_url)
            assert page.status_code == 200 and "transcript unavailable" in page.text and "<audio" in page.text
            lawyer.close()
