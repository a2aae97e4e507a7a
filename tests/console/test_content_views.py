"""Editor pages over HTTP, writing to a copy of the content files."""

import asyncio
import contextlib
import re
import shutil

import httpx
import pytest
from sqlalchemy import select

from bot.answers import Answers
from bot.console.users import create_user
from bot.helpline import Content, Helpline, Inbound
from bot.nlu import runs
from bot.nlu.client import RasaClient
from bot.nlu.publishing import published
from bot.paths import Paths
from bot.store.models import AuditEntry
from bot.training_data import read_examples
from bot.web.app import create_app
from tests.copies import copy_content
from tests.fake_rasa import rasa_serving

PASSWORD = "correct horse battery"


@pytest.fixture
def content_copy(paths, tmp_path, monkeypatch):
    copy_content(paths, tmp_path)
    monkeypatch.setenv("HELPLINE_HOME", str(tmp_path))
    monkeypatch.delenv("HELPLINE_PROFILE", raising=False)
    return Paths(tmp_path)


@pytest.fixture
async def editor(content_copy, content, sessions):
    app = create_app(contextlib.nullcontext)
    app.state.helpline = Helpline(content, None, sessions)
    app.state.channels = type("NoChannels", (), {"telegram": None, "whatsapp": None})()
    create_user(sessions, "eda", "Eda", "editor", PASSWORD, [], [])
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as client:
        yield client, app


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


async def log_in(client, username):
    page = await client.get("/console/login")
    await client.post("/console/login", data={"username": username, "password": PASSWORD, "csrf": csrf_of(page.text)})


async def test_only_editors_see_the_content_pages(editor):
    client, _ = editor
    await log_in(client, "aida")
    assert (await client.get("/console/content")).status_code == 403
    await log_in(client, "eda")
    page = await client.get("/console/content")
    assert page.status_code == 200 and "trafficking" in page.text and 'id="coverage"' in page.text


async def test_an_editor_changes_a_kyrgyz_answer_and_marks_it_reviewed(editor, content_copy):
    client, _ = editor
    await log_in(client, "eda")
    form = await client.get("/console/content/answers/answer:residence_registration?language=ky")
    assert "not reviewed" in form.text  # shipped as fuzzy
    new = Answers.load(content_copy.locales).raw("answer:residence_registration", "ky") + " Текшерилди."
    await client.post(
        "/console/content/answers/answer:residence_registration",
        data={"csrf": csrf_of(form.text), "language": "ky", "text": new, "reviewed": "on"},
    )
    saved = Answers.load(content_copy.locales).translations["ky"]["answer:residence_registration"]
    assert saved.text == new and not saved.fuzzy


async def test_a_broken_placeholder_is_refused_and_nothing_changes(editor, content_copy):
    client, _ = editor
    await log_in(client, "eda")
    before = Answers.load(content_copy.locales).raw("answer:goodbye", "ky")
    form = await client.get("/console/content/answers/answer:goodbye?language=ky")
    response = await client.post(
        "/console/content/answers/answer:goodbye",
        data={"csrf": csrf_of(form.text), "language": "ky", "text": "Кош! {hotlin}"},
        follow_redirects=True,
    )
    assert "keep the placeholders" in response.text
    assert Answers.load(content_copy.locales).raw("answer:goodbye", "ky") == before


async def test_changing_the_english_source_marks_every_translation_for_review(editor, content_copy):
    client, _ = editor
    await log_in(client, "eda")
    form = await client.get("/console/content/answers/answer:thanks?language=en")
    text = "You are welcome! Write here whenever you have another question."
    await client.post(
        "/console/content/answers/answer:thanks", data={"csrf": csrf_of(form.text), "language": "en", "text": text}
    )
    answers = Answers.load(content_copy.locales)
    assert answers.source["answer:thanks"] == text
    assert all(answers.translations[language]["answer:thanks"].fuzzy for language in ("ru", "ky", "uz", "vi", "ko"))


