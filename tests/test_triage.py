"""Urgent triage through the whole pipeline (real Rasa, safety net, dialogue) on held-out messages:
nobody in danger may be missed."""

import asyncio

import pytest

from bot.intents import URGENT_INTENTS
from bot.nlu.client import RasaClient
from bot.training_data import read_examples
from tests.flagging import flags_by_language
from tests.served import SERVED

pytestmark = pytest.mark.rasa

LANGUAGES = SERVED


@pytest.fixture(scope="module")
def flagged(content, paths, rasa_url, tmp_path_factory):
    database = f"sqlite:///{tmp_path_factory.mktemp('triage') / 'triage.db'}"
    return asyncio.run(flags_by_language(content, RasaClient(rasa_url), database, read_examples(paths.heldout)))


# Languages whose held-out set includes batches written blind, late, by other writers, on which
# nobody has been missed; the goal is the same for every language (README lists today's misses).
NOBODY_MISSED = ("en", "ru", "ky", "uz", "vi", "ko")


@pytest.mark.parametrize("language", LANGUAGES)
def test_urgent_heldout_messages_are_flagged(flagged, language):
    urgent = [(e, flag) for e, flag in flagged[language] if e.intent in URGENT_INTENTS]
    missed = [e.text for e, flag in urgent if not flag]
    if language in NOBODY_MISSED:
        assert not missed, f"{language}: missed {missed}"
    else:  # a floor against regressions for the ten languages added last
        assert len(missed) <= 0.08 * len(urgent), f"{language}: missed {missed}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_false_alarms_stay_rare(flagged, language):
    calm = [(e, urgent) for e, urgent in flagged[language] if e.intent not in URGENT_INTENTS]
    alarms = [e.text for e, urgent in calm if urgent]
    # a floor against regressions; the goal is 1.5% (README gives the figures per language)
    assert len(alarms) / len(calm) <= 0.13, f"{language}: {alarms}"
