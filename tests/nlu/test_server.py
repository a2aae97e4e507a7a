"""The real Rasa server, started from nlu/.venv on the trained model."""

import asyncio

import pytest

from bot.nlu.client import RasaClient
from bot.nlu.training import inputs_hash, model_path

pytestmark = pytest.mark.rasa


async def test_the_embedded_server_parses_with_the_trained_model(rasa_url):
    client = RasaClient(rasa_url)
    try:
        assert await client.ready()
        result = await client.parse("my boss has not paid my salary for two months")
        assert result.intent == "unpaid_wages"
        assert result.confidence > 0.3
        assert len(result.ranking) > 1
    finally:
        await client.aclose()


def test_the_model_is_named_by_the_hash_of_its_inputs(paths, rasa_url):
    assert model_path(paths).exists()
    assert inputs_hash(paths) in model_path(paths).name


def test_changing_training_data_changes_the_hash(paths, tmp_path):
    import shutil

    from bot.paths import Paths

    copy = Paths(tmp_path)
    shutil.copytree(paths.intents, copy.intents)
    copy.nlu.mkdir()
    shutil.copy(paths.nlu_config, copy.nlu_config)
    shutil.copy(paths.nlu_requirements, copy.nlu_requirements)
    before = inputs_hash(copy)
    with (copy.intents / "en.yml").open("a", encoding="utf-8") as handle:
        handle.write("    - one more example\n")
    assert inputs_hash(copy) != before


async def test_a_model_rasa_cannot_load_stops_the_start_at_once_with_a_pointer_to_the_log(paths, tmp_path):
    from bot.nlu.server import EmbeddedRasa, RasaStartError

    broken = tmp_path / "nlu-broken.tar.gz"
    broken.write_bytes(b"not a model" * 100)
    server = EmbeddedRasa(paths, broken)
    started = asyncio.get_running_loop().time()
    try:
        with pytest.raises(RasaStartError, match="could not load nlu-broken.tar.gz; see .*rasa.log"):
            await server.start()
    finally:
        await server.stop()
    assert asyncio.get_running_loop().time() - started < 120  # not the whole start-up timeout
