"""Benchmark: what storing one message and its turn costs, alone (no HTTP, no Rasa), on SQLite and
PostgreSQL: record_inbound and record_turn as the pipeline calls them, medians of wall time and the
process's CPU per message.

    .venv/bin/python -m bench.storage [--messages 400]

PostgreSQL is BENCH_POSTGRES_URL's server (default the local one), in a database of its own.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from bench.pipeline import fresh_postgresql
from bot.cases.actions import open_case_in
from bot.store import actions
from bot.store.db import make_engine, migrate, session_factory

ANALYSIS = actions.Analysis(
    language="en", detected_language="en", intent="visa_extension", confidence=0.9, topic="visa", urgent=False
)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(url: str, count: int) -> dict[str, float]:
    engine = make_engine(url)
    migrate(engine)
    sessions = session_factory(engine)
    inbound, turn = [], []
    for warm in range(20):
        actions.record_inbound(sessions, actions.Received("web", f"warm-{warm}", "hello"), "bench", open_case_in)
    started_cpu = cpu_seconds()
    for number in range(count):
        started = time.perf_counter()
        received = actions.Received("web", f"session-{number}", "my visa expires next week")
        stored = actions.record_inbound(sessions, received, "bench", open_case_in)
        middle = time.perf_counter()
        actions.record_turn(sessions, stored, ANALYSIS, "Your visa ...", stored.state, False, None, None)
        inbound.append(middle - started)
        turn.append(time.perf_counter() - middle)
    cpu = cpu_seconds() - started_cpu
    engine.dispose()
    return {
        "record_inbound_ms": round(statistics.median(inbound) * 1000, 2),
        "record_turn_ms": round(statistics.median(turn) * 1000, 2),
        "cpu_ms_per_message": round(cpu / count * 1000, 2),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=400)
    count = parser.parse_args().messages
    rows = {"SQLite": measure(f"sqlite:///{Path(tempfile.mkdtemp()) / 'storage.db'}", count)}
    with fresh_postgresql() as url:
        rows["PostgreSQL"] = measure(url, count)
    print("| store | record_inbound p50 | record_turn p50 | CPU per message |")
    print("|---|---|---|---|")
    for store, row in rows.items():
        print(
            f"| {store} | {row['record_inbound_ms']} ms | {row['record_turn_ms']} ms | {row['cpu_ms_per_message']} ms |"
        )
