"""The web chat in a real headless Chromium on a phone-sized screen, against the real Rasa server."""

import pytest
from playwright.sync_api import expect

from tests.catalogs import catalog_text
from tests.servers import serving
from tests.web.conftest import app_for

pytestmark = pytest.mark.rasa


@pytest.fixture
def page(browser, content, sessions, rasa_url):
    with serving(app_for(content, sessions, rasa_url), lifespan="on") as url:
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ru-RU")
        page = context.new_page()
        page.goto(url)
        yield page
        context.close()


def test_a_migrant_asks_in_kyrgyz_and_chooses_a_language_by_button(page, tmp_path):
    page.fill("#text", "патент алыш үчүн кандай документтер керек")
    page.keyboard.press("Enter")
    # assertions through locators: Playwright's string predicates are eval'd, which the page's CSP forbids
    reply = page.locator(".msg.bot").nth(1)
    reply.wait_for(timeout=30_000)
    expect(reply).not_to_have_text("…", timeout=30_000)
    expect(page.locator("html")).to_have_attribute("lang", "ky")
    # the composer stays on screen: the page is usable on a phone
    box = page.locator("#text").bounding_box()
    assert box and box["y"] + box["height"] <= 844
    page.screenshot(path=str(tmp_path / "chat.png"))

    page.fill("#text", "/language")
    page.keyboard.press("Enter")
    russian = page.locator(".buttons button", has_text="Русский").last
    russian.wait_for(timeout=30_000)
    before = page.locator(".msg.bot").count()
    russian.click()
    expect(page.locator(".msg.bot")).to_have_count(before + 1, timeout=30_000)
    expect(page.locator("html")).to_have_attribute("lang", "ru", timeout=30_000)


def test_what_a_migrant_writes_is_shown_as_text_not_html(page):
    page.fill("#text", "<img src=x onerror=\"document.title='hacked'\"> виза")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.me")).to_have_count(1)
    assert page.locator(".msg.me").first.text_content().startswith("<img")
    assert page.title() != "hacked"


def test_the_conversation_survives_a_reload_and_can_start_afresh(page):
    page.fill("#text", "шеф не платит зарплату уже два месяца")
    page.get_by_role("button", name=catalog_text("ui:send", "ru")).click()
    reply = page.locator(".msg.bot").nth(1)
    expect(reply).not_to_have_text("…", timeout=30_000)
    answer = reply.text_content()
    # buttons meet touch-size guidance, and a row answered is a row disabled
    first_row = page.locator(".buttons").first.locator("button")
    box = first_row.first.bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 44
    page.fill("#text", "спасибо")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.bot")).to_have_count(3, timeout=30_000)
    expect(page.locator(".msg.bot").nth(2)).not_to_have_text("…", timeout=30_000)
    for index in range(first_row.count()):
        expect(first_row.nth(index)).to_be_disabled()

    page.reload()

    expect(page.locator(".msg.me")).to_have_text(["шеф не платит зарплату уже два месяца", "спасибо"], timeout=10_000)
    expect(page.locator(".msg.bot").nth(1)).to_have_text(answer)
    expect(page.locator("html")).to_have_attribute("lang", "ru")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#new-conversation")
    expect(page.locator(".msg.me")).to_have_count(0)
    with page.expect_response("**/api/chat/history") as restored:
        page.reload()
    assert restored.value.json()["messages"] == []
    expect(page.locator(".msg.me")).to_have_count(0)
    expect(page.locator(".msg.bot")).to_have_count(1)  # the greeting, and nothing of the old conversation
