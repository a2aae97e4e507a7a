"""The Korean deployment in a real headless Chromium: a Vietnamese worker in Ansan gets nearby
clinics in the web chat and asks for a person; a welfare-centre lawyer refers her to one of them;
an editor corrects the clinic's phone and marks it verified, and the bot gives the new number."""

import json
import re

import httpx
from playwright.sync_api import expect

from bot.console.users import create_user
from bot.helpline import Content
from bot.paths import Paths
from bot.web.app import create_app
from tests.copies import copy_content
from tests.fake_rasa import helpline_opener, rasa_serving
from tests.servers import serving

PASSWORD = "correct horse battery"
QUESTION = "Tôi ở Ansan, không có bảo hiểm thì đi khám bệnh ở đâu?"


def fake_rasa(request: httpx.Request) -> httpx.Response:
    text = json.loads(request.read())["text"]
    name = "find_doctor" if "khám bệnh" in text else "human_handoff"
    return httpx.Response(200, json={"text": text, "intent": {"name": name, "confidence": 0.9}})


def korean_app(paths, sessions, rasa_url):
    content = Content.load(paths)

    return create_app(helpline_opener(content, sessions, rasa_url))


def log_in(page, url, username):
    page.goto(f"{url}/console")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_services_a_referral_and_an_edit_in_the_browser(browser, sessions, paths, tmp_path, monkeypatch):
    copy = copy_content(paths, tmp_path)
    monkeypatch.setenv("HELPLINE_HOME", str(tmp_path))
    monkeypatch.setenv("HELPLINE_PROFILE", str(copy.profiles / "gg-foreign-residents.yml"))
    create_user(sessions, "mai", "Mai Lawyer", "lawyer", PASSWORD, [], [], "gg-welfare")
    create_user(sessions, "eda", "Eda Editor", "editor", PASSWORD, [], [])
    with (
        rasa_serving(fake_rasa) as rasa_url,
        serving(korean_app(Paths(tmp_path), sessions, rasa_url), lifespan="on") as url,
    ):
        migrant = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN").new_page()
        migrant.goto(url)
        migrant.fill("#text", QUESTION)
        migrant.keyboard.press("Enter")
        expect(migrant.locator("#log")).to_contain_text("Ansan Migrant Health Clinic", timeout=15_000)
        expect(migrant.locator("#log")).to_contain_text("openstreetmap.org")
        migrant.fill("#text", "/lawyer")
        migrant.keyboard.press("Enter")
        expect(migrant.locator("#log")).to_contain_text(re.compile(r"\d{4}-\d{6}"))

        lawyer = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        log_in(lawyer, url, "mai")
        lawyer.click("#take-next")
        lawyer.wait_for_selector("#refer-service")
        clinic = lawyer.locator("#refer-service option", has_text="Wongok Evening Clinic")
        lawyer.select_option("#refer-service", clinic.get_attribute("value"))
        lawyer.click("#refer-send")
        expect(lawyer.locator("#referrals")).to_contain_text("Wongok Evening Clinic")
        expect(migrant.locator("#log")).to_contain_text("Wongok Evening Clinic", timeout=15_000)

        editor = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        log_in(editor, url, "eda")
        editor.goto(f"{url}/console/directory")
        expect(editor.locator("#services tr.stale").first).to_be_visible()  # the stale entries come first
        editor.click("text=Ansan Migrant Health Clinic")
        editor.fill("#phones", "031-000-9999")
        editor.check("#verified")
        editor.click("#save")
        expect(editor.locator("#history")).to_contain_text("eda")
        expect(editor.locator("#history")).to_contain_text("031-000-9999")

        again = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        again.goto(url)
        again.fill("#text", QUESTION)
        again.keyboard.press("Enter")
        expect(again.locator("#log")).to_contain_text("031-000-9999", timeout=15_000)
    saved = json.loads((tmp_path / "data/directory/gg-foreign-residents/services.json").read_text())
    entry = next(service for service in saved if service["name"] == "Ansan Migrant Health Clinic")
    assert [phone["number"] for phone in entry["phones"]] == ["031-000-9999"]
    assert entry["metadata"][-1]["updated_by"] == "eda" and entry["metadata"][-1]["last_action_type"] == "verify"
