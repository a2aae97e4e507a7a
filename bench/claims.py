"""Benchmark: lawyers taking cases at once on PostgreSQL, with zero double claims.

    .venv/bin/python -m bench.claims [--lawyers 50] [--cases 2000]

Compares 'take next' with FOR UPDATE SKIP LOCKED against the same claim with a plain FOR UPDATE
(lawyers queue behind each other's row locks), in one run on one database. Writes
bench/results/claims.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from bot.cases import actions as cases
from bot.store.db import make_engine, migrate, session_factory
from bot.store.models import Case, Conversation, Lawyer, utcnow

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
RESULTS = Path(__file__).with_name("results")


def fill(sessions, count: int, lawyers: int) -> list[int]:
    with sessions.begin() as session:
        for table in ("audit_log", "messages", "cases", "conversations", "lawyers"):
            session.execute(text(f"DELETE FROM {table}"))
        conversations = [Conversation(channel="bench", sender=f"m{n}") for n in range(count)]
        session.add_all(conversations)
        session.flush()
        now = utcnow()
        session.add_all(
            Case(
                conversation_id=c.id,
                status="waiting",
                priority=n % 5 == 0 and 0 or 1,
                language="ru",
                topic="employment",
                channel="bench",
                created_at=now,
            )  # fmt: skip
            for n, c in enumerate(conversations)
        )
        people = [Lawyer(username=f"l{n}", name=f"L{n}", password_hash="-", role="lawyer") for n in range(lawyers)]
        session.add_all(people)
        session.flush()
        return [person.id for person in people]


def run(sessions, lawyer_ids: list[int], skip_locked: bool) -> dict:
    taken: list[int] = []
    latencies: list[float] = []
    lock = threading.Lock()

    def lawyer(lawyer_id: int) -> None:
        while True:
            started = time.perf_counter()
            case_id = cases.claim_next(sessions, lawyer_id, skip_locked=skip_locked)
            elapsed = time.perf_counter() - started
            if case_id is None:
                return
            with lock:
                taken.append(case_id)
                latencies.append(elapsed * 1000)

    threads = [threading.Thread(target=lawyer, args=(lawyer_id,)) for lawyer_id in lawyer_ids]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    with sessions() as session:
        waiting = session.scalar(select(func.count()).where(Case.status == "waiting"))
    return {
        "skip_locked": skip_locked,
        "claims": len(taken),
        "double_claims": len(taken) - len(set(taken)),
        "left_waiting": waiting,
        "claims_per_s": round(len(taken) / elapsed, 1),
        "claim_p50_ms": round(statistics.median(latencies), 2),
    }


def main(lawyers: int, count: int) -> dict:
    name = f"helpline_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(ADMIN_URL.rsplit("/", 1)[0] + "/" + name, pool_size=lawyers)  # one per lawyer
    try:
        migrate(engine)
        sessions = session_factory(engine)
        results = []
        for skip_locked in (True, False):
            ids = fill(sessions, count, lawyers)
            results.append(run(sessions, ids, skip_locked))
        return {"lawyers": lawyers, "cases": count, "runs": results}
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lawyers", type=int, default=50)
    parser.add_argument("--cases", type=int, default=2000)
    arguments = parser.parse_args()
    outcome = main(arguments.lawyers, arguments.cases)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "claims.json").write_text(json.dumps(outcome, indent=2), encoding="utf-8")
    print(json.dumps(outcome, indent=2))
