"""Benchmark: the web chat API against raw Rasa /model/parse, and our language detection against
plain langdetect, in one run on the same model and the same held-out messages. The API runs as
one worker on SQLite, one on PostgreSQL and several (``helpline serve --workers N``) on
PostgreSQL; raw Rasa is measured right before each, on the same server the API uses.

    .venv/bin/python -m bench.pipeline [--messages 300] [--workers 3] [--only sqlite|postgresql|workers]

Writes bench/results/pipeline.json and prints a Markdown summary. Figures are medians and ratios:
these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
from langdetect import DetectorFactory
from langdetect import detect as plain_detect
from sqlalchemy import create_engine, text

from bot.helpline import Content
from bot.nlu.server import EmbeddedRasa, free_port
from bot.nlu.training import ensure_model
from bot.paths import Paths
from bot.store.db import normalise_url
from bot.training_data import read_examples

RESULTS = Path(__file__).with_name("results")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def server_timing(header: str) -> dict[str, float]:
    stages = {}
    for part in header.split(","):
        name, _, duration = part.strip().partition(";dur=")
        if duration:
            stages[name] = float(duration)
    return stages


async def load(url: str, bodies: list[dict], concurrency: int) -> dict:
    latencies: list[float] = []
    stages: dict[str, list[float]] = {}
    queue = list(bodies)
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:

        async def worker() -> None:
            while queue:
                body = queue.pop()
                started = time.perf_counter()
                response = await client.post(body.pop("_path"), json=body)
                latencies.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
                for stage, ms in server_timing(response.headers.get("server-timing", "")).items():
                    stages.setdefault(stage, []).append(ms)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "concurrency": concurrency,
        "messages": len(latencies),
        "p50_ms": round(percentile(latencies, 0.5), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "throughput_per_s": round(len(latencies) / elapsed, 1),
        "stages_p50_ms": {stage: round(statistics.median(v), 3) for stage, v in stages.items()},
    }


def detection_benchmark(paths: Paths, examples) -> dict:
    content = Content.load(paths)
    DetectorFactory.seed = 0
    rows = {}
    for name, detect in (
        ("helpline", lambda text: content.detector.detect(text).language),
        ("langdetect", _plain),
    ):
        correct: dict[str, list[bool]] = {}
        timings = []
        for example in examples:
            started = time.perf_counter()
            language = detect(example.text)
            timings.append((time.perf_counter() - started) * 1e6)
            correct.setdefault(example.language, []).append(language == example.language)
        rows[name] = {
            "accuracy": {lang: round(sum(v) / len(v), 3) for lang, v in sorted(correct.items())},
            "median_us": round(statistics.median(timings), 1),
        }
    return rows


def _plain(text: str) -> str | None:
    try:
        return plain_detect(text)
    except Exception:
        return None


POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextlib.contextmanager
def fresh_postgresql() -> Iterator[str]:
    """A database of its own for one setup, dropped afterwards."""
    name = f"helpline_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(POSTGRES_ADMIN_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def worker_pids(pid: int) -> list[int]:
    """The server process, or with --workers the worker processes under uvicorn's supervisor."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    workers = [int(child) for child in children if "resource_tracker" not in _command(int(child))]
    return workers or [pid]


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the processes used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@contextlib.asynccontextmanager
async def app_server(database_url: str, rasa_url: str, workers: int) -> AsyncIterator[tuple[str, int]]:
    port = free_port()
    env = {**os.environ, "RASA_URL": rasa_url, "DATABASE_URL": database_url, "CONSOLE_SECRET_KEY": "bench"}
    command = [str(Path(sys.executable).with_name("helpline")), "serve", "--port", str(port)]
    app = subprocess.Popen(
        [*command, "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(900):
                try:
                    if (await client.get(f"{url}/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
        yield url, app.pid
    finally:
        app.terminate()
        app.wait(timeout=60)


# --only: one setup, for a quicker look while working on one of them
SETUP_NAMES = ("sqlite", "postgresql", "workers")


async def main(count: int, workers: int, only: str | None = None) -> dict:
    paths = Paths.default()
    examples = read_examples(paths.heldout)
    random.Random(7).shuffle(examples)
    sample = examples[:count]
    rasa = EmbeddedRasa(paths, ensure_model(paths))
    await rasa.start()
    sqlite = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    setups = (("1 worker", "SQLite", 1), ("1 worker", "PostgreSQL", 1), (f"{workers} workers", "PostgreSQL", workers))
    setups = tuple(setup for setup in setups if only in (None, SETUP_NAMES[setups.index(setup)]))
    results: dict = {"messages": count, "setups": []}
    try:
        for name, store, processes in setups:
            with contextlib.ExitStack() as stack:
                database = sqlite if store == "SQLite" else stack.enter_context(fresh_postgresql())
                async with app_server(database, rasa.url, processes) as (url, pid):
                    warm = [{"_path": "/api/chat", "session": uuid.uuid4().hex, "text": e.text} for e in sample[:20]]
                    await load(url, warm, 4)
                    rows = []
                    for concurrency in (1, 32):
                        # raw Rasa right before, so that both see the same machine
                        parses = [{"_path": "/model/parse", "text": e.text} for e in sample]
                        chats = [{"_path": "/api/chat", "session": uuid.uuid4().hex, "text": e.text} for e in sample]
                        raw = await load(rasa.url, parses, concurrency)
                        workers_now = worker_pids(pid)
                        before = cpu_seconds(workers_now)
                        api = await load(url, chats, concurrency)
                        api["cpu_ms_per_message"] = round((cpu_seconds(workers_now) - before) * 1000 / len(chats), 2)
                        rows.append({"api": api, "raw_rasa": raw})
                    memory = [round(resident_mb(worker), 1) for worker in worker_pids(pid)]
            results["setups"].append({"setup": name, "store": store, "rows": rows, "worker_rss_mb": memory})
        results["detection"] = detection_benchmark(paths, examples)
        return results
    finally:
        await rasa.stop()


def summary(results: dict) -> str:
    lines = [
        "| setup | store | concurrency | API p50 / p99 | raw Rasa p50 / p99 | p50 ratio | API msgs/s"
        " | raw Rasa msgs/s | throughput ratio | app CPU per message | RSS per worker |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for setup in results["setups"]:
        rss = max(setup["worker_rss_mb"]) if setup["worker_rss_mb"] else 0
        for row in setup["rows"]:
            api, raw = row["api"], row["raw_rasa"]
            lines.append(
                f"| {setup['setup']} | {setup['store']} | {api['concurrency']} | {api['p50_ms']} / {api['p99_ms']} ms"
                f" | {raw['p50_ms']} / {raw['p99_ms']} ms | {api['p50_ms'] / raw['p50_ms']:.2f}×"
                f" | {api['throughput_per_s']} | {raw['throughput_per_s']}"
                f" | {api['throughput_per_s'] / raw['throughput_per_s']:.2f}× | {api['cpu_ms_per_message']} ms"
                f" | {rss:.0f} MB |"
            )
    lines.append("")
    lines.append(
        "Stage medians inside the API (ms): "
        + "; ".join(
            f"{setup['setup']} {setup['store']} c={row['api']['concurrency']}: "
            + ", ".join(f"{k} {v}" for k, v in row["api"]["stages_p50_ms"].items())
            for setup in results["setups"]
            for row in setup["rows"]
        )
    )
    ours, plain = results["detection"]["helpline"], results["detection"]["langdetect"]
    lines += ["", "| language | helpline detector | plain langdetect |", "|---|---|---|"]
    for language in ours["accuracy"]:
        lines.append(f"| {language} | {ours['accuracy'][language]:.1%} | {plain['accuracy'][language]:.1%} |")
    lines.append(f"| median time per message | {ours['median_us']} µs | {plain['median_us']} µs |")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--workers", type=int, default=3, help="worker processes of the scaled-out setup")
    parser.add_argument("--only", choices=SETUP_NAMES, help="run one setup (and the language detection)")
    arguments = parser.parse_args()
    outcome = asyncio.run(main(arguments.messages, arguments.workers, arguments.only))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pipeline.json").write_text(json.dumps(outcome, indent=2), encoding="utf-8")
    print(summary(outcome))
