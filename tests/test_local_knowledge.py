"""Local knowledge end to end, on SQLite and PostgreSQL: the country's rules in the migrant's
language, partner services near them, routing to a partner organisation, referrals with their
follow-up, and each organisation seeing only its own cases. The NLU is faked at its HTTP boundary;
everything else is the project's own code."""

import datetime as dt
import json
import re

import httpx
import pytest
from babel.messages.pofile import read_po

from bot.helpline import Content, Helpline, Inbound
from bot.nlu.client import RasaClient
from bot.paths import Paths
from tests.fake_rasa import rasa_serving

SEOUL = dt.timezone(dt.timedelta(hours=9))
SUNDAY_3PM_IN_KOREA = dt.datetime(2026, 12, 6, 15, 0, tzinfo=SEOUL)

UNDERSTOOD = {
    "Москвада иштейм, патент керекпи?": ("work_permit", 0.91),
    "патент керекпи?": ("work_permit", 0.91),
    "Москвадамын": ("greet", 0.5),
    "Tôi ở Ansan, không có bảo hiểm thì đi khám bệnh ở đâu?": ("find_doctor", 0.9),
    "Ала-Тоо Жумуш Сервис деген агенттиктин лицензиясы барбы?": ("recruitment_fraud", 0.8),
}


def fake_rasa(request: httpx.Request) -> httpx.Response:
    text = json.loads(request.read())["text"]
    name, confidence = UNDERSTOOD.get(text, ("human_handoff", 0.9))
    return httpx.Response(200, json={"text": text, "intent": {"name": name, "confidence": confidence}})


@pytest.fixture(scope="module")
def nlu_url():
    with rasa_serving(fake_rasa) as url:
        yield url


@pytest.fixture
async def helpline_for(nlu_url):
    """helpline_for(content, sessions, clock): its Rasa client is closed after the test."""
    clients = []

    def make(content, sessions, clock=lambda: SUNDAY_3PM_IN_KOREA):
        clients.append(RasaClient(nlu_url))
        return Helpline(content, clients[-1], sessions, clock=clock)

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture(scope="module")
def korean_content(paths):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HELPLINE_PROFILE", str(paths.profiles / "gg-foreign-residents.yml"))
        return Content.load(Paths(paths.root))


