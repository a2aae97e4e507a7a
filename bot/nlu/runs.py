"""One training run at a time, whoever starts it, and its outcome for every worker to show.

The console starts `helpline train` in its own process, so the console and the command line share
one gate, one lock and one record. The lock is an flock on nlu/models/.training.lock: the kernel
drops it when the run's process ends, however it ends, so a crashed run never blocks the next.
The record (nlu/models/training.json) lives beside the models, which every worker already shares.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator

from bot.nlu.publishing import write_json
from bot.paths import Paths

RUNNING = "running"
PUBLISHED = "published"
UNCHANGED = "unchanged"  # the inputs did not change: the published model stays
REFUSED = "refused"  # trained, but worse than the published model in some language
FAILED = "failed"


# between the console starting a run and the run taking the lock
STARTUP_GRACE = dt.timedelta(seconds=60)


class Busy(RuntimeError):
    """Another training run holds the lock."""


def _lock_path(paths: Paths):
    return paths.models / ".training.lock"


def _record_path(paths: Paths):
    return paths.models / "training.json"


@contextlib.contextmanager
def exclusive(paths: Paths) -> Iterator[None]:
    """Hold the training lock for the duration, or raise Busy at once."""
    paths.models.mkdir(parents=True, exist_ok=True)
    with open(_lock_path(paths), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy("a training run is already under way") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def running(paths: Paths) -> bool:
    try:
        with exclusive(paths):
            return False
    except Busy:
        return True


def record(paths: Paths, outcome: str, by: str | None = None, lines: list[str] | None = None) -> dict:
    """Write the run's state; a finished run keeps who started it and when."""
    previous = last(paths) or {}
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    document = {
        "outcome": outcome,
        "by": by or previous.get("by") or "command line",
        "started_at": now if outcome == RUNNING else previous.get("started_at", now),
        "finished_at": None if outcome == RUNNING else now,
        "lines": lines or [],
    }
    paths.models.mkdir(parents=True, exist_ok=True)
    write_json(_record_path(paths), document)
    return document


def last(paths: Paths) -> dict | None:
    path = _record_path(paths)
    if not path.exists():
        return None
    document = json.loads(path.read_text(encoding="utf-8"))
    started = dt.datetime.fromisoformat(document["started_at"])
    starting = dt.datetime.now(dt.UTC) - started < STARTUP_GRACE
    if document.get("outcome") == RUNNING and not starting and not running(paths):
        document["outcome"] = FAILED  # the process died without saying how it ended
    return document


def start(paths: Paths, by: str) -> bool:
    """Start `helpline train` in the background; False when a run is already under way."""
    if running(paths):
        return False
    record(paths, RUNNING, by)
    paths.state.mkdir(parents=True, exist_ok=True)
    with open(paths.state / "training.log", "ab") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "train", "--by", by],
            stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file,
            env={**os.environ, "HELPLINE_HOME": str(paths.root)},
            start_new_session=True,  # it outlives the request, and a worker restart
        )  # fmt: skip
    threading.Thread(target=process.wait, name="training-run", daemon=True).start()  # reaps it when it ends
    return True
