"""/delete erases everything that identifies the person, in every state of their case, through the
one erasure path; an anonymous audit entry of the erasure stays."""

import pytest
from sqlalchemy import select

from bot import privacy
from bot.cases import actions as cases
from bot.console.users import create_user
from bot.helpline import Helpline, Inbound
from bot.media import store as media
from bot.store.models import AuditEntry, Case, CaseNote, Conversation, Media, Message

SENDER = "996555123456"
PHONE = "+996 555 987 654"
NOTE = "passport AN1234567, phone +996555987654"
QUESTION = "my boss does not pay my salary"


def every_value(sessions) -> str:
    """Every column of every row that could hold personal data, as one string to search."""
    with sessions() as session:
        rows = [
            *session.execute(select(Conversation.sender)).all(),
            *session.execute(select(Message.text, Message.media_ref, Message.external_id)).all(),
            *session.execute(select(Case.summary, Case.callback_phone)).all(),
            *session.execute(select(CaseNote.text)).all(),
            *session.execute(select(AuditEntry.detail)).all(),
        ]
    return " ".join(str(value) for row in rows for value in row)


@pytest.mark.parametrize("state", ["no case", "waiting", "assigned", "closed"])
async def test_delete_leaves_nothing_that_identifies_the_person(content, sessions, state):
    helpline = Helpline(content, None, sessions)
    await helpline.handle(Inbound("whatsapp", SENDER, QUESTION, None, "wamid.1", "photo", "media-ref-1"))
    with sessions() as session:  # a lawyer opened the photo: it was fetched and kept
        photo_id = session.scalar(select(Message.id).where(Message.media_ref == "media-ref-1"))
    media.save(sessions, photo_id, media.MediaFile("stored", "image/jpeg", 9, None, b"\xff\xd8\xffPHOTO"))
    if state != "no case":
        await helpline.handle(Inbound("whatsapp", SENDER, "/lawyer"))
        await helpline.handle(Inbound("whatsapp", SENDER, f"my number is {PHONE}"))
        with sessions() as session:
            assert session.scalar(select(Case.callback_phone)) == "+996555987654"
    if state in ("assigned", "closed"):
        lawyer = create_user(sessions, "aida", "Aida", "lawyer", "correct horse battery", [], [])
        case_id = cases.claim_next(sessions, lawyer)
        cases.add_note(sessions, case_id, lawyer, NOTE)
        if state == "closed":
            cases.close(sessions, case_id, lawyer, "advice_given")
    await helpline.handle(Inbound("whatsapp", SENDER, "/delete"))
    if state in ("waiting", "assigned"):  # an open case keeps what the lawyer needs until it closes
        assert SENDER in every_value(sessions)
        with sessions() as session:
            conversation_id = session.scalar(select(Conversation.id))
        cases.close(sessions, case_of(sessions), None, "advice_given")
        assert privacy.erase_if_requested(sessions, conversation_id)
    values = every_value(sessions)
    for personal in (SENDER, "+996555987654", PHONE, "AN1234567", NOTE, QUESTION, "media-ref-1", "wamid.1"):
        assert personal not in values
    with sessions() as session:
        erasures = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "erase")).all()
        assert session.scalar(select(Message.id).limit(1)) is None
        assert session.scalar(select(Media.id).limit(1)) is None  # the file itself, not only its reference
        assert all(not note for note in session.scalars(select(CaseNote.text)))
    reason = "after case" if state in ("waiting", "assigned") else "request"
    assert len(erasures) == 1 and f"; {reason};" in erasures[0]


def case_of(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(Case.id))
