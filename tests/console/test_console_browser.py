"""The console and the web chat in a real headless Chromium: a migrant escalates in one browser,
a lawyer handles the case to the end in another."""

import re

import httpx
from playwright.sync_api import expect

from bot.console.users import create_user
from bot.web.app import create_app
from tests.copies import copy_content
from tests.fake_rasa import helpline_opener
from tests.servers import serving

PASSWORD = "correct horse battery"


def app_for(content, sessions, rasa_url):
    return create_app(helpline_opener(content, sessions, rasa_url))


def console_of(browser, url, username):
    """A laptop-sized browser logged in to the console."""
    laptop = browser.new_context(viewport={"width": 1280, "height": 800}, timezone_id="UTC")
    console = laptop.new_page()
    console.goto(f"{url}/console/login")
    console.fill("input[name=username]", username)
    console.fill("input[name=password]", PASSWORD)
    console.click("button[type=submit]")
    return laptop, console


def test_a_lawyer_takes_an_escalated_web_chat_and_closes_it(browser, content, sessions, fake_rasa_url, paths):
    create_user(sessions, "aida", "Aida Lawyer", "lawyer", PASSWORD, ["en", "ru", "ky"], [])
    shots = paths.state / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with serving(app_for(content, sessions, fake_rasa_url), lifespan="on") as url:
        phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
        migrant = phone.new_page()
        migrant.goto(url)
        migrant.fill("#text", "I need a lawyer, my boss does not pay")
        migrant.keyboard.press("Enter")
        # locator assertions: Playwright's string predicates are eval'd, which the page's CSP forbids
        expect(migrant.locator(".msg.bot").nth(1)).to_be_visible()
        expect(migrant.locator(".msg.bot", has_text=re.compile(r"^…$"))).to_have_count(0)
        migrant.fill("#text", "/lawyer")
        migrant.keyboard.press("Enter")
        expect(migrant.locator("#log")).to_contain_text(re.compile(r"\d{4}-\d{6}"))
        ticket = re.search(r"\d{4}-\d{6}", migrant.inner_text("#log")).group(0)

        laptop, console = console_of(browser, url, "aida")
        console.wait_for_selector(f"text={ticket}")
        console.screenshot(path=str(shots / "console-queue.png"))

        console.click("#take-next")
        console.wait_for_selector("#reply")
        expect(migrant.locator(".msg.bot", has_text="A lawyer has joined")).to_be_visible(timeout=15_000)
        bot_bubbles = migrant.locator(".msg.bot").count()
        migrant.fill("#text", "they owe me for three months")
        migrant.keyboard.press("Enter")
        console.wait_for_selector("text=they owe me for three months", timeout=15_000)  # live transcript
        # the bot stays silent while the lawyer has the case: no bot bubble, empty or not, is added
        migrant.wait_for_timeout(1_500)
        assert migrant.locator(".msg.bot").count() == bot_bubbles, migrant.locator(".msg.bot").all_inner_texts()

        console.fill("#reply", "Hello, I am Aida, a lawyer. Do you have a written contract?")
        console.click("#send-reply")
        migrant.wait_for_selector("text=Do you have a written contract?", timeout=15_000)
        expect(migrant.locator(".msg.bot", has_text="Aida, lawyer:")).to_be_visible()  # a person, not the bot
        console.screenshot(path=str(shots / "console-case.png"))
        migrant.screenshot(path=str(shots / "web-chat.png"))

        console.select_option("#outcome", "advice_given")
        console.click("#close-case")
        console.wait_for_selector("text=The queue is empty.")
        # the closing notice names the ticket again
        expect(migrant.locator("#log")).to_contain_text(
            re.compile(re.escape(ticket) + r"[\s\S]*" + re.escape(ticket)), timeout=15_000
        )

        # the migrant reloads the page: the whole conversation is back, the lawyer's words labelled
        migrant.reload()
        expect(migrant.locator(".msg.lawyer", has_text="Aida, lawyer:")).to_be_visible(timeout=10_000)
        expect(migrant.locator(".msg.me", has_text="they owe me for three months")).to_be_visible()

        # the closed case is found again by the migrant's words, with its closing
        console.click("text=Cases")
        console.fill("#search-words", "OWE ME")
        console.select_option("#search-state", "closed")
        console.click("#search-submit")
        expect(console.locator("#cases tbody tr")).to_have_count(1)
        console.click(f"#cases >> text={ticket}")
        expect(console.locator("#closing")).to_contain_text("Aida Lawyer")
        expect(console.locator("#closing")).to_contain_text("advice given")
        phone.close()
        laptop.close()


