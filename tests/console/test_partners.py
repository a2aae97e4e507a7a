"""Partner organisations over HTTP, on SQLite and PostgreSQL: a new case joins the right
organisation's queue, one organisation cannot read another's cases, and a lawyer refers a case to
a partner service and later sees the outcome the migrant reported."""

import contextlib
import datetime as dt
import json

import httpx
import pytest
from sqlalchemy import select

from bot.console.delivery import send_follow_ups
from bot.console.users import create_user
from bot.helpline import Content, Helpline, Inbound
from bot.nlu.client import RasaClient
from bot.paths import Paths
from bot.store.actions import transcript
from bot.store.models import Case
from bot.web.app import create_app
from tests.console.test_views import PASSWORD, csrf_of, log_in
from tests.fake_rasa import rasa_serving

DOCTOR_IN_ANSAN = "Tôi ở Ansan, không có bảo hiểm thì đi khám bệnh ở đâu?"


def fake_rasa(request: httpx.Request) -> httpx.Response:
    text = json.loads(request.read())["text"]
    name = "find_doctor" if text == DOCTOR_IN_ANSAN else "unpaid_wages" if "lương" in text else "human_handoff"
    return httpx.Response(200, json={"text": text, "intent": {"name": name, "confidence": 0.9}})


@pytest.fixture(scope="module")
def korean_content(paths):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HELPLINE_PROFILE", str(paths.profiles / "gg-foreign-residents.yml"))
        return Content.load(Paths(paths.root))


@pytest.fixture(scope="module")
def nlu_url():
    with rasa_serving(fake_rasa) as url:
        yield url


@pytest.fixture
async def setup(korean_content, sessions, nlu_url):
    nlu = RasaClient(nlu_url)
    helpline = Helpline(korean_content, nlu, sessions)
    app = create_app(contextlib.nullcontext)
    app.state.helpline = helpline
    app.state.channels = type("NoChannels", (), {"telegram": None, "whatsapp": None})()
    transport = httpx.ASGITransport(app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://test") as welfare,
        httpx.AsyncClient(transport=transport, base_url="http://test") as rights,
    ):
        yield app, helpline, welfare, rights
    await nlu.aclose()


async def a_case_in_ansan(helpline, sender="ansan-web-1"):
    await helpline.handle(Inbound("web", sender, DOCTOR_IN_ANSAN))
    await helpline.handle(Inbound("web", sender, "/lawyer"))


async def take_next_case(lawyer):
    """The lawyer presses "take next": the case's address and its page."""
    queue = await lawyer.get("/console")
    case_url = (await lawyer.post("/console/take-next", data={"csrf": csrf_of(queue.text)})).headers["location"]
    return case_url, await lawyer.get(case_url)


def case_of(sessions):
    with sessions() as session:
        return session.scalars(select(Case)).one()


async def test_a_case_joins_the_organisation_its_rules_name(setup, sessions):
    _, helpline, _, _ = setup
    await a_case_in_ansan(helpline)
    assert case_of(sessions).organization == "gg-welfare"  # health, in Ansan: the city welfare centres
    await helpline.handle(Inbound("web", "wages-1", "chủ không trả lương 3 tháng"))
    await helpline.handle(Inbound("web", "wages-1", "/lawyer"))
    with sessions() as session:
        wages = session.scalars(select(Case).where(Case.topic == "employment")).one()
    assert wages.organization is None  # no rule takes it: the first organisation, the rights centre


async def test_one_organisation_cannot_read_anothers_cases(setup, sessions):
    _, helpline, welfare, rights = setup
    await a_case_in_ansan(helpline)
    case = case_of(sessions)
    create_user(sessions, "mai", "Mai", "lawyer", PASSWORD, [], [], "gg-welfare")
    create_user(sessions, "jun", "Jun", "supervisor", PASSWORD, [], [])
    await log_in(welfare, "mai")
    await log_in(rights, "jun")
    assert (await welfare.get(f"/console/cases/{case.id}")).status_code == 200
    assert (await rights.get(f"/console/cases/{case.id}")).status_code == 403
    assert (await rights.get(f"/console/cases/{case.id}/messages.json")).status_code == 403
    assert [row["id"] for row in (await welfare.get("/console/queue.json")).json()["rows"]] == [case.id]
    assert (await rights.get("/console/queue.json")).json()["rows"] == []
    # "take next" gives the rights centre's supervisor nothing of the welfare centres' queue
    queue = await rights.get("/console")
    taken = await rights.post("/console/take-next", data={"csrf": csrf_of(queue.text)})
    assert case_of(sessions).status == "waiting" and "/cases/" not in taken.headers.get("location", "")


async def test_a_case_sent_to_a_partner_organisation_waits_in_its_queue(setup, sessions):
    _, helpline, welfare, rights = setup
    await a_case_in_ansan(helpline)
    create_user(sessions, "mai", "Mai", "lawyer", PASSWORD, [], [], "gg-welfare")
    create_user(sessions, "jun", "Jun", "lawyer", PASSWORD, [], [])
    await log_in(welfare, "mai")
    case_url, page = await take_next_case(welfare)
    sent = await welfare.post(f"{case_url}/partner", data={"csrf": csrf_of(page.text), "organization": "gg-rights"})
    assert sent.status_code == 303
    case = case_of(sessions)
    assert (case.organization, case.status, case.lawyer_id) == (None, "waiting", None)
    await log_in(rights, "jun")
    assert [row["id"] for row in (await rights.get("/console/queue.json")).json()["rows"]] == [case.id]
    assert (await welfare.get(case_url)).status_code == 403


