"""Assembling a running helpline from the environment: database, NLU server, content."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass

from bot.helpline import Helpline
from bot.nlu.client import RasaClient
from bot.nlu.publishing import published_model
from bot.nlu.server import EmbeddedRasa
from bot.nlu.training import ensure_model
from bot.paths import Paths
from bot.publication import follow_publications
from bot.store.db import default_url, make_engine, migrate, session_factory

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    rasa_url: str | None

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("DATABASE_URL") or None,
            rasa_url=os.environ.get("RASA_URL") or None,
        )


@contextlib.asynccontextmanager
async def nlu_server(paths: Paths, rasa_url: str | None) -> AsyncIterator[str]:
    """RASA_URL when configured; otherwise an embedded Rasa server for as long as needed."""
    if rasa_url:
        yield rasa_url
        return
    server = EmbeddedRasa(paths, published_model(paths) or ensure_model(paths))
    await server.start()
    try:
        yield server.url
    finally:
        await server.stop()


@contextlib.asynccontextmanager
async def running_helpline(paths: Paths | None = None, settings: Settings | None = None) -> AsyncIterator[Helpline]:
    paths = paths or Paths.default()
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url or default_url(paths.state))
    migrate(engine)
    try:
        async with nlu_server(paths, settings.rasa_url) as url:
            client = RasaClient(url)
            helpline = Helpline.from_paths(paths, client, session_factory(engine))
            follower = asyncio.create_task(follow_publications(helpline, paths, url))
            try:
                yield helpline
            finally:
                follower.cancel()
                await asyncio.gather(follower, return_exceptions=True)
                await client.aclose()
    finally:
        engine.dispose()
