"""A page resends a message when the response was lost (a worker died mid-request, a phone lost
its signal): the message is stored once, the resend gets the reply the first request got, and a
message whose worker died before answering is answered by a sweep and reaches the page."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from bot.channels.web import WebChat
from bot.store import actions
from bot.store.models import Conversation, Message
from bot.store.webchat import external_id


async def test_a_resent_message_is_stored_once_and_gets_the_first_reply(client, sessions):
    body = {"session": "resend-001", "text": "шеф не платит зарплату", "id": "message-0001"}
    first = (await client.post("/api/chat", json=body)).json()
    again = await client.post("/api/chat", json=body)
    assert again.status_code == 200
    assert again.json()["reply"] == first["reply"] and again.json()["intent"] == first["intent"] == "unpaid_wages"
    with sessions() as session:
        directions = session.scalars(select(Message.direction).order_by(Message.id)).all()
    assert directions == ["in", "out"]


async def test_the_first_reply_is_found_among_later_messages(client):
    first = {"session": "resend-002", "text": "шеф не платит зарплату", "id": "message-0002"}
    answered = (await client.post("/api/chat", json=first)).json()
    await client.post("/api/chat", json={"session": "resend-002", "text": "/lang en", "id": "message-0003"})
    assert (await client.post("/api/chat", json=first)).json()["reply"] == answered["reply"]


async def test_a_message_left_unanswered_by_a_dead_worker_is_pending_then_swept_to_the_page(
    client, sessions, monkeypatch
):
    monkeypatch.setattr("bot.web.app.RESEND_WAIT_SECONDS", 0.3)
    helpline = client._transport.app.state.helpline
    orphan = actions.Received(
        "web", "resend-004", "шеф не платит зарплату", None, external_id("resend-004", "message-0004")
    )
    assert actions.record_inbound(sessions, orphan, "dead-worker")
    body = {"session": "resend-004", "text": orphan.text, "id": "message-0004"}
    assert (await client.post("/api/chat", json=body)).json() == {"reply": None, "action": "pending", "buttons": []}

    with sessions.begin() as session:  # the dead worker's lease runs out
        session.execute(update(Message).values(claimed_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    assert await WebChat(helpline).recover() == 1

    updates = await client.get("/api/chat/updates?after=0", headers={"X-Chat-Session": "resend-004"})
    [line] = updates.json()["messages"]
    assert line["who"] == "bot" and line["text"]
    assert (await client.post("/api/chat", json=body)).json()["reply"] == line["text"]
    with sessions() as session:
        conversation = session.scalar(select(Conversation).where(Conversation.sender == "resend-004"))
        assert [m.direction for m in conversation.messages] == ["in", "out"]


async def test_a_live_reply_is_not_sent_again_with_the_updates(client):
    await client.post("/api/chat", json={"session": "resend-005", "text": "шеф не платит зарплату", "id": "m-000005"})
    updates = await client.get("/api/chat/updates?after=0", headers={"X-Chat-Session": "resend-005"})
    assert updates.json()["messages"] == []


async def test_an_id_that_is_not_a_token_is_refused(client):
    body = {"session": "resend-006", "text": "hello", "id": "x\n"}
    response = await client.post("/api/chat", json=body)
    assert response.status_code == 422 and "id" in response.json()["error"]


async def test_two_pages_may_use_the_same_id(client, sessions):
    for session in ("resend-007", "resend-008"):
        body = {"session": session, "text": "шеф не платит зарплату", "id": "message-0001"}
        assert (await client.post("/api/chat", json=body)).json()["action"] != "silent"
    with sessions() as session:
        assert len(session.scalars(select(Message).where(Message.direction == "in")).all()) == 2
