"""Where the time of one message goes: the helpline in this process, a real Rasa server, a fresh
SQLite (or BENCH_DATABASE_URL) database, held-out messages answered one after another under
pyinstrument.

    .venv/bin/python -m bench.profile [--messages 300]

Writes bench/results/profile.txt (pyinstrument's call tree) and prints the share of each stage.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from pyinstrument import Profiler

from bot.helpline import Helpline, Inbound
from bot.nlu.client import RasaClient
from bot.nlu.server import EmbeddedRasa
from bot.nlu.training import ensure_model
from bot.paths import Paths
from bot.store.db import make_engine, migrate, session_factory
from bot.training_data import read_examples

RESULTS = Path(__file__).with_name("results")


async def main(count: int) -> dict:
    paths = Paths.default()
    examples = read_examples(paths.heldout)
    random.Random(7).shuffle(examples)
    rasa = EmbeddedRasa(paths, ensure_model(paths))
    await rasa.start()
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{Path(tempfile.mkdtemp()) / 'profile.db'}"
    engine = make_engine(url)
    migrate(engine)
    client = RasaClient(rasa.url)
    helpline = Helpline.from_paths(paths, client, session_factory(engine))
    try:
        for example in examples[:20]:  # warm up: Rasa's first parses, the connection pools
            await helpline.handle(Inbound("web", f"warm-{time.monotonic_ns()}", example.text))
        profiler = Profiler(async_mode="enabled", interval=0.0005)
        totals, stages = [], {}
        profiler.start()
        for number, example in enumerate(examples[:count]):
            started = time.perf_counter()
            reply = await helpline.handle(Inbound("web", f"profile-{number}", example.text))
            totals.append((time.perf_counter() - started) * 1000)
            for stage, seconds in (reply.timings if reply else {}).items():
                stages.setdefault(stage, []).append(seconds * 1000)
        profiler.stop()
        raw = []
        for example in examples[:count]:
            started = time.perf_counter()
            await client.parse(example.text)
            raw.append((time.perf_counter() - started) * 1000)
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "profile.txt").write_text(profiler.output_text(show_all=False), encoding="utf-8")
        return {
            "messages": count,
            "database": engine.dialect.name,
            "message_p50_ms": round(statistics.median(totals), 2),
            "raw_parse_p50_ms": round(statistics.median(raw), 2),
            "stages_p50_ms": {stage: round(statistics.median(v), 2) for stage, v in stages.items()},
        }
    finally:
        await client.aclose()
        await rasa.stop()
        engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=300)
    outcome = asyncio.run(main(parser.parse_args().messages))
    print(outcome)
    print(f"call tree: {RESULTS / 'profile.txt'}")
