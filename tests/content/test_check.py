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


def test_the_country_variants_are_shown_per_language(paths):
    report = check(read_examples(paths.intents), Answers.load(paths.locales), LANGUAGES)
    assert report.variants["work_permit@RU"]["ky"] == "fuzzy"  # the Moscow patent fee is not certain
    assert report.variants["work_permit@TR"]["ky"] == "ok"
    assert report.variants["work_permit@TR"]["vi"] == "general"  # falls back to the Vietnamese general answer
    table = report.as_table()
    assert "country variants" in table and "work_permit@KR" in table


def run_check(env) -> subprocess.CompletedProcess:
    return subprocess.run([str(HELPLINE), "content", "check"], capture_output=True, text=True, env=env, timeout=120)


def test_the_korean_profile_and_its_directory_pass(paths):
    env = {**os.environ, "HELPLINE_PROFILE": str(paths.profiles / "gg-foreign-residents.yml")}
    result = run_check(env)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "not verified in 180 days" in result.stdout and "sample entries" in result.stdout


def test_a_broken_directory_fails_the_check_with_where_and_what(paths, tmp_path):
    from tests.copies import copy_content

    copy = copy_content(paths, tmp_path)
    directory = copy.directory("kg-1899")
    services = json.loads(directory.read_text(encoding="utf-8"))
    services[0]["status"] = "open"
    services[1]["schedules"] = [{"id": services[1]["id"], "opens_at": "25:00", "closes_at": "18:00"}]
    directory.write_text(json.dumps(services, ensure_ascii=False), encoding="utf-8")
    result = run_check({**os.environ, "HELPLINE_HOME": str(tmp_path), "HELPLINE_PROFILE": ""})
    assert result.returncode == 1
    assert "services[0].status" in result.stdout and "services[1].schedules[0].opens_at" in result.stdout
    assert "is already the id of services[1]" in result.stdout
