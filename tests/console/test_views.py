"""The console over HTTP: login with CSRF and throttling, the queue, take next, reply, close, access."""

import re

import httpx

from bot.console import throttle
from bot.console.users import create_user
from bot.helpline import Inbound
from bot.store.actions import transcript
from tests.catalogs import catalog_text

PASSWORD = "correct horse battery"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


async def log_in(client, username="aida", password=PASSWORD) -> httpx.Response:
    page = await client.get("/console/login")
    return await client.post(
        "/console/login", data={"username": username, "password": password, "csrf": csrf_of(page.text)}
    )


async def escalate(helpline, sender="web-session-1", text="/lawyer"):
    await helpline.handle(Inbound("web", sender, "hello"))
    return await helpline.handle(Inbound("web", sender, text))


async def test_pages_need_a_login(setup):
    _, lawyer, _ = setup
    assert (await lawyer.get("/console")).headers["location"] == "/console/login"
    assert (await lawyer.get("/console/queue.json")).status_code == 401


async def test_login_needs_the_csrf_token(setup, sessions):
    _, lawyer, _ = setup
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    response = await lawyer.post("/console/login", data={"username": "aida", "password": PASSWORD, "csrf": "forged"})
    assert response.status_code == 400
    assert (await log_in(lawyer)).headers["location"] == "/console"


async def test_repeated_wrong_passwords_are_throttled_with_429_and_retry_after(setup, sessions):
    _, lawyer, _ = setup
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    for _ in range(throttle.FREE_FAILURES["pair"] + 1):
        assert (await log_in(lawyer, password="not the password")).status_code == 401
    refused = await log_in(lawyer)
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 30
    assert "wait a few minutes" in refused.text


async def test_escalation_take_next_reply_and_close(setup, sessions):
    helpline, lawyer, _ = setup
    reply = await escalate(helpline)
    ticket = re.search(r"\d{4}-\d{6}", reply.text).group(0)
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    await log_in(lawyer)
    queue = await lawyer.get("/console")
    assert ticket in queue.text
    taken = await lawyer.post("/console/take-next", data={"csrf": csrf_of(queue.text)})
    case_url = taken.headers["location"]
    case_page = await lawyer.get(case_url)
    assert case_page.status_code == 200 and "hello" in case_page.text

    # while the lawyer has the case the bot stays silent, and the migrant's words reach the lawyer
    assert await helpline.handle(Inbound("web", "web-session-1", "my boss owes me 3 months")) is None
    live = (await lawyer.get(f"{case_url}/messages.json")).json()
    assert live["lines"][-1]["text"] == "my boss owes me 3 months"

    await lawyer.post(f"{case_url}/reply", data={"csrf": csrf_of(case_page.text), "text": "Hello, I am a lawyer."})
    migrant_sees = [m.text for m in transcript(sessions, "web", "web-session-1") if m.lawyer_id]
    assert migrant_sees == [f"{catalog_text('ui:lawyer_says', 'en', name='Aida')}\nHello, I am a lawyer."]

    await lawyer.post(f"{case_url}/close", data={"csrf": csrf_of(case_page.text), "outcome": "advice_given"})
    closing = transcript(sessions, "web", "web-session-1")[-1].text
    assert ticket in closing
    back = await helpline.handle(Inbound("web", "web-session-1", "hello"))
    assert back is not None  # the bot answers again


async def test_migrant_html_is_escaped_in_the_console(setup, sessions):
    helpline, lawyer, _ = setup
    await escalate(helpline, text="<script>alert(1)</script> /lawyer")
    await helpline.handle(Inbound("web", "web-session-1", "/lawyer"))
    create_user(sessions, "aida", "Aida", "supervisor", PASSWORD, [], [])
    await log_in(lawyer)
    queue = await lawyer.get("/console")
    case_id = re.search(r"/console/cases/(\d+)", queue.text).group(1)
    page = await lawyer.get(f"/console/cases/{case_id}")
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text


async def test_a_lawyer_cannot_act_on_another_lawyers_case(setup, sessions):
    helpline, lawyer, _ = setup
    await escalate(helpline)
    owner = create_user(sessions, "owner", "Owner", "lawyer", PASSWORD, [], [])
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    from bot.cases.actions import claim_next

    case_id = claim_next(sessions, owner)
    await log_in(lawyer)
    page = await lawyer.get("/console")
    denied = await lawyer.post(f"/console/cases/{case_id}/reply", data={"csrf": csrf_of(page.text), "text": "x"})
    assert denied.status_code == 403
    assert (await lawyer.get(f"/console/cases/{case_id}")).status_code == 403