def test_a_supervisor_reads_the_days_figures_in_the_helplines_time_zone(browser, content, sessions, fake_rasa_url):
    import datetime as dt

    from sqlalchemy import update

    from bot.store.models import Case

    create_user(sessions, "boss", "Boss", "supervisor", PASSWORD, [], [])
    with serving(app_for(content, sessions, fake_rasa_url), lifespan="on") as url:
        for sender in ("tz-session-1", "tz-session-2"):
            with httpx.Client(base_url=url) as client:
                assert client.post("/api/chat", json={"session": sender, "text": "/lawyer"}).status_code == 200
        # both opened at 19:30 UTC on 3 December: 01:30 on the 4th in Bishkek
        with sessions.begin() as db:
            db.execute(update(Case).values(created_at=dt.datetime(2026, 12, 3, 19, 30, tzinfo=dt.UTC)))
        laptop, console = console_of(browser, url, "boss")  # the browser's own clock is UTC
        console.goto(f"{url}/console/stats?from=2026-12-04&to=2026-12-04")
        expect(console.locator("#opened")).to_have_text("2")
        expect(console.locator("#by-hour")).to_contain_text("01:00")
        expect(console.locator("#period")).to_contain_text("Asia/Bishkek")
        console.fill("#period-from", "2026-12-03")
        console.fill("#period-to", "2026-12-03")
        console.click("#period-show")
        expect(console.locator("#opened")).to_have_text("0")
        with console.expect_download() as download:
            console.goto(f"{url}/console/stats?from=2026-12-04&to=2026-12-04")
            console.click("#csv-export")
        lines = download.value.path().read_text(encoding="utf-8-sig").splitlines()
        assert len(lines) == 3 and all("2026-12-04T01:30+06:00" in line for line in lines[1:])
        laptop.close()


def test_an_editor_reviews_a_kyrgyz_answer_in_the_browser(
    browser, content, sessions, fake_rasa_url, paths, tmp_path, monkeypatch
):

    from bot.answers import Answers
    from bot.paths import Paths

    copy_content(paths, tmp_path)
    monkeypatch.setenv("HELPLINE_HOME", str(tmp_path))
    create_user(sessions, "eda", "Eda Editor", "editor", PASSWORD, [], [])
    with serving(app_for(content, sessions, fake_rasa_url), lifespan="on") as url:
        laptop = browser.new_context(viewport={"width": 1280, "height": 900})
        page = laptop.new_page()
        page.goto(f"{url}/console/login")
        page.fill("input[name=username]", "eda")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.click("text=Content")
        page.click("a[href='/console/content/answers/answer:residence_registration?language=ky']")
        assert page.is_visible("text=(not reviewed)")
        page.fill("#translation", page.input_value("#translation") + " (текшерилди)")
        page.check("input[name=reviewed]")
        page.click("#save")
        page.wait_for_selector("text=Saved.")
        assert not page.is_visible("text=(not reviewed)")  # the page shows what is now served
        assert page.input_value("#translation").endswith("(текшерилди)")
        page.screenshot(path=str(paths.state / "screenshots" / "editor-answer.png"))
        laptop.close()
    saved = Answers.load(Paths(tmp_path).locales).translations["ky"]["answer:residence_registration"]
    assert saved.text.endswith("(текшерилди)") and not saved.fuzzy


def _migrant_writes(browser, url, *texts):
    """A migrant's own phone (a browser context of its own: its own web chat session)."""
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = phone.new_page()
    page.goto(url)
    for text in texts:
        replies = page.locator(".msg.bot").count()
        page.fill("#text", text)
        page.keyboard.press("Enter")
        expect(page.locator(".msg.bot")).to_have_count(replies + 1, timeout=15_000)
        expect(page.locator(".msg.bot", has_text=re.compile(r"^…$"))).to_have_count(0, timeout=15_000)
    ticket = re.search(r"\d{4}-\d{6}", page.inner_text("#log")).group(0)
    return phone, page, ticket


def test_a_day_of_cases_urgent_first_nothing_left_hanging(browser, content, sessions, fake_rasa_url):
    from tests.catalogs import catalog_text

    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    create_user(sessions, "eda", "Eda", "editor", PASSWORD, [], [])
    with serving(app_for(content, sessions, fake_rasa_url), lifespan="on") as url:
        wages_phone, wages, wages_ticket = _migrant_writes(browser, url, "/lawyer")
        danger_phone, danger, danger_ticket = _migrant_writes(browser, url, "my boss took my passport and locks me in")
        # waiting: what the migrant adds joins the case, and is not answered with an FAQ
        wages.fill("#text", "my visa expires next week")
        wages.keyboard.press("Enter")
        added = catalog_text("ui:case_message_added", "en", ticket=wages_ticket)
        expect(wages.locator(".msg.bot").last).to_have_text(added, timeout=15_000)

        editor_laptop, editor = console_of(browser, url, "eda")
        expect(editor.locator("#take-next")).to_have_count(0)  # an editor has no case actions
        editor.goto(f"{url}/console/cases")
        expect(editor.locator("#cases")).to_have_count(0)

        laptop, console = console_of(browser, url, "aida")
        console.click("#take-next")  # the urgent case, though it came second
        expect(console.locator("h1")).to_contain_text(danger_ticket)
        expect(console.locator(".urgent-line")).to_have_count(1)
        console.click("text=Back to the queue")
        requeued = catalog_text("ui:case_requeued", "en", ticket=danger_ticket)
        expect(danger.locator(".msg.bot", has_text=requeued)).to_be_visible(timeout=15_000)

        console.click(f"#queue >> text={wages_ticket}")  # a chosen case, from its page
        console.click("#take-case")
        expect(console.locator("#reply")).to_be_visible()
        expect(console.locator("#transcript")).to_contain_text("my visa expires next week")
        joined = catalog_text("ui:case_taken", "en")
        expect(wages.locator(".msg.bot", has_text=joined)).to_be_visible(timeout=15_000)
        for context in (wages_phone, danger_phone, editor_laptop, laptop):
            context.close()
