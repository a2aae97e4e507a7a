"""Web chat attachments over HTTP, on SQLite and PostgreSQL: what a file is comes from its bytes,
refusals are in the migrant's language, and an accepted file is kept with its message."""

import pytest
from sqlalchemy import select

from bot.store.models import Media, Message
from bot.web.uploads import MAX_UPLOAD_BYTES
from tests.catalogs import catalog_text
from tests.media.test_console_media import PNG

SESSION = {"X-Chat-Session": "upload-session-1", "X-Language-Hint": "ru"}
WEBM = b"\x1aE\xdf\xa3\x9fB\x86\x81\x01B\xf7\x81\x01B\xf2\x81\x04B\xf3\x81\x08B\x82\x84webmB\x87\x81\x04" + bytes(64)


async def test_a_photo_is_kept_with_its_message_and_answered(client, sessions, content):
    response = await client.post(
        "/api/chat/upload", headers=SESSION, files={"file": ("contract.png", PNG, "image/png")}
    )
    assert response.status_code == 200
    body = response.json()
    saved_word = content.answers.raw("ui:media_photo", "ru")
    assert body["language"] == "ru" and saved_word in body["reply"]
    with sessions() as db:
        message = db.scalars(select(Message).where(Message.direction == "in")).one()
        media = db.scalars(select(Media)).one()
    assert (message.media_type, message.channel) == ("photo", "web")
    assert (media.message_id, media.content_type, media.data, media.filename) == (
        message.id,
        "image/png",
        PNG,
        "contract.png",
    )
    history = (await client.get("/api/chat/history", headers=SESSION)).json()["messages"]
    assert history[0]["who"] == "me" and history[0]["text"].startswith("📎")


async def test_a_voice_recording_is_accepted_only_as_declared_audio(client, sessions):
    recorded = await client.post(
        "/api/chat/upload", headers=SESSION, files={"file": ("voice.webm", WEBM, "audio/webm;codecs=opus")}
    )
    assert recorded.status_code == 200
    as_video = await client.post("/api/chat/upload", headers=SESSION, files={"file": ("film.webm", WEBM, "video/webm")})
    assert as_video.status_code == 415
    with sessions() as db:
        assert db.scalars(select(Media.content_type)).all() == ["audio/webm"]
        assert db.scalars(select(Message.media_type).where(Message.direction == "in")).all() == ["voice"]


@pytest.mark.parametrize(
    ("name", "data", "declared"),
    [
        ("photo.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"),  # a page dressed as a photo
        ("run.exe", b"MZ\x90\x00\x03" + bytes(100), "application/octet-stream"),
        ("empty.png", b"", "image/png"),
    ],
)
async def test_a_file_that_is_not_a_photo_document_or_recording_is_refused_politely(
    client, sessions, name, data, declared
):
    response = await client.post("/api/chat/upload", headers=SESSION, files={"file": (name, data, declared)})
    assert response.status_code == 415
    assert response.json()["error"] == catalog_text("ui:upload_refused", "ru")
    with sessions() as db:
        assert db.scalar(select(Message.id).limit(1)) is None and db.scalar(select(Media.id).limit(1)) is None


async def test_a_file_over_the_limit_is_refused_with_the_limit_in_the_migrants_language(client, sessions):
    too_big = PNG + bytes(MAX_UPLOAD_BYTES)
    response = await client.post("/api/chat/upload", headers=SESSION, files={"file": ("big.png", too_big, "image/png")})
    assert response.status_code == 413
    assert response.json()["error"] == catalog_text("ui:upload_too_large", "ru", limit="10")


async def test_an_upload_needs_a_session_a_file_and_a_known_length(client):
    no_session = await client.post("/api/chat/upload", files={"file": ("a.png", PNG, "image/png")})
    assert no_session.status_code == 422
    no_file = await client.post("/api/chat/upload", headers=SESSION, data={"caption": "hello"})
    assert no_file.status_code == 422

    async def endless():
        yield b"--x\r\n"

    unknown = await client.post(
        "/api/chat/upload", headers={**SESSION, "content-type": "multipart/form-data; boundary=x"}, content=endless()
    )
    assert unknown.status_code == 411