async def test_a_lawyer_refers_a_case_and_later_sees_the_outcome(setup, sessions):
    app, helpline, welfare, _ = setup
    await a_case_in_ansan(helpline)
    create_user(sessions, "mai", "Mai", "lawyer", PASSWORD, [], [], "gg-welfare")
    await log_in(welfare, "mai")
    case_url, page = await take_next_case(welfare)
    clinic = next(s for s in helpline.content.services if s.name == "Ansan Migrant Health Clinic")
    assert f'value="{clinic.id}"' in page.text.split('id="refer-service"')[1].split("</select>")[0]
    referred = await welfare.post(f"{case_url}/refer", data={"csrf": csrf_of(page.text), "service": clinic.id})
    assert referred.status_code == 303
    told = transcript(sessions, "web", "ansan-web-1")[-1]
    assert told.direction == "out" and clinic.name in told.text and clinic.phones[0] in told.text
    assert "follow-up on" in (await welfare.get(case_url)).text

    # days later, one follow-up; asked again, nothing more is sent
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=helpline.profile.referral_follow_up_days, minutes=1)
    assert await send_follow_ups(app.state, later) == 1
    assert await send_follow_ups(app.state, later) == 0
    follow_up = transcript(sessions, "web", "ansan-web-1")[-1]
    assert clinic.name in follow_up.text
    answer = await helpline.handle(Inbound("web", "ansan-web-1", follow_up_payload(sessions, "helped")))
    assert answer.text == helpline.text("ui:referral_thanks", "vi")
    shown = (await welfare.get(case_url)).text
    assert "outcome: helped" in shown


async def test_a_migrant_cannot_answer_for_someone_elses_referral(setup, sessions):
    app, helpline, welfare, _ = setup
    await a_case_in_ansan(helpline)
    create_user(sessions, "mai", "Mai", "lawyer", PASSWORD, [], [], "gg-welfare")
    await log_in(welfare, "mai")
    case_url, page = await take_next_case(welfare)
    clinic = helpline.content.services[0]
    await welfare.post(f"{case_url}/refer", data={"csrf": csrf_of(page.text), "service": clinic.id})
    await helpline.handle(Inbound("web", "someone-else", follow_up_payload(sessions, "not_helped")))
    assert "outcome:" not in (await welfare.get(case_url)).text


async def test_a_referral_to_a_service_not_in_the_directory_is_refused(setup, sessions):
    _, helpline, welfare, _ = setup
    await a_case_in_ansan(helpline)
    create_user(sessions, "mai", "Mai", "lawyer", PASSWORD, [], [], "gg-welfare")
    await log_in(welfare, "mai")
    case_url, page = await take_next_case(welfare)
    refused = await welfare.post(f"{case_url}/refer", data={"csrf": csrf_of(page.text), "service": "no-such-service"})
    assert refused.status_code == 422


def follow_up_payload(sessions, outcome: str) -> str:
    from bot.store.models import Referral

    with sessions() as session:
        referral_id = session.scalars(select(Referral.id)).one()
    return f"/referral {referral_id} {outcome}"


async def test_supervisors_see_referrals_by_partner_and_outcome(setup, sessions):
    app, helpline, welfare, rights = setup
    await a_case_in_ansan(helpline)
    create_user(sessions, "mai", "Mai", "lawyer", PASSWORD, [], [], "gg-welfare")
    create_user(sessions, "kim", "Kim", "supervisor", PASSWORD, [], [], "gg-welfare")
    create_user(sessions, "jun", "Jun", "supervisor", PASSWORD, [], [])
    await log_in(welfare, "mai")
    case_url, page = await take_next_case(welfare)
    clinic = next(s for s in helpline.content.services if s.name == "Ansan Migrant Health Clinic")
    await welfare.post(f"{case_url}/refer", data={"csrf": csrf_of(page.text), "service": clinic.id})
    await helpline.handle(Inbound("web", "ansan-web-1", follow_up_payload(sessions, "not_contacted")))
    await log_in(welfare, "kim")
    table = (await welfare.get("/console/stats")).text.split('id="referrals"')[1]
    row = table.split(clinic.organization)[1].split("</tr>")[0]
    assert [cell.strip() for cell in row.split("<td>")[1:]] == ["0</td>", "0</td>", "1</td>", "0</td>"]
    # another organisation's supervisor does not see them
    await log_in(rights, "jun")
    assert clinic.organization not in (await rights.get("/console/stats")).text


async def test_the_queue_quotes_the_migrants_first_words_and_names_the_subject(setup, sessions):
    _, helpline, welfare, _ = setup
    await a_case_in_ansan(helpline)
    case = case_of(sessions)
    assert (case.intent, case.summary) == ("find_doctor", DOCTOR_IN_ANSAN)
    create_user(sessions, "mai", "Mai", "lawyer", PASSWORD, [], [], "gg-welfare")
    await log_in(welfare, "mai")
    row = (await welfare.get("/console/queue.json")).json()["rows"][0]
    assert (row["intent_name"], row["language_name"], row["summary"]) == ("Find doctor", "Vietnamese", DOCTOR_IN_ANSAN)
    page = (await welfare.get(f"/console/cases/{case.id}")).text
    assert f"“{DOCTOR_IN_ANSAN}”" in page and "Find doctor · Vietnamese" in page
