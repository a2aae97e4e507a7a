"""The `helpline` command as outside tools use it: .venv/bin/helpline ask --json -."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.answers import Answers
from bot.paths import Paths

pytestmark = pytest.mark.rasa

HELPLINE = Path(sys.executable).with_name("helpline")


def run_ask(args, stdin, rasa_url, tmp_path):
    env = {**os.environ, "RASA_URL": rasa_url, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    return subprocess.run(
        [str(HELPLINE), "ask", *args], input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


def test_batch_mode_answers_one_json_line_per_input_line(rasa_url, tmp_path):
    lines = [
        "my boss took my passport and does not let me leave",
        "менин паспортумду жоготуп алдым",
        "toi bi mat ho chieu",
        "비자 연장하고 싶어요",
        "",
        "ok",
    ]
    result = run_ask(["--json", "-"], "\n".join(lines) + "\n", rasa_url, tmp_path)
    assert result.returncode == 0, result.stderr
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(replies) == len(lines)
    for reply in replies:
        assert {"language", "intent", "confidence", "topic", "urgent", "reply"} <= set(reply)
        assert reply["reply"]
    assert replies[0]["urgent"] and replies[0]["topic"] == "safety"
    assert [r["language"] for r in replies[1:4]] == ["ky", "vi", "ko"]
    assert replies[2]["intent"] == "lost_documents"


def test_every_line_is_a_new_conversation(rasa_url, tmp_path):
    # a Kyrgyz line first must not make the next, Russian line Kyrgyz
    result = run_ask(["--json", "-"], "менин визам бүтүп калды\nспасибо\n", rasa_url, tmp_path)
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert replies[0]["language"] == "ky"
    assert replies[1]["language"] == "ru"  # in the same conversation, the Kyrgyz prior would keep "ky"


def test_single_message_mode(rasa_url, tmp_path):
    result = run_ask(["--json", "hello"], "", rasa_url, tmp_path)
    assert json.loads(result.stdout)["intent"] == "greet"


def test_no_personal_text_in_the_logs(rasa_url, tmp_path):
    secret = "my passport number is AB1234567"
    result = run_ask(["--json", secret], "", rasa_url, tmp_path)
    assert result.returncode == 0
    assert "AB1234567" not in result.stderr


def test_the_terminal_chat_keeps_the_conversation_and_presses_buttons_by_number(rasa_url, tmp_path):
    env = {**os.environ, "RASA_URL": rasa_url, "DATABASE_URL": f"sqlite:///{tmp_path / 'chat.db'}"}
    result = subprocess.run(
        [str(HELPLINE), "chat"],
        input="/language\n2\nда\n",  # the menu, then its second button (Kyrgyz), then a short word
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "[2] Кыргызча" in result.stdout
    chosen = Answers.load(Paths.default().locales).raw("ui:language_set", "ky")
    assert chosen in result.stdout


def test_several_workers_need_postgresql_and_nothing_else():
    from bot.cli import several_workers_refusal
    from bot.runtime import Settings

    postgres = Settings(database_url="postgresql://db/helpline", rasa_url=None)
    assert "DATABASE_URL" in several_workers_refusal(Settings(database_url=None, rasa_url=None), {})
    # Telegram by polling too: the workers elect one poller (tests/channels/test_poller_election.py)
    assert several_workers_refusal(postgres, {"TELEGRAM_BOT_TOKEN": "1:x"}) is None
    assert several_workers_refusal(postgres, {"TELEGRAM_BOT_TOKEN": "1:x", "PUBLIC_URL": "https://h.example"}) is None


def test_serve_refuses_several_workers_on_sqlite_with_a_clear_message(monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert main(["serve", "--workers", "3"]) == 2
    assert "needs PostgreSQL" in capsys.readouterr().err
