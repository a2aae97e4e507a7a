"""In the real browser, with a fake LibreTranslate on loopback: a lawyer reads a Korean message
with its English translation under it, replies in English, checks the Korean and sends it; the
migrant's web chat receives the Korean."""

import re

from playwright.sync_api import expect

from bot.console.users import create_user
from tests.console.conftest import ENGLISH, KOREAN, REPLY, REPLY_KO
from tests.console.test_console_browser import PASSWORD, app_for, console_of
from tests.servers import serving


def test_a_korean_message_is_read_in_english_and_answered_in_korean(
    browser, content, sessions, engine_server, monkeypatch, fake_rasa_url
):
    monkeypatch.setenv("TRANSLATION_URL", engine_server.url)
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [], reads=["en"])
    with serving(app_for(content, sessions, fake_rasa_url), lifespan="on") as url:
        phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="ko-KR")
        migrant = phone.new_page()
        migrant.goto(url)
        for text in (KOREAN, "/lawyer"):
            migrant.fill("#text", text)
            migrant.keyboard.press("Enter")
            expect(migrant.locator("#log")).to_contain_text(re.compile(r"\d{4}-\d{6}") if text == "/lawyer" else text)

        laptop, console = console_of(browser, url, "aida")
        console.click("#take-next")
        line = console.locator("#transcript .line.in", has_text=KOREAN)
        expect(line.locator(".translation")).to_contain_text(ENGLISH)

        console.fill("#reply", REPLY)
        console.click("#translate-draft")
        expect(console.locator("#translated")).to_have_value(REPLY_KO)
        console.fill("#translated", REPLY_KO + " 사진도 보내 주세요.")  # the lawyer edits the translation
        console.click("#send-reply")

        expect(migrant.locator(".msg.lawyer", has_text=f"{REPLY_KO} 사진도 보내 주세요.")).to_be_visible(timeout=15_000)
        expect(console.locator("#transcript")).to_contain_text(f"you wrote: {REPLY}")
        phone.close()
        laptop.close()
