"""Editor pages over HTTP, writing to a copy of the content files."""

import contextlib
import re
import shutil

import httpx
import pytest

from bot.answers import Answers
from bot.console.users import create_user
from bot.helpline import Content, Helpline, Inbound
from bot.nlu.client import RasaClient
from bot.paths import Paths
from bot.training_data import read_examples
from bot.web.app import create_app

PASSWORD = "correct horse battery"


@pytest.fixture
def content_copy(paths, tmp_path, monkeypatch):
    for folder in (paths.locales, paths.intents, paths.safety):
        shutil.copytree(folder, tmp_path / folder.relative_to(paths.root))
    shutil.copy(paths.root / "data" / "profile.yml", tmp_path / "data" / "profile.yml")
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

    helpline.nlu = RasaClient("http://rasa.test", transport=httpx.MockTransport(unsure))
    await helpline.handle(Inbound("web", "inbox-1", "патент продлить кантип болот"))
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

    app.state.helpline.nlu = RasaClient("http://rasa.test", transport=httpx.MockTransport(unsure))
    await app.state.helpline.handle(Inbound("web", "inbox-2", "what is the weather in bishkek"))
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
