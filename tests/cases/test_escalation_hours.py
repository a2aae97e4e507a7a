"""Whether the lawyers are in is decided with the helpline's clock, so a case opened at night is
told when they come back, whatever the machine's own time."""

import datetime as dt

import pytest

from bot.helpline import Helpline, Inbound
from bot.nlu.client import RasaClient
from tests.catalogs import catalog_text
from tests.fake_rasa import REFUSED_URL  # "/lawyer" needs no NLU


def moments(hours, is_open: bool) -> dt.datetime:
    start = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)  # a Monday
    for hour in range(7 * 24):
        moment = start + dt.timedelta(hours=hour, minutes=30)
        if hours.is_open(moment) == is_open:
            return moment
    raise AssertionError("no such hour in the week")


@pytest.mark.parametrize(("is_open", "context"), [(True, "ui:case_created"), (False, "ui:case_after_hours")])
async def test_the_escalation_notice_follows_the_helplines_clock(content, sessions, is_open, context):
    moment = moments(content.profile.hours, is_open)
    client = RasaClient(REFUSED_URL, timeout=2.0)
    helpline = Helpline(content, client, sessions, clock=lambda: moment)
    try:
        await helpline.handle(Inbound("web", "night-or-day", "/lang en"))
        reply = await helpline.handle(Inbound("web", "night-or-day", "/lawyer"))
    finally:
        await client.aclose()
    first_words = catalog_text(context, "en").split("{")[0].strip()
    assert first_words and first_words in reply.text
