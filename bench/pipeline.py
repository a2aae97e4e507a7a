"""Benchmark: the web chat API against raw Rasa /model/parse, and our language detection against
plain langdetect, in one run on the same model and the same held-out messages.

    .venv/bin/python -m bench.pipeline [--messages 300]

Writes bench/results/pipeline.json and prints a Markdown summary. Figures are medians and ratios:
these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from langdetect import DetectorFactory
from langdetect import detect as plain_detect

from bot.helpline import Content
from bot.nlu.server import EmbeddedRasa, free_port
from bot.nlu.training import ensure_model
from bot.paths import Paths
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


async def main(count: int) -> dict:
    paths = Paths.default()
    examples = read_examples(paths.heldout)
    random.Random(7).shuffle(examples)
    sample = examples[:count]
    rasa = EmbeddedRasa(paths, ensure_model(paths))
    await rasa.start()
    port = free_port()
    database = Path(tempfile.mkdtemp()) / "bench.db"
    env = {**os.environ, "RASA_URL": rasa.url, "DATABASE_URL": f"sqlite:///{database}"}
    if os.environ.get("BENCH_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    app = subprocess.Popen(
        [str(Path(sys.executable).with_name("helpline")), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(600):
                try:
                    if (await client.get(f"{url}/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.2)
        results: dict = {"messages": count, "api": [], "raw_rasa": []}
        for concurrency in (1, 32):
            chats = [{"_path": "/api/chat", "session": uuid.uuid4().hex, "text": e.text} for e in sample]
            parses = [{"_path": "/model/parse", "text": e.text} for e in sample]
            results["raw_rasa"].append(await load(rasa.url, parses, concurrency))
            results["api"].append(await load(url, chats, concurrency))
        results["detection"] = detection_benchmark(paths, examples)
        return results
    finally:
        app.terminate()
        app.wait(timeout=30)
        await rasa.stop()


def summary(results: dict) -> str:
    lines = [
        "| concurrency | web chat API p50 / p99 | raw Rasa p50 / p99 | API msgs/s | Rasa msgs/s | p50 ratio |",
        "|---|---|---|---|---|---|",
    ]
    for api, raw in zip(results["api"], results["raw_rasa"], strict=True):
        lines.append(
            f"| {api['concurrency']} | {api['p50_ms']} / {api['p99_ms']} ms | {raw['p50_ms']} / {raw['p99_ms']} ms"
            f" | {api['throughput_per_s']} | {raw['throughput_per_s']} | {api['p50_ms'] / raw['p50_ms']:.2f}× |"
        )
    lines.append("")
    lines.append(
        "Stage medians inside the API (ms): "
        + "; ".join(
            f"c={api['concurrency']}: " + ", ".join(f"{k} {v}" for k, v in api["stages_p50_ms"].items())
            for api in results["api"]
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
    arguments = parser.parse_args()
    outcome = asyncio.run(main(arguments.messages))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pipeline.json").write_text(json.dumps(outcome, indent=2), encoding="utf-8")
    print(summary(outcome))
