"""Closed cases stay findable and readable, on SQLite and PostgreSQL: search by words and ticket,
the closing (outcome, who, when, notes) on the case page, and a migrant's earlier cases linked for
the lawyer handling their new one, and for nobody else."""

import re

from bot.console.users import create_user
from bot.helpline import Inbound
from tests.console.test_views import PASSWORD, csrf_of, escalate, log_in


async def take_and_close(client, outcome="advice_given", note=None, false_alarm=False) -> str:
    queue = await client.get("/console")
    url = (await client.post("/console/take-next", data={"csrf": csrf_of(queue.text)})).headers["location"]
    page = await client.get(url)
    if note:
        await client.post(f"{url}/notes", data={"csrf": csrf_of(page.text), "text": note})
    form = {"csrf": csrf_of(page.text), "outcome": outcome} | ({"false_alarm": "1"} if false_alarm else {})
    assert (await client.post(f"{url}/close", data=form)).status_code == 303
    return url


async def test_search_finds_a_closed_case_by_the_migrants_words_and_its_page_shows_the_closing(setup, sessions):
    helpline, lawyer, other = setup
    await helpline.handle(Inbound("web", "s-1", "Работодатель не платит ЗАРПЛАТУ третий месяц"))
    ticket = re.search(r"\d{4}-\d{6}", (await helpline.handle(Inbound("web", "s-1", "/lawyer"))).text).group(0)
    await escalate(helpline, sender="s-2")  # another case, never mentioning wages
    create_user(sessions, "aida", "Aida Sadykova", "lawyer", PASSWORD, [], [])
    create_user(sessions, "boss", "Boss", "supervisor", PASSWORD, [], [])
    create_user(sessions, "bek", "Bek", "lawyer", PASSWORD, [], [])
    await log_in(lawyer)
    url = await take_and_close(lawyer, "referred", note="Sent to the labour inspectorate")

    found = await lawyer.get("/console/cases", params={"q": "зарплату", "state": "closed"})
    assert found.status_code == 200
    assert ticket in found.text and found.text.count('<tr data-id="') == 1  # "ЗАРПЛАТУ" matched, in any case
    by_ticket = await lawyer.get("/console/cases", params={"q": ticket})
    assert by_ticket.text.count('<tr data-id="') == 1
    still_open = await lawyer.get("/console/cases", params={"q": "зарплату", "state": "open"})
    assert still_open.text.count("<tr data-id") == 0

    page = await lawyer.get(url)
    closing = page.text.split('id="closing"')[1].split("</p>")[0]
    assert "Aida Sadykova" in closing and "referred" in closing
    assert "Sent to the labour inspectorate" in page.text
    assert 'id="reply"' not in page.text  # closed: read, not acted on

    await log_in(other, "bek")  # a lawyer who never had it finds nothing of it
    assert ticket not in (await other.get("/console/cases", params={"q": "зарплату"})).text
    assert (await other.get(url)).status_code == 403
    await log_in(other, "boss")
    assert ticket in (await other.get("/console/cases", params={"q": "ЗАРПЛАТУ"})).text


async def test_the_lawyer_on_a_new_case_sees_the_migrants_earlier_case(setup, sessions):
    helpline, lawyer, other = setup
    first = re.search(r"\d{4}-\d{6}", (await escalate(helpline, sender="again")).text).group(0)
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    create_user(sessions, "bek", "Bek", "lawyer", PASSWORD, [], [])
    create_user(sessions, "cholpon", "Cholpon", "lawyer", PASSWORD, [], [])
    await log_in(lawyer)
    earlier_url = await take_and_close(lawyer, "advice_given")
    await helpline.handle(Inbound("web", "again", "/lawyer"))  # the same migrant, a new case

    await log_in(other, "bek")
    queue = await other.get("/console")
    new_url = (await other.post("/console/take-next", data={"csrf": csrf_of(queue.text)})).headers["location"]
    page = await other.get(new_url)

    listed = page.text.split('id="earlier-cases"')[1].split("</div>")[0]
    assert f'<a href="{earlier_url}">{first}</a>' in listed and "advice given" in listed and "Aida" in listed
    assert (await other.get(earlier_url)).status_code == 200  # Bek holds the migrant's case now
    await log_in(other, "cholpon")
    assert (await other.get(earlier_url)).status_code == 403


async def test_a_bad_search_is_ignored_not_an_error_and_editors_get_no_case_list(setup, sessions):
    _, lawyer, _ = setup
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    create_user(sessions, "eda", "Eda", "editor", PASSWORD, [], [])
    await log_in(lawyer)
    odd = await lawyer.get("/console/cases", params={"from": "31-31-2026", "state": "everything", "q": "%_\\"})
    assert odd.status_code == 200 and "No case matches." in odd.text
    await log_in(lawyer, "eda")
    assert (await lawyer.get("/console/cases")).status_code == 403
