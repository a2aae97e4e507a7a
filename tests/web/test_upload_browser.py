"""In the real browser: a migrant attaches a photo of a contract and records a voice message in the
web chat (Chromium's fake microphone), and the lawyer sees the photo and gets the recording."""

import re

from playwright.sync_api import expect

from bot.console.users import create_user
from tests.console.test_console_browser import PASSWORD, app_for, console_of
from tests.media.test_console_media import PNG
from tests.servers import serving


def test_a_photo_and_a_voice_message_from_the_web_chat_reach_the_lawyer(
    browser, content, sessions, tmp_path, fake_rasa_url
):
    photo = tmp_path / "contract.png"
    photo.write_bytes(PNG)
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    with serving(app_for(content, sessions, fake_rasa_url), lifespan="on") as url:
        phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", permissions=["microphone"])
        migrant = phone.new_page()
        migrant.goto(url)
        migrant.set_input_files("#file", str(photo))
        expect(migrant.locator(".msg.me")).to_have_count(1)
        expect(migrant.locator(".msg.bot").last).to_contain_text("photo", timeout=15_000)

        record = migrant.locator("#record")
        expect(record).to_be_visible()
        box = record.bounding_box()
        assert box and box["width"] >= 44 and box["height"] >= 44
        record.click()
        expect(record).to_have_class(re.compile("recording"))
        migrant.wait_for_timeout(1_500)  # a second and a half of the fake microphone's tone
        record.click()
        expect(migrant.locator(".msg.me")).to_have_count(2)
        expect(migrant.locator(".msg.bot").last).to_contain_text("voice", timeout=15_000)

        migrant.fill("#text", "/lawyer")
        migrant.keyboard.press("Enter")
        expect(migrant.locator("#log")).to_contain_text(re.compile(r"\d{4}-\d{6}"), timeout=15_000)

        laptop, console = console_of(browser, url, "aida")
        console.click("#take-next")
        expect(console.locator("#transcript img.media")).to_have_js_property("naturalWidth", 1)
        audio = console.locator("#transcript audio.media")
        recording = console.request.get(url + audio.get_attribute("src"))
        assert recording.status == 200 and recording.headers["content-type"] == "audio/webm"
        assert recording.body()[:4] == b"\x1a\x45\xdf\xa3"  # a WebM recording, as the browser made it
        phone.close()
        laptop.close()
