"""The sweeper: messages a dead worker left unanswered are claimed and answered exactly once, while
the app runs, by whichever worker gets them; a message a live worker holds is left to it."""

import asyncio
import datetime as dt

import pytest
from sqlalchemy import update

from bot.channels.telegram import TelegramChannel, TelegramSettings, inbound_from_update
from bot.helpline import Helpline
from bot.nlu.client import RasaClient
from bot.store.models import Message
from tests.channels.test_telegram import update as telegram_update


@pytest.fixture
async def worker(content, sessions, fake_bot, fake_rasa_url):
    """Starts a worker: its own helpline and Telegram channel on the same database. Their Rasa
    clients are closed after the test."""
    clients = []

    def start() -> TelegramChannel:
        clients.append(RasaClient(fake_rasa_url))
        helpline = Helpline(content, clients[-1], sessions)
        return TelegramChannel(TelegramSettings(fake_bot.token, None, f"{fake_bot.url}/bot", None), helpline)

    yield start
    for client in clients:
        await client.aclose()


async def store_orphans(channel, sessions, chats, claimant="dead-worker", lease_left=dt.timedelta(seconds=-1)):
    """Messages stored (and claimed) by a worker that then died, or that still holds them."""
    for chat in chats:
        inbound = inbound_from_update(
            channel.parse(telegram_update(900 + chat, "hello", chat=chat, language_code="en"))
        )
        assert await channel.helpline.receive(inbound, claimant)
    with sessions.begin() as session:
        session.execute(update(Message).values(claimed_until=dt.datetime.now(dt.UTC) + lease_left))


async def test_two_sweepers_answer_each_orphan_exactly_once(sessions, fake_bot, worker):
    first, second = worker(), worker()
    chats = list(range(7001, 7011))
    await store_orphans(first, sessions, chats)
    for channel in (first, second):
        await channel.application.initialize()
    try:
        for _ in range(3):
            await asyncio.gather(first.recover(), second.recover(), first.recover(), second.recover())
    finally:
        for channel in (first, second):
            await channel.application.shutdown()
    answered = sorted(int(params["chat_id"]) for params in fake_bot.sent())
    assert answered == chats


async def test_a_crashed_workers_message_is_answered_without_a_restart(sessions, fake_bot, worker):
    channel = worker()
    await channel.application.initialize()
    channel.start_sweeper(interval=0.05)
    try:
        await store_orphans(channel, sessions, [7101])
        for _ in range(200):
            if fake_bot.sent():
                break
            await asyncio.sleep(0.05)
    finally:
        await channel.stop_sweeper()
        await channel.application.shutdown()
    assert [int(params["chat_id"]) for params in fake_bot.sent()] == [7101]


async def test_a_message_a_live_worker_holds_is_not_taken(sessions, fake_bot, worker):
    channel = worker()
    await store_orphans(channel, sessions, [7201], claimant="live-worker", lease_left=dt.timedelta(seconds=20))
    await channel.application.initialize()
    try:
        assert await channel.recover() == 0
    finally:
        await channel.application.shutdown()
    assert fake_bot.sent() == []


async def test_the_sweeper_never_takes_a_message_the_live_handler_is_answering(sessions, fake_bot, worker):
    live, sweeper = worker(), worker()
    held = asyncio.Event()
    inbound = inbound_from_update(live.parse(telegram_update(950, "hello", chat=7301, language_code="en")))
    for channel in (live, sweeper):
        await channel.application.initialize()
    try:
        assert await live.accept(inbound, before_answer=held.wait)  # stored, the answer not yet sent
        assert await sweeper.recover() == 0
        held.set()
        await live.drain()
        assert await sweeper.recover() == 0
    finally:
        for channel in (live, sweeper):
            await channel.application.shutdown()
    assert [int(params["chat_id"]) for params in fake_bot.sent()] == [7301]


async def test_a_stopping_worker_hands_back_what_it_could_not_answer_in_time(sessions, fake_bot, worker, monkeypatch):
    monkeypatch.setattr("bot.channels.base.DRAIN_SECONDS", 0.2)
    stopping, survivor = worker(), worker()
    never = asyncio.Event()  # the answer hangs (an NLU call that never returns)
    inbound = inbound_from_update(stopping.parse(telegram_update(960, "hello", chat=7401, language_code="en")))
    for channel in (stopping, survivor):
        await channel.application.initialize()
    try:
        assert await stopping.accept(inbound, before_answer=never.wait)
        assert await survivor.recover() == 0  # held by a live worker
        await stopping.finish()
        with sessions() as session:
            held = session.query(Message.claimed_by, Message.answered).filter(Message.direction == "in").one()
        assert held == (None, False)  # given back, unanswered: not left to the 20-second lease
        assert await survivor.recover() == 1
    finally:
        for channel in (stopping, survivor):
            await channel.application.shutdown()
    assert [int(params["chat_id"]) for params in fake_bot.sent()] == [7401]


async def test_a_reply_stored_but_never_sent_is_delivered_by_a_sweep(sessions, fake_bot, worker):
    dying, survivor = worker(), worker()
    inbound = inbound_from_update(dying.parse(telegram_update(970, "hello", chat=7501, language_code="en")))
    stored = await dying.helpline.receive(inbound, dying.claimant)
    # the worker stores its reply, then dies before sendMessage
    reply = await dying.helpline.answer(inbound, stored, delivery="pending", claimant=dying.claimant)
    await survivor.application.initialize()
    try:
        assert await survivor.recover() == 0  # the claim is live: the reply is its worker's to send
        with sessions.begin() as session:
            session.execute(update(Message).values(claimed_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
        assert await survivor.recover() == 1
        assert await survivor.recover() == 0  # sent once
    finally:
        await survivor.application.shutdown()
    [sent] = fake_bot.sent()
    assert int(sent["chat_id"]) == 7501 and sent["text"] == reply.text
    with sessions() as session:
        assert session.get(Message, reply.message_id).status == "sent"
