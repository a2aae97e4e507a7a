"""Per-language intent accuracy of the trained model on held-out examples (data/test/)."""

import asyncio

import pytest

from bot.nlu.client import RasaClient
from bot.nlu.evaluation import evaluate
from bot.training_data import read_examples
from tests.served import SERVED

pytestmark = pytest.mark.rasa

LANGUAGES = SERVED


async def _evaluate(paths, rasa_url):
    client = RasaClient(rasa_url)
    try:
        return await evaluate(read_examples(paths.heldout), client.parse)
    finally:
        await client.aclose()


@pytest.fixture(scope="module")
def report(paths, rasa_url):
    result = asyncio.run(_evaluate(paths, rasa_url))
    paths.state.mkdir(exist_ok=True)
    (paths.state / "intent-accuracy.md").write_text(result.as_markdown(), encoding="utf-8")
    return result


def test_heldout_examples_never_appear_in_training(paths):
    training = {(e.language, e.text.casefold().strip()) for e in read_examples(paths.intents)}
    leaked = [e.text for e in read_examples(paths.heldout) if (e.language, e.text.casefold().strip()) in training]
    assert not leaked


@pytest.mark.parametrize("language", LANGUAGES)
def test_intent_accuracy_per_language(report, language):
    score = report.languages[language]
    assert score.total >= 35 * 6
    assert score.accuracy >= 0.85, report.as_markdown()  # the goal, reached in every language
