"""One access check: every role against every console route and method, over HTTP. A refusal
answers with the right status and changes nothing in the database."""

import contextlib
import re

import httpx
import pytest
from sqlalchemy import func, select

from bot.console.users import create_user
from bot.helpline import Helpline, Inbound
from bot.store.models import AuditEntry, Case, CaseNote, Message
from bot.web.app import create_app

PASSWORD = "correct horse battery"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


@pytest.fixture
async def console(content, sessions, tmp_path):
    helpline = Helpline(content, None, sessions)
    app = create_app(contextlib.nullcontext)
    app.state.helpline = helpline
    app.state.channels = type("NoChannels", (), {"telegram": None, "whatsapp": None})()
    await helpline.handle(Inbound("web", "web-session-ru", "здравствуйте"))
    await helpline.handle(Inbound("web", "web-session-ru", "/lawyer"))
    with sessions() as session:
        case = session.scalars(select(Case)).one()
    users = {
        "editor": create_user(sessions, "edda", "Edda", "editor", PASSWORD, [], []),
        "lawyer": create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [case.language], []),
        "other_language_lawyer": create_user(sessions, "kyz", "Kyz", "lawyer", PASSWORD, ["zz"], []),
        "supervisor": create_user(sessions, "sup", "Sup", "supervisor", PASSWORD, [], []),
    }
    transport = httpx.ASGITransport(app)
    yield app, transport, case, users


async def client_as(transport, username):
    client = httpx.AsyncClient(transport=transport, base_url="http://test")
    page = await client.get("/console/login")
    if username:
        await client.post(
            "/console/login", data={"username": username, "password": PASSWORD, "csrf": csrf_of(page.text)}
        )
    return client, csrf_of((await client.get("/console/login")).text)


def snapshot(sessions):
    with sessions() as session:
        cases = [(c.status, c.lawyer_id, c.priority) for c in session.scalars(select(Case).order_by(Case.id))]
        counts = [session.scalar(select(func.count()).select_from(t)) for t in (Message, CaseNote)]
        writes = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action != "view"))
    return cases, counts, writes


USERNAMES = {"anonymous": None, "editor": "edda", "other_language_lawyer": "kyz"}
# (method, path, form) and the status each refused role gets
ROUTES = [
    ("GET", "/console/cases/{case}", {}),
    ("GET", "/console/cases/{case}/messages.json", {}),
    ("GET", "/console/queue.json", {}),
    ("POST", "/console/take-next", {}),
    ("POST", "/console/cases/{case}/reply", {"text": "hello"}),
    ("POST", "/console/cases/{case}/notes", {"text": "a note"}),
    ("POST", "/console/cases/{case}/transfer", {"lawyer": "{editor}"}),
    ("POST", "/console/cases/{case}/release", {}),
    ("POST", "/console/cases/{case}/close", {"outcome": "resolved"}),
    ("GET", "/console/stats", {}),
    ("GET", "/console/stats.csv", {}),
    ("GET", "/console/cases", {"q": "{ticket}"}),
    ("POST", "/console/cases/{case}/take", {}),
]
EXPECTED = {
    "anonymous": {"GET": (303, 401), "POST": (303, 401)},
    "editor": {"GET": (403, 303), "POST": (403,)},
    "other_language_lawyer": {"GET": (403,), "POST": (403,)},
}


@pytest.mark.parametrize("role", list(USERNAMES))
@pytest.mark.parametrize(("method", "path", "form"), ROUTES)
async def test_refused_roles_change_nothing(console, sessions, role, method, path, form):
    _app, transport, case, users = console
    client, csrf = await client_as(transport, USERNAMES[role])
    url = path.format(case=case.id)
    data = {key: value.format(editor=users["editor"], ticket=case.ticket) for key, value in form.items()}
    before = snapshot(sessions)
    async with contextlib.aclosing(client):
        if method == "GET":
            response = await client.get(url, params=data)
        else:
            response = await client.post(url, data=data | {"csrf": csrf})
    if role == "other_language_lawyer" and path == "/console/cases":
        # the case list is theirs, without a case they may not open
        assert response.status_code == 200 and case.ticket not in response.text.split('<table id="cases">')[1]
    elif role == "other_language_lawyer" and path in ("/console/queue.json", "/console/take-next", "/console/stats"):
        # the queue is theirs to see; take next finds nothing in their language; statistics are not
        assert response.status_code in ((200,) if "queue" in path else (303,) if "take" in path else (403,))
    elif role == "editor" and path == "/console/queue.json":
        assert response.status_code == 403
    else:
        assert response.status_code in EXPECTED[role][method], (role, url, response.status_code)
    assert snapshot(sessions) == before


async def test_editor_sees_no_case_actions_or_queue(console):
    _app, transport, _case, _users = console
    client, _ = await client_as(transport, "edda")
    async with contextlib.aclosing(client):
        home = await client.get("/console")
        assert home.status_code == 303 and home.headers["location"] == "/console/content"
        assert (await client.get("/console/events")).status_code == 403


async def test_lawyer_of_the_language_reads_and_takes_the_case(console, sessions):
    _app, transport, case, users = console
    client, csrf = await client_as(transport, "aida")
    async with contextlib.aclosing(client):
        assert (await client.get(f"/console/cases/{case.id}")).status_code == 200
        taken = await client.post("/console/take-next", data={"csrf": csrf})
        assert taken.headers["location"] == f"/console/cases/{case.id}"
        for target in (str(users["editor"]), "9" * 25, "123456789"):
            before = snapshot(sessions)
            refused = await client.post(f"/console/cases/{case.id}/transfer", data={"lawyer": target, "csrf": csrf})
            assert refused.status_code in (400, 422), target
            assert snapshot(sessions) == before
        moved = await client.post(
            f"/console/cases/{case.id}/transfer", data={"lawyer": str(users["supervisor"]), "csrf": csrf}
        )
        assert moved.status_code == 303
    with sessions() as session:
        assert session.get(Case, case.id).lawyer_id == users["supervisor"]


async def test_huge_or_malformed_ids_are_not_server_errors(console):
    _app, transport, case, _users = console
    client, _ = await client_as(transport, "sup")
    async with contextlib.aclosing(client):
        assert (await client.get("/console/cases/" + "9" * 20)).status_code == 404
        assert (await client.get(f"/console/cases/{case.id}/messages.json?after=abc")).status_code == 400
        assert (await client.get(f"/console/cases/{case.id}/messages.json?after={'9' * 25}")).status_code == 400


async def test_an_editor_cannot_take_a_case(console, sessions):
    _app, transport, _case, _users = console
    client, csrf = await client_as(transport, "edda")
    before = snapshot(sessions)
    async with contextlib.aclosing(client):
        assert (await client.post("/console/take-next", data={"csrf": csrf})).status_code == 403
    assert snapshot(sessions) == before
