"""Benchmark: the HTTP client around each call to Rasa. The same parses through the application's
RasaClient (aiohttp) and through httpx, on a real Rasa server, one after another: median latency
and this process's CPU per call.

    .venv/bin/python -m bench.rasa_client [--calls 300]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import time

import httpx

from bot.nlu.client import RasaClient
from bot.nlu.server import EmbeddedRasa
from bot.nlu.training import ensure_model
from bot.paths import Paths
from bot.training_data import read_examples


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def timed(call, texts: list[str]) -> dict[str, float]:
    for text in texts[:20]:  # warm up: connections, Rasa's first parses
        await call(text)
    latencies, started_cpu = [], cpu_seconds()
    for text in texts:
        started = time.perf_counter()
        await call(text)
        latencies.append(time.perf_counter() - started)
    return {
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "cpu_ms_per_call": round((cpu_seconds() - started_cpu) / len(texts) * 1000, 2),
    }


async def main(calls: int) -> dict[str, dict[str, float]]:
    paths = Paths.default()
    texts = [example.text for example in read_examples(paths.heldout)][:calls]
    rasa = EmbeddedRasa(paths, ensure_model(paths))
    await rasa.start()
    try:
        client = RasaClient(rasa.url)
        ours = await timed(client.parse, texts)
        await client.aclose()
        async with httpx.AsyncClient(base_url=rasa.url) as plain:

            async def with_httpx(text: str) -> None:
                (await plain.post("/model/parse", json={"text": text})).json()

            other = await timed(with_httpx, texts)
        return {"RasaClient (aiohttp)": ours, "httpx": other}
    finally:
        await rasa.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    rows = asyncio.run(main(parser.parse_args().calls))
    print("| client | p50 per parse | CPU per parse (this process) |")
    print("|---|---|---|")
    for name, row in rows.items():
        print(f"| {name} | {row['p50_ms']} ms | {row['cpu_ms_per_call']} ms |")
