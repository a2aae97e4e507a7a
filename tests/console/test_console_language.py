"""The console in its user's language, from gettext catalogs (domain ``console``): chosen per user,
before login from the browser, the template kept in step with the pages, every catalog complete."""

import re
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from bot.console.language import CONSOLE_LANGUAGES
from bot.console.users import create_user
from bot.paths import Paths
from tests.console.test_views import PASSWORD, csrf_of, log_in

LOCALES = Paths.default().locales
TRANSLATED = [code for code in CONSOLE_LANGUAGES if code != "en"]


def catalog(language):
    with (LOCALES / language / "LC_MESSAGES" / "console.po").open("rb") as handle:
        return read_po(handle)


def reviewed(language, msgid):
    message = catalog(language)[msgid]
    assert message is not None and message.string and not message.fuzzy, (language, msgid)
    return message.string


async def test_a_lawyer_chooses_korean_and_the_console_speaks_it(setup, sessions):
    _, lawyer, _ = setup
    create_user(sessions, "aida", "Aida", "lawyer", PASSWORD, [], [])
    await log_in(lawyer)
    settings = await lawyer.get("/console/me")
    await lawyer.post("/console/me", data={"csrf": csrf_of(settings.text), "console_language": "ko", "first": "en"})

    queue = (await lawyer.get("/console")).text

    assert '<html lang="ko">' in queue
    assert reviewed("ko", "Take next case") in queue and "Take next case" not in queue
    assert reviewed("ko", "The queue is empty.") in queue


async def test_before_login_the_browsers_language_is_used(setup):
    _, lawyer, _ = setup
    page = (await lawyer.get("/console/login", headers={"accept-language": "ru-RU,ru;q=0.9,en;q=0.5"})).text
    assert '<html lang="ru">' in page and reviewed("ru", "Password") in page
    english = (await lawyer.get("/console/login", headers={"accept-language": "fr-FR"})).text
    assert '<html lang="en">' in english and "Password" in english


def test_the_template_has_every_string_of_the_pages(tmp_path):
    fresh = tmp_path / "console.pot"
    root = Paths.default().root
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel-console.cfg", "-k", "N_",
         "--no-location", "--omit-header", "-o", str(fresh), "."],
        cwd=root, check=True, capture_output=True,
    )  # fmt: skip
    with fresh.open("rb") as new, (LOCALES / "console.pot").open("rb") as kept:
        assert {m.id for m in read_po(new)} == {m.id for m in read_po(kept)}, "run `make console-pot`"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_console_catalog_is_complete_and_keeps_its_placeholders(language):
    with (LOCALES / "console.pot").open("rb") as handle:
        wanted = {message.id for message in read_po(handle) if message.id}
    translated = catalog(language)
    missing = [msgid for msgid in wanted if not (translated[msgid] and translated[msgid].string)]
    assert missing == []
    for msgid in wanted:
        found = translated[msgid].string
        assert sorted(re.findall(r"%\(\w+\)s", found)) == sorted(re.findall(r"%\(\w+\)s", msgid)), (language, msgid)


async def test_the_statistics_and_the_editors_pages_speak_their_users_language(setup, sessions):
    _, client, _ = setup
    create_user(sessions, "boss", "Boss", "supervisor", PASSWORD, [], [])
    create_user(sessions, "eda", "Eda", "editor", PASSWORD, [], [])
    for username, language, path, msgid in (
        ("boss", "ru", "/console/stats", "Cases opened"),
        ("eda", "vi", "/console/content", "Add training examples"),
    ):
        await log_in(client, username)
        settings = await client.get("/console/me")
        await client.post("/console/me", data={"csrf": csrf_of(settings.text), "console_language": language})
        page = (await client.get(path)).text
        assert reviewed(language, msgid) in page and msgid not in page, (username, path)
        if path == "/console/stats":  # inside the page's macros too
            assert reviewed(language, "target %(minutes)s min") % {"minutes": 15} in page
