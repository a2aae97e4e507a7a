"""Held-out messages through the whole pipeline, each its own new conversation: which were flagged
urgent, by language. Shared by the triage test (real Rasa) and the outage test (Rasa refused)."""

from collections import defaultdict

from bot.helpline import Helpline, Inbound
from bot.nlu.client import RasaClient
from bot.store.db import make_engine, migrate, session_factory


async def flags_by_language(content, client: RasaClient, database_url: str, examples) -> dict[str, list]:
    """language -> [(example, flagged urgent)]; closes ``client``."""
    engine = make_engine(database_url)
    migrate(engine)
    helpline = Helpline(content, client, session_factory(engine))
    by_language = defaultdict(list)
    try:
        for n, example in enumerate(examples):
            reply = await helpline.handle(Inbound("test", f"flagging-{n}", example.text))
            by_language[example.language].append((example, reply.urgent))
    finally:
        await client.aclose()
        engine.dispose()
    return by_language
