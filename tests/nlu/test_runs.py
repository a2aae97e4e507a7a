"""The training-run lock and record shared by the console and the command line."""

import datetime as dt
import json

import pytest

from bot.nlu import runs
from bot.paths import Paths


@pytest.fixture
def home(tmp_path):
    return Paths(tmp_path)


def test_only_one_run_holds_the_lock(home):
    with runs.exclusive(home):
        assert runs.running(home)
        with pytest.raises(runs.Busy), runs.exclusive(home):
            pass
    assert not runs.running(home)


def test_a_finished_run_keeps_who_started_it_and_when(home):
    started = runs.record(home, runs.RUNNING, "eda")
    with runs.exclusive(home):
        assert runs.last(home)["outcome"] == runs.RUNNING
    finished = runs.record(home, runs.REFUSED, lines=["ky: 80.0% → 75.0%"])
    assert finished["by"] == "eda" and finished["started_at"] == started["started_at"]
    assert runs.last(home)["lines"] == ["ky: 80.0% → 75.0%"] and runs.last(home)["finished_at"]


def test_a_run_whose_process_died_is_reported_failed(home):
    runs.record(home, runs.RUNNING, "eda")
    record = json.loads((home.models / "training.json").read_text())
    long_ago = dt.datetime.now(dt.UTC) - runs.STARTUP_GRACE - dt.timedelta(seconds=1)
    record["started_at"] = long_ago.isoformat()
    (home.models / "training.json").write_text(json.dumps(record))
    assert runs.last(home)["outcome"] == runs.FAILED  # nobody holds the lock any more


def test_a_run_just_started_from_the_console_counts_as_running_before_it_takes_the_lock(home):
    runs.record(home, runs.RUNNING, "eda")
    assert runs.last(home)["outcome"] == runs.RUNNING
