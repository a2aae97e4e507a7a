"""Editor forms write only inside the served languages' files and send the browser back only
to a path of this console."""

import hashlib

import pytest

from tests.console.test_content_views import content_copy, csrf_of, editor, log_in  # noqa: F401


def digest_of(folder):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("language", ["../test/en", "/tmp/evil", "en/../ru", "zz"])
async def test_an_example_for_a_path_or_an_unserved_language_writes_nothing(editor, content_copy, language):  # noqa: F811
    client, _app = editor
    await log_in(client, "eda")
    before = digest_of(content_copy.root)
    csrf = csrf_of((await client.get("/console/content")).text)
    response = await client.post(
        "/console/content/examples",
        data={"language": language, "intent": "employment_contract", "texts": "a new example", "csrf": csrf},
    )
    assert response.status_code == 422
    assert digest_of(content_copy.root) == before


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example/", "/\\evil.example", "/elsewhere"])
async def test_back_goes_only_to_the_console(editor, content_copy, back):  # noqa: F811
    client, _app = editor
    await log_in(client, "eda")
    csrf = csrf_of((await client.get("/console/content")).text)
    response = await client.post(
        "/console/content/examples",
        data={"language": "en", "intent": "employment_contract", "texts": "my boss keeps my contract", "csrf": csrf,
              "back": back},
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == "/console/content"


async def test_back_to_a_console_page_is_kept(editor, content_copy):  # noqa: F811
    client, _app = editor
    await log_in(client, "eda")
    csrf = csrf_of((await client.get("/console/content")).text)
    response = await client.post(
        "/console/content/examples",
        data={"language": "en", "intent": "employment_contract", "texts": "my boss hides my contract", "csrf": csrf,
              "back": "/console/content/unanswered"},
    )  # fmt: skip
    assert response.headers["location"] == "/console/content/unanswered"
