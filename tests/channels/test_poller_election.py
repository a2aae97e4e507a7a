"""Several workers on one PostgreSQL, Telegram by long polling: exactly one polls (Telegram allows
one getUpdates caller per bot); when it stops, another takes over and the messages keep coming."""

import asyncio
import time

import pytest

from bot.channels.config import telegram_settings
from bot.channels.telegram import TelegramChannel
from bot.helpline import Helpline
from tests.channels.conftest import channel_env
from tests.channels.test_telegram import update


async def eventually(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.05)


async def test_one_worker_polls_and_another_takes_over_when_it_stops(content, sessions, engine, nlu, fake_bot):
    if engine.dialect.name != "postgresql":
        pytest.skip("several workers need PostgreSQL; on SQLite the one worker polls")
    settings = telegram_settings(channel_env(fake_bot, public_url=None))
    workers = [TelegramChannel(settings, Helpline(content, nlu, sessions)) for _ in range(2)]
    for worker in workers:
        worker.election_retry_seconds = 0.2
        await worker.start()
    stopped: list[TelegramChannel] = []
    try:
        await eventually(lambda: any(worker.polling for worker in workers))
        await asyncio.sleep(1.0)  # several election rounds: still only one
        assert [worker.polling for worker in workers].count(True) == 1

        fake_bot.updates = [update(501, "hello", language_code="en")]
        await eventually(lambda: len(fake_bot.sent()) == 1)

        leader = next(worker for worker in workers if worker.polling)
        follower = next(worker for worker in workers if worker is not leader)
        await leader.stop()
        stopped.append(leader)
        await eventually(lambda: follower.polling, timeout=10)

        fake_bot.updates = [update(502, "are you there?", language_code="en")]
        await eventually(lambda: len(fake_bot.sent()) == 2)
    finally:
        for worker in workers:
            if worker not in stopped:
                await worker.stop()
    assert len(fake_bot.sent()) == 2  # each message answered once
