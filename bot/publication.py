"""Publishing without downtime: every running worker follows the published model and catalogs.

Each worker polls nlu/models/published.json and the content files; on a change it asks its Rasa
server to load the newly published model (Rasa swaps models only once the new one is loaded) and
swaps in freshly loaded content. A message in flight is answered wholly by the old or the new
content, because a turn reads one Content object.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import httpx

from bot.helpline import Content, Helpline
from bot.nlu.client import rasa_urls
from bot.nlu.publishing import published_model
from bot.paths import Paths

log = logging.getLogger(__name__)


def content_stamp(paths: Paths) -> tuple:
    files = [*paths.locales.glob("*/LC_MESSAGES/*.po"), *paths.intents.glob("*.yml"), *paths.safety.glob("*.yml")]
    files.append(paths.profile)
    return tuple(sorted((str(path), path.stat().st_mtime_ns) for path in files if path.exists()))


async def load_model(rasa_url: str, model: Path, client: httpx.AsyncClient | None = None) -> None:
    """Rasa's PUT /model on every server of RASA_URL: load this model file, then serve it. A
    server that fails does not keep the others from the new model; the failure is raised after."""
    failures: list[Exception] = []
    async with client or httpx.AsyncClient(timeout=httpx.Timeout(300.0, connect=5.0)) as http:
        for url in rasa_urls(rasa_url):
            try:
                response = await http.put(f"{url}/model", json={"model_file": str(model)})
                response.raise_for_status()
            except httpx.HTTPError as error:
                failures.append(error)
    if failures:
        raise failures[0]


async def follow_publications(
    helpline: Helpline, paths: Paths, rasa_url: str, every: float = 5.0, transport=None
) -> None:
    """Runs until cancelled."""
    model = published_model(paths)
    stamp = content_stamp(paths)
    while True:
        await asyncio.sleep(every)
        try:
            newest = published_model(paths)
            if newest is not None and newest != model:
                client = httpx.AsyncClient(timeout=httpx.Timeout(300.0, connect=5.0), transport=transport)
                await load_model(rasa_url, newest, client)
                model = newest
                log.info("now serving the published model %s", newest.name)
            fresh = content_stamp(paths)
            if fresh != stamp:
                helpline.use(await asyncio.to_thread(Content.load, paths))
                stamp = fresh
                log.info("now serving the published answers and catalogs")
        except Exception:  # a half-written file or a busy Rasa: try again next round
            log.exception("could not follow the latest publication; retrying")