async def test_the_migrant_can_ask_for_their_place_in_the_queue(setup):
    helpline, _, _ = setup
    await escalate(helpline, sender="s-1")
    await escalate(helpline, sender="s-2")
    first = await helpline.handle(Inbound("web", "s-1", "/status"))
    second = await helpline.handle(Inbound("web", "s-2", "/status"))
    assert re.search(r"\d{4}-\d{6}", second.text)
    assert "you are number 1 in the queue" in first.text
    assert "you are number 2 in the queue" in second.text


async def test_a_phone_number_while_waiting_is_saved_for_a_callback(setup, sessions):
    helpline, _, _ = setup
    await escalate(helpline, sender="cb")
    reply = await helpline.handle(Inbound("web", "cb", "+996 700 123 456 call me"))
    assert "+996700123456" in reply.text
    from sqlalchemy import select

    from bot.store.models import Case

    with sessions() as session:
        assert session.scalar(select(Case.callback_phone)) == "+996700123456"
    _, lawyer, _ = setup
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    await log_in(lawyer)
    queue = (await lawyer.get("/console/queue.json")).json()["rows"]
    assert [row["call_back"] for row in queue] == [True]  # the queue marks it; the number stays on the case page
    assert "+996700123456" not in str(queue)


async def test_supervisors_see_statistics_and_lawyers_do_not(setup, sessions):
    helpline, lawyer, _ = setup
    await escalate(helpline, sender="st-1")
    await escalate(helpline, sender="st-2")
    await helpline.handle(Inbound("web", "st-3", "hello"))  # never needed a lawyer
    create_user(sessions, "boss", "Boss", "supervisor", PASSWORD, [], [])
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    await log_in(lawyer, "aida")
    assert (await lawyer.get("/console/stats")).status_code == 403
    await log_in(lawyer, "boss")
    page = await lawyer.get("/console/stats")
    assert page.status_code == 200
    assert '<strong id="waiting">2</strong>' in page.text
    assert "33%" in page.text  # one conversation in three was resolved by the bot alone


async def test_private_notes_and_transfer(setup, sessions):
    helpline, lawyer, _ = setup
    await escalate(helpline, sender="n-1")
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    colleague = create_user(sessions, "bek", "Bek", "lawyer", PASSWORD, [], [])
    await log_in(lawyer)
    queue = await lawyer.get("/console")
    case_url = (await lawyer.post("/console/take-next", data={"csrf": csrf_of(queue.text)})).headers["location"]
    page = await lawyer.get(case_url)
    await lawyer.post(f"{case_url}/notes", data={"csrf": csrf_of(page.text), "text": "Needs a Russian contract copy"})
    page = await lawyer.get(case_url)
    assert "Needs a Russian contract copy" in page.text
    assert all("Needs a Russian" not in m.text for m in transcript(sessions, "web", "n-1"))  # never sent
    moved = await lawyer.post(f"{case_url}/transfer", data={"csrf": csrf_of(page.text), "lawyer": str(colleague)})
    assert moved.headers["location"] == "/console"
    assert (await lawyer.get(case_url)).status_code == 403  # it is Bek's case now


async def test_a_reply_that_could_not_be_delivered_is_marked_in_the_case(setup, sessions):
    from bot.store.actions import set_delivery

    helpline, lawyer, _ = setup
    await escalate(helpline, sender="f-1")
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    await log_in(lawyer)
    queue = await lawyer.get("/console")
    case_url = (await lawyer.post("/console/take-next", data={"csrf": csrf_of(queue.text)})).headers["location"]
    assert "not delivered" not in (await lawyer.get(case_url)).text
    last = transcript(sessions, "web", "f-1")[-1]
    set_delivery(sessions, last.id, "failed", error="telegram: Forbidden")
    assert "✗ not delivered" in (await lawyer.get(case_url)).text


async def test_logging_out_returns_the_lawyers_cases_to_the_queue(setup, sessions):
    from tests.cases.test_actions import open_case

    helpline, lawyer, _ = setup
    await escalate(helpline, sender="lo-1")
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    await log_in(lawyer)
    queue = await lawyer.get("/console")
    await lawyer.post("/console/take-next", data={"csrf": csrf_of(queue.text)})
    await lawyer.post("/console/logout", data={"csrf": csrf_of(queue.text)})
    stored = transcript(sessions, "web", "lo-1")[0]
    assert open_case(sessions, stored.conversation_id).status == "waiting"
