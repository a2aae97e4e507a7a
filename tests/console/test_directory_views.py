"""Editor pages for the directory and the agency register over HTTP: who may edit, bad input
refused with the file untouched, and every change written to the same files with who and when."""

import contextlib
import datetime as dt

import httpx
import pytest
import yaml

from bot.console.users import create_user
from bot.directory import hsds
from bot.helpline import Content, Helpline
from bot.paths import Paths
from bot.web.app import create_app
from tests.console.test_views import PASSWORD, csrf_of, log_in
from tests.copies import copy_content


@pytest.fixture(scope="module")
def kyrgyz_content(paths):
    return Content.load(paths)  # the same as the copy's until an edit, which reloads it


@pytest.fixture
async def console(paths, kyrgyz_content, sessions, tmp_path, monkeypatch):
    copy = copy_content(paths, tmp_path)
    monkeypatch.setenv("HELPLINE_HOME", str(tmp_path))
    monkeypatch.delenv("HELPLINE_PROFILE", raising=False)
    app = create_app(contextlib.nullcontext)
    app.state.helpline = Helpline(
        Content.load(copy), None, sessions, clock=lambda: dt.datetime(2026, 12, 3, 6, tzinfo=dt.UTC)
    )
    app.state.channels = type("NoChannels", (), {"telegram": None, "whatsapp": None})()
    create_user(sessions, "eda", "Eda", "editor", PASSWORD, [], [])
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client:
        yield app, copy, client


def directory_of(copy: Paths):
    return hsds.read_services(copy.directory("kg-1899"))


async def test_lawyers_cannot_edit_the_directory_or_the_register(console):
    _, _, client = console
    await log_in(client, "aida")
    assert (await client.get("/console/directory")).status_code == 403
    assert (await client.get("/console/agencies")).status_code == 403


async def test_stale_entries_are_listed_first(console):
    app, _, client = console
    await log_in(client, "eda")
    listing = (await client.get("/console/directory")).text
    stale = [
        s.name
        for s in app.state.helpline.content.services
        if s.assured and (dt.date(2026, 12, 3) - s.assured).days > 180
    ]
    assert stale and listing.index(stale[0]) < listing.index('<tr class="" ')


async def test_an_edit_is_written_with_who_and_when_and_served_at_once(console):
    app, copy, client = console
    await log_in(client, "eda")
    service = directory_of(copy)[0]
    form = await client.get(f"/console/directory/{service['id']}")
    data = {
        "csrf": csrf_of(form.text), "name": service["name"], "description": "Sample entry. Now also on Saturdays.",
        "status": "active", "phones": "+7 495 000-99-99", "address": "", "languages": "ru, ky, uz",
        "topics": "unpaid_wages, dismissal", "areas": "moscow", "hours": "MO,TU,WE,TH,FR 10:00-19:00\nSA 10:00-14:00",
        "verified": "on",
    }  # fmt: skip
    saved = await client.post(f"/console/directory/{service['id']}", data=data)
    assert saved.status_code == 303 and "saved=1" in saved.headers["location"]
    entry = next(s for s in directory_of(copy) if s["id"] == service["id"])
    assert [phone["number"] for phone in entry["phones"]] == ["+7 495 000-99-99"]
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in entry["schedules"]] == [
        ("MO,TU,WE,TH,FR", "10:00", "19:00"), ("SA", "10:00", "14:00"),
    ]  # fmt: skip
    assert entry["assured_date"] == "2026-12-03"
    changes = {(m["field_name"], m["updated_by"], m["last_action_date"]) for m in entry["metadata"]}
    assert ("phones", "eda", "2026-12-03") in changes and ("assured_date", "eda", "2026-12-03") in changes
    assert hsds.problems(directory_of(copy)) == []
    served = next(s for s in app.state.helpline.content.services if s.id == service["id"])
    assert served.phones == ("+7 495 000-99-99",) and {"unpaid_wages", "dismissal"} == set(served.topics)


async def test_bad_hours_are_refused_and_the_file_is_left_as_it_was(console):
    _, copy, client = console
    await log_in(client, "eda")
    before = copy.directory("kg-1899").read_bytes()
    service = directory_of(copy)[0]
    form = await client.get(f"/console/directory/{service['id']}")
    data = {"csrf": csrf_of(form.text), "name": service["name"], "status": "active", "hours": "Mondays 9 to 6"}
    refused = await client.post(f"/console/directory/{service['id']}", data=data)
    assert "error=" in refused.headers["location"]
    assert copy.directory("kg-1899").read_bytes() == before
    shown = await client.get(refused.headers["location"])
    assert "MO,TU 09:00-18:00" in shown.text  # the message says how to write it


async def test_editors_add_and_correct_agencies_and_date_the_register(console):
    app, copy, client = console
    await log_in(client, "eda")
    page = await client.get("/console/agencies")
    data = {"csrf": csrf_of(page.text), "name": "Жаңы Жол Кадр", "latin_name": "Janyi Jol Kadr", "licence": "PEA-0100",
            "valid_until": "2028-01-31", "countries": "ru, kr", "phone": ""}  # fmt: skip
    assert (await client.post("/console/agencies", data=data)).status_code == 303
    fixed = {**data, "valid_until": "2027-01-31", "replacing": "PEA-0100"}
    assert (await client.post("/console/agencies", data=fixed)).status_code == 303
    raw = yaml.safe_load(copy.agencies("kg-1899").read_text(encoding="utf-8"))
    added = [a for a in raw["agencies"] if a["licence"] == "PEA-0100"]
    assert len(added) == 1 and added[0]["valid_until"] == dt.date(2027, 1, 31) and added[0]["countries"] == ["RU", "KR"]
    assert (raw["updated"], raw["updated_by"]) == (dt.date(2026, 12, 3), "eda")
    assert copy.agencies("kg-1899").read_text(encoding="utf-8").startswith("# Sample registry")
    lookup = app.state.helpline.content.register.lookup("Жаны Жол Кадр")  # typed without ң
    assert lookup.agency is not None and lookup.agency.licence == "PEA-0100"
    bad = {**data, "valid_until": "31.01.2028"}
    assert "error=" in (await client.post("/console/agencies", data=bad)).headers["location"]
