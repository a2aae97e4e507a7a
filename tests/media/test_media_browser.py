"""In the real browser: a Kyrgyz voice note from Telegram plays and a photo of a contract from
WhatsApp shows in the lawyer's case page; a lawyer without the case gets 403 for the same URL."""

import re

from playwright.sync_api import expect

from bot.console.users import create_user
from tests.channels.conftest import channel_env, helpline_server
from tests.channels.test_telegram import post, update
from tests.channels.test_whatsapp import notification, signed_post, text_message
from tests.console.test_console_browser import PASSWORD, console_of
from tests.media.test_console_media import OGG, PNG
from tests.servers import wait_for


def test_a_lawyer_listens_to_a_voice_note_and_sees_a_photo(browser, content, sessions, fake_bot, fake_graph):
    fake_bot.files["VOICE-KY"] = ("voice/file_7.oga", OGG)
    fake_graph.media["PHOTO-CONTRACT"] = ("image/png", PNG)
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    create_user(sessions, "bek", "Bek", "lawyer", PASSWORD, ["vi"], [])
    photo = {"from": "996700123456", "id": "wamid.PH2", "timestamp": "1767000000", "type": "image",
             "image": {"id": "PHOTO-CONTRACT", "mime_type": "image/png", "caption": "келишимим"}}  # fmt: skip
    with helpline_server(content, sessions, channel_env(fake_bot, fake_graph)) as (url, _):
        post(
            url,
            update(60, None, language_code="ky", voice={"file_id": "VOICE-KY", "file_unique_id": "k", "duration": 9}),
        )
        post(url, update(61, "/lawyer", language_code="ky"))
        signed_post(url, notification(photo))
        signed_post(url, notification(text_message("wamid.L3", "/lawyer")))
        wait_for(lambda: len(fake_bot.sent()) >= 2 and len(fake_graph.bodies) >= 2)

        laptop, console = console_of(browser, url, "aida")
        for channel in ("telegram", "whatsapp"):
            console.goto(f"{url}/console")
            console.click(f"#queue tr:has-text('{channel}') a")
            console.click("#take-case")
            expect(console.locator("#reply")).to_be_visible()
            if channel == "telegram":
                audio = console.locator("#transcript audio.media")
                expect(audio).to_have_count(1)
                sound = console.request.get(url + audio.get_attribute("src"))
                assert sound.status == 200 and sound.headers["content-type"] == "audio/ogg" and sound.body() == OGG
                voice_url = audio.get_attribute("src")
            else:
                image = console.locator("#transcript img.media")
                expect(image).to_have_js_property("naturalWidth", 1)  # decoded and drawn
                expect(console.locator("#transcript")).to_contain_text("келишимим")
        other_laptop, other = console_of(browser, url, "bek")
        assert other.request.get(url + voice_url).status == 403
        assert re.search(r"/console/cases/\d+/media/\d+", voice_url)
        other_laptop.close()
        laptop.close()
