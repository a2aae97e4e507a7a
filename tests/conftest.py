"""Shared fixtures: the project's paths, both databases, a real Rasa server and a fake one, and a
guard that fails any test reaching beyond this machine."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import shutil
import socket
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from bot.paths import Paths
from bot.store.db import make_engine, migrate, session_factory

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


# -- no internet --------------------------------------------------------------------------------

_real_connect = socket.socket.connect


def _guarded_connect(self, address):
    if isinstance(address, tuple) and self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            raise RuntimeError(f"test tried to reach {host}: tests must stay on loopback")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def no_internet() -> Iterator[None]:
    socket.socket.connect = _guarded_connect
    yield
    socket.socket.connect = _real_connect


# -- project ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def paths() -> Paths:
    return Paths.default()


@pytest.fixture(scope="session")
def content(paths):
    from bot.helpline import Content

    return Content.load(paths)


# -- databases: every store test runs on SQLite and on the real PostgreSQL ----------------------


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    name = f"helpline_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'helpline.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request) -> str:
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture(scope="session")
def engines() -> Iterator[dict]:
    """One migrated engine per database for the whole run."""
    cache: dict = {}
    yield cache
    for engine in cache.values():
        engine.dispose()


@pytest.fixture
def engine(database_url, engines):
    if database_url not in engines:
        engines[database_url] = make_engine(database_url)
        migrate(engines[database_url])
    engine = engines[database_url]
    with engine.begin() as connection:  # each test starts from empty tables
        for table in (
            "audit_log",
            "case_notes",
            "media",
            "translations",
            "messages",
            "cases",
            "conversations",
            "lawyers",
            "login_throttle",
        ):
            connection.execute(text(f"DELETE FROM {table}"))
    return engine


@pytest.fixture
def sessions(engine):
    return session_factory(engine)


# -- the real Rasa server on the trained model, started once -----------------------------------


@pytest.fixture(scope="session")
def rasa_url(paths) -> Iterator[str]:
    if os.environ.get("RASA_URL"):
        yield os.environ["RASA_URL"]
        return
    from bot.nlu.server import EmbeddedRasa
    from bot.nlu.training import ensure_model

    loop = asyncio.new_event_loop()
    server = EmbeddedRasa(paths, ensure_model(paths))
    loop.run_until_complete(server.start())
    yield server.url
    loop.run_until_complete(server.stop())
    loop.close()


# -- a fake Rasa on loopback, answering the channel tests' messages, started once ----------------


@pytest.fixture(scope="session")
def fake_rasa_url() -> Iterator[str]:
    """Stateless: tests/channels/conftest.py's fake_rasa, shared by every test that uses it."""
    from tests.channels.conftest import fake_rasa
    from tests.fake_rasa import rasa_serving

    with rasa_serving(fake_rasa) as url:
        yield url


# -- a real browser: Debian's Chromium driven by Playwright ------------------------------------

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # a microphone that plays a test tone and needs no permission prompt: the web chat records voice
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]


@pytest.fixture(scope="module")
def browser():
    """Module-scoped: Playwright's sync API keeps an event loop of its own running, which must be
    gone before pytest-asyncio runs the async tests of the next module."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        # CI must not pass silently without a browser: `make test` installs Debian's chromium
        pytest.fail(f"Chromium not found at {CHROMIUM}; run 'make browser' (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
