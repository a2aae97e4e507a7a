"""`helpline content check` on the shipped content and on broken copies of it."""

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.answers import Answers, Translation
from bot.content.check import check
from bot.training_data import Example, read_examples
from tests.served import SERVED

LANGUAGES = SERVED
HELPLINE = Path(sys.executable).with_name("helpline")


def test_the_shipped_content_passes(paths):
    report = check(read_examples(paths.intents), Answers.load(paths.locales), LANGUAGES)
    assert report.ok, report.errors
    assert report.matrix["trafficking"]["ky"].examples >= 15 and report.matrix["trafficking"]["ky"].answered


def test_a_missing_answer_a_broken_placeholder_and_a_duplicate_are_errors(paths):
    answers = Answers.load(paths.locales)
    ky = dict(answers.translations["ky"])
    del ky["answer:thanks"]
    ky["answer:goodbye"] = Translation("Кош болуңуз! {hotlin}", False)
    broken = Answers(answers.source, {**answers.translations, "ky": ky})
    examples = read_examples(paths.intents) + [
        Example("ru", "greet", "хочу продлить визу"),
        Example("ru", "visa_extension", "хочу продлить визу"),
    ]
    report = check(examples, broken, LANGUAGES)
    assert not report.ok
    assert "thanks has no answer in ky" in report.errors
    assert "answer:goodbye in ky: placeholders differ from the source text" in report.errors
    assert any("хочу продлить визу" in error and "greet" in error for error in report.errors)


def test_too_few_examples_is_an_error(paths):
    examples = [e for e in read_examples(paths.intents) if not (e.language == "vi" and e.intent == "thanks")]
    report = check(examples, Answers.load(paths.locales), LANGUAGES)
    assert "thanks has 0 examples in vi (at least 15)" in report.errors


def test_the_command_prints_json_and_exits_zero_on_good_content():
    result = subprocess.run(
        [str(HELPLINE), "content", "check", "--json"], capture_output=True, text=True, env=os.environ, timeout=120
    )
    assert result.returncode == 0, result.stdout[-2000:]
    report = json.loads(result.stdout)
    assert report["ok"] and report["matrix"]["greet"]["ko"]["answered"]


def test_a_new_language_is_scaffolded_and_the_check_shows_what_is_missing(paths, tmp_path):
    import shutil

    import pytest

    from bot.content.languages import LanguageError, add_language
    from bot.paths import Paths

    copy = Paths(tmp_path)
    shutil.copytree(paths.locales, copy.locales)
    shutil.copytree(paths.intents, copy.intents)
    catalog, training = add_language(copy, "lo")
    assert catalog.exists() and training.exists()
    answers = Answers.load(copy.locales)
    report = check(read_examples(copy.intents), answers, (*LANGUAGES, "lo"))
    assert "greet has no answer in lo" in report.errors
    assert "greet has 0 examples in lo (at least 15)" in report.errors
    with pytest.raises(LanguageError, match="exists already"):
        add_language(copy, "lo")
    with pytest.raises(LanguageError, match="not a language code"):
        add_language(copy, "zz-nonsense")