async def test_unanswered_questions_become_training_examples(editor, content_copy, sessions):
    client, app = editor
    helpline = app.state.helpline

    def unsure(request):
        return httpx.Response(200, json={"text": "x", "intent": {"name": "work_permit", "confidence": 0.2}})

    with rasa_serving(unsure) as rasa_url:
        helpline.nlu = RasaClient(rasa_url)
        try:
            await helpline.handle(Inbound("web", "inbox-1", "патент продлить кантип болот"))
        finally:
            await helpline.nlu.aclose()
    await log_in(client, "eda")
    inbox = await client.get("/console/content/unanswered")
    assert "патент продлить кантип болот" in inbox.text
    message_id = re.search(r'name="message" value="(\d+)"', inbox.text).group(1)
    await client.post(
        "/console/content/examples",
        data={
            "csrf": csrf_of(inbox.text),
            "language": "ky",
            "intent": "work_permit",
            "message": message_id,
            "texts": "патент продлить кантип болот",
        },
    )
    added = [e for e in read_examples(content_copy.intents) if e.text == "патент продлить кантип болот"]
    assert [(e.language, e.intent) for e in added] == [("ky", "work_permit")]
    assert "патент продлить кантип болот" not in (await client.get("/console/content/unanswered")).text
    assert Content.load(content_copy).answers  # the files still load after the edit


async def test_a_question_marked_out_of_scope_leaves_the_inbox_without_becoming_an_example(editor, content_copy):
    client, app = editor

    def unsure(request):
        return httpx.Response(200, json={"text": "x", "intent": {"name": "job_search", "confidence": 0.1}})

    with rasa_serving(unsure) as rasa_url:
        app.state.helpline.nlu = RasaClient(rasa_url)
        try:
            await app.state.helpline.handle(Inbound("web", "inbox-2", "what is the weather in bishkek"))
        finally:
            await app.state.helpline.nlu.aclose()
    await log_in(client, "eda")
    inbox = await client.get("/console/content/unanswered")
    message_id = re.search(r'name="message" value="(\d+)"', inbox.text).group(1)
    before = len(read_examples(content_copy.intents))
    await client.post(
        "/console/content/examples",
        data={"csrf": csrf_of(inbox.text), "language": "en", "intent": "out_of_scope", "message": message_id,
              "texts": "what is the weather in bishkek", "back": "/console/content/unanswered"},
    )  # fmt: skip
    assert "what is the weather in bishkek" not in (await client.get("/console/content/unanswered")).text
    assert len(read_examples(content_copy.intents)) == before


@pytest.fixture
def trained_copy(content_copy, paths):
    """The copy also holds the NLU inputs and the published model, as after `make setup`."""
    nlu = content_copy.nlu
    shutil.copytree(paths.nlu / "helpline_nlu", nlu / "helpline_nlu", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("config.yml", "requirements.txt"):
        shutil.copy(paths.nlu / name, nlu / name)
    (nlu / "models").mkdir()
    record = published(paths)
    (nlu / "models" / record["model"]).symlink_to(paths.models / record["model"])
    shutil.copy(paths.models / "published.json", nlu / "models" / "published.json")
    return content_copy


async def _finished(paths, timeout=120.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        run = runs.last(paths)
        if run and run["outcome"] != runs.RUNNING:
            return run
        await asyncio.sleep(0.5)
    raise AssertionError(f"the training run did not finish: {runs.last(paths)}")


async def test_an_editor_trains_and_publishes_from_the_console(editor, trained_copy, sessions):
    client, _ = editor
    await log_in(client, "aida")
    refused = await client.post("/console/content/train", data={"csrf": "not needed: refused before"})
    assert refused.status_code == 403 and runs.last(trained_copy) is None
    await log_in(client, "eda")
    page = await client.get("/console/content")
    assert "Train and publish" in page.text and published(trained_copy)["model"] in page.text
    started = await client.post("/console/content/train", data={"csrf": csrf_of(page.text)})
    assert started.status_code == 303 and "busy" not in started.headers["location"]
    run = await _finished(trained_copy)
    # nothing changed since the published model, so the run keeps it: the whole command ran, gate included
    assert run["outcome"] == runs.UNCHANGED and run["by"] == "eda", run
    assert "unchanged" in (await client.get("/console/content")).text
    with sessions() as session:
        assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "train")) == "train"


async def test_a_second_run_waits_for_the_first(editor, trained_copy):
    client, _ = editor
    await log_in(client, "eda")
    page = await client.get("/console/content")
    with runs.exclusive(trained_copy):  # a run from the command line holds the lock
        answer = await client.post("/console/content/train", data={"csrf": csrf_of(page.text)})
        assert answer.headers["location"].endswith("busy=1")
        assert "already under way" in (await client.get(answer.headers["location"])).text
    assert runs.last(trained_copy) is None  # no second run was started