def catalog(paths, language):
    with (paths.locales / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return {message.context: message.string for message in read_po(handle) if message.id}


async def test_a_kyrgyz_migrant_in_moscow_gets_russias_eaeu_rules_in_kyrgyz(content, sessions, helpline_for, paths):
    helpline = helpline_for(content, sessions)
    reply = await helpline.handle(Inbound("web", "moscow-1", "Москвада иштейм, патент керекпи?"))
    kyrgyz = catalog(paths, "ky")
    assert reply.language == "ky" and reply.intent == "work_permit"
    assert reply.text.startswith(kyrgyz["answer:work_permit@RU"].splitlines()[0])
    assert "ЕАЭБ" in reply.text  # no patent for EAEU citizens
    # the answer says which country it is for, in Kyrgyz, and how to change it
    assert kyrgyz["ui:variant_note"].split("{")[0] in reply.text and "/country" in reply.text


async def test_asked_once_then_answered_for_the_country_the_migrant_names(content, sessions, helpline_for, paths):
    helpline = helpline_for(content, sessions)
    first = await helpline.handle(Inbound("web", "where-1", "патент керекпи?"))
    kyrgyz = catalog(paths, "ky")
    assert first.text.endswith(kyrgyz["ui:country_question"])
    assert [button.payload for button in first.buttons][:2] == ["/country RU", "/country KZ"]
    assert first.buttons[0].label == "Россия"  # the country's name in the migrant's language (CLDR)
    second = await helpline.handle(Inbound("web", "where-1", "Москвадамын"))
    assert kyrgyz["answer:work_permit@RU"].splitlines()[0] in second.text
    # stored on the conversation: the next question is answered for Russia without asking
    third = await helpline.handle(Inbound("web", "where-1", "патент керекпи?"))
    assert third.text.startswith(kyrgyz["answer:work_permit@RU"].splitlines()[0])
    assert kyrgyz["ui:country_question"] not in third.text


async def test_the_migrant_changes_the_country_with_a_command(content, sessions, helpline_for, paths):
    helpline = helpline_for(content, sessions)
    await helpline.handle(Inbound("web", "where-2", "Москвада иштейм, патент керекпи?"))
    menu = await helpline.handle(Inbound("web", "where-2", "/country"))
    assert "/country TR" in [button.payload for button in menu.buttons]
    await helpline.handle(Inbound("web", "where-2", "/country KZ"))
    reply = await helpline.handle(Inbound("web", "where-2", "патент керекпи?"))
    assert reply.text.startswith(catalog(paths, "ky")["answer:work_permit@KZ"].splitlines()[0])


async def test_a_vietnamese_worker_in_ansan_gets_nearby_clinics_that_speak_vietnamese(
    korean_content, sessions, helpline_for
):
    helpline = helpline_for(korean_content, sessions)
    reply = await helpline.handle(Inbound("web", "ansan-1", "Tôi ở Ansan, không có bảo hiểm thì đi khám bệnh ở đâu?"))
    assert reply.language == "vi" and reply.intent == "find_doctor"
    vietnamese = {service.name for service in korean_content.services if "vi" in service.languages}
    cards = re.findall(r"^\d\. (.+?)(?: \(|$)", reply.text, flags=re.MULTILINE)
    assert cards and cards[0] in vietnamese and cards[1] in vietnamese
    first = reply.text[reply.text.index("1. ") :]
    assert "☎" in first and "📍" in first and "openstreetmap.org" in first
    assert "CN " in first  # Sunday in Vietnamese (CLDR), the clinic's day
    assert "Tiếng Việt" in first and "đang mở cửa" in reply.text  # "open now" at 3 pm on a Sunday
    # the clinic without Vietnamese comes after both that speak it, and nothing further is promised
    assert len(cards) == 3 and cards[2] not in vietnamese
    assert not any(button.payload.startswith("/services") for button in reply.buttons)


async def test_no_matching_service_says_so_and_offers_a_lawyer(korean_content, sessions, helpline_for):
    helpline = helpline_for(korean_content, sessions)
    reply = await helpline.handle(Inbound("web", "ansan-2", "/services find_doctor 9"))
    assert reply.text == helpline.text("ui:services_none", "ko")
    assert [button.payload for button in reply.buttons] == ["/lawyer"]


async def test_an_agency_named_in_a_question_is_checked_in_the_register(content, sessions, helpline_for, paths):
    helpline = helpline_for(content, sessions, clock=lambda: dt.datetime(2026, 12, 3, tzinfo=dt.UTC))
    reply = await helpline.handle(
        Inbound("web", "agency-1", "Ала-Тоо Жумуш Сервис деген агенттиктин лицензиясы барбы?")
    )
    assert "PEA-0001" in reply.text and catalog(paths, "ky")["ui:agency_licensed"].split("{")[0].strip() in reply.text


async def test_a_misspelt_agency_sent_after_the_button_is_found_or_asked_about(content, sessions, helpline_for, paths):
    helpline = helpline_for(content, sessions, clock=lambda: dt.datetime(2026, 12, 3, tzinfo=dt.UTC))
    await helpline.handle(Inbound("web", "agency-2", "/lang ky"))
    prompt = await helpline.handle(Inbound("web", "agency-2", "/agency"))
    assert prompt.text == helpline.text("ui:agency_prompt", "ky")
    found = await helpline.handle(Inbound("web", "agency-2", "Ала-Тоо Жумуш Сервиз"))
    assert "PEA-0001" in found.text
    expired = await helpline.handle(Inbound("web", "agency-2", "/agency Ак-Кеме Эмгек"))
    expired_notice = catalog(paths, "ky")["ui:agency_expired"]
    assert "PEA-0003" in expired.text and expired_notice.split("{")[1].split("}")[1][:12] in expired.text
    unknown = await helpline.handle(Inbound("web", "agency-2", "/agency Golden Visa Express"))
    assert "Golden Visa Express" in unknown.text and "/lawyer" in [button.payload for button in unknown.buttons]
