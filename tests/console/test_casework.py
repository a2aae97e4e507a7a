"""Casework over HTTP, on SQLite and PostgreSQL: a lawyer takes a chosen case from its page, "back
to the queue" and a transfer tell the migrant what happens now, and while a case waits the
migrant's messages join it instead of getting FAQ answers (urgent ones still get the safety reply)."""

import re

from bot.console.users import create_user
from bot.helpline import Inbound
from bot.store.actions import transcript
from tests.catalogs import catalog_text
from tests.console.test_views import PASSWORD, csrf_of, escalate, log_in


async def case_url_of(lawyer) -> str:
    queue = await lawyer.get("/console")
    return re.search(r'href="(/console/cases/\d+)"', queue.text).group(1)


async def test_a_lawyer_takes_the_case_she_opened_and_a_colleague_is_told_it_is_gone(setup, sessions):
    helpline, lawyer, migrant = setup
    ticket = re.search(r"\d{4}-\d{6}", (await escalate(helpline)).text).group(0)
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    create_user(sessions, "eda", "Eda", "editor", PASSWORD, [], [])
    await log_in(lawyer)
    url = await case_url_of(lawyer)
    page = await lawyer.get(url)
    assert 'id="take-case"' in page.text
    taken = await lawyer.post(f"{url}/take", data={"csrf": csrf_of(page.text)})
    assert taken.status_code == 303 and taken.headers["location"] == url
    assert transcript(sessions, "web", "web-session-1")[-1].text == helpline.text("ui:case_taken", "en", ticket=ticket)
    create_user(sessions, "bek", "Bek", "lawyer", PASSWORD, [], [])
    await log_in(migrant, "bek")
    late = await migrant.post(f"{url}/take", data={"csrf": csrf_of((await migrant.get("/console")).text)})
    assert late.status_code in (403, 409)  # a held case is not his to read, let alone take
    await log_in(migrant, "eda")
    refused = await migrant.post(f"{url}/take", data={"csrf": csrf_of((await migrant.get("/console/content")).text)})
    assert refused.status_code == 403


async def test_back_to_the_queue_tells_the_migrant(setup, sessions):
    helpline, lawyer, _ = setup
    await escalate(helpline)
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    await log_in(lawyer)
    queue = await lawyer.get("/console")
    url = (await lawyer.post("/console/take-next", data={"csrf": csrf_of(queue.text)})).headers["location"]
    page = await lawyer.get(url)
    await lawyer.post(f"{url}/release", data={"csrf": csrf_of(page.text)})
    last = transcript(sessions, "web", "web-session-1")[-1]
    ticket = re.search(r"\d{4}-\d{6}", last.text).group(0)
    assert last.direction == "out" and last.text == helpline.text("ui:case_requeued", "en", ticket=ticket)


async def test_while_waiting_messages_join_the_case_and_get_no_faq(setup, sessions):
    helpline, _, _ = setup
    await escalate(helpline)
    reply = await helpline.handle(Inbound("web", "web-session-1", "my visa expires next week"))
    ticket = re.search(r"\d{4}-\d{6}", reply.text).group(0)
    assert reply.text == helpline.text("ui:case_message_added", "en", ticket=ticket)
    stored = transcript(sessions, "web", "web-session-1")
    assert stored[-2].text == "my visa expires next week" and stored[-2].direction == "in"


async def test_while_waiting_danger_still_gets_the_safety_reply(setup, sessions):
    helpline, _, _ = setup
    await escalate(helpline)
    reply = await helpline.handle(Inbound("web", "web-session-1", "my boss took my passport and locks me in"))
    assert reply.urgent and reply.action == "urgent"
    assert "Added to your case" not in reply.text and helpline.text(f"answer:{reply.intent}", "en")[:40] in reply.text


async def test_delete_tells_the_truth_about_a_waiting_case(setup, sessions):
    helpline, _, _ = setup
    ticket = re.search(r"\d{4}-\d{6}", (await escalate(helpline)).text).group(0)
    reply = await helpline.handle(Inbound("web", "web-session-1", "/delete"))
    assert reply.text == catalog_text("ui:deleted_while_waiting", "en", ticket=ticket)
    assert "working on" not in reply.text  # nobody is, yet
