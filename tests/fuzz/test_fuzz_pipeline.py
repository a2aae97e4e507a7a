"""Any text a migrant can send, through the detector and the whole `helpline ask` path (store,
detect, NLU at the network boundary, safety net, reply): never an exception, always a reply.

The text is built from the pieces that once broke or could break it: combining marks, "İ",
right-to-left text, emoji with joiners, control characters, zero-width spaces, and length."""

import asyncio
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.helpline import Helpline, Inbound
from bot.nlu.client import RasaClient
from bot.store.db import make_engine, migrate, session_factory

PIECES = st.sampled_from(
    [
        "İ", "i̇", "e\u0301", "\u0301", "a\u0308\u0301\u0323", "ก\u0e49\u0e33", "क्\u200dष", "ខ្ញុំ\u200bចង់",
        "مرحبا", "שלום", "\u202eabc\u202c", "\u200f", "👩\u200d👩\u200d👧", "🇰🇬", "\U0001f3fd", "\x00", "\x07",
        "\x1b[31m", "\r\n", "\t", "\ufeff", "\ud800", "\uffff", "паспорт", "visa", "護照", " ", "  ", "?",
    ]
)  # fmt: skip
TEXT = st.one_of(
    st.text(alphabet=st.characters(codec=None), max_size=300),
    st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=60).map("".join),
    st.tuples(PIECES, st.integers(min_value=1, max_value=10_000)).map(lambda p: (p[0] * p[1])[:10_000]),
)
_numbers = itertools.count()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT, prior=st.none() | st.sampled_from(["en", "ru", "ky", "my", "xx", ""]))
def test_the_detector_takes_any_text(content, text, prior):
    detection = content.detector.detect(text, prior, None)
    assert detection.language in content.profile.languages


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_the_whole_ask_path_answers_any_text(content, tmp_path, fake_rasa_url, text):
    engine = make_engine(f"sqlite:///{tmp_path / 'fuzz.db'}")
    migrate(engine)
    client = RasaClient(fake_rasa_url)
    helpline = Helpline(content, client, session_factory(engine))

    async def ask():
        try:
            return await helpline.handle(Inbound("cli", f"fuzz-{next(_numbers)}", text))
        finally:
            await client.aclose()

    try:
        reply = asyncio.run(ask())
    finally:
        engine.dispose()
    assert reply is not None and reply.text.strip()
    assert reply.language in content.profile.languages
