"""Two application processes on one PostgreSQL behave as one: a migrant's message received by one
worker reaches, live, a console connected to the other (PostgreSQL LISTEN/NOTIFY)."""

import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.console.users import create_user
from bot.nlu.server import free_port
from bot.store.db import make_engine, migrate, session_factory
from tests.servers import serving

HELPLINE = Path(sys.executable).with_name("helpline")
PASSWORD = "correct horse battery"


def fake_rasa_app() -> Starlette:
    async def status(request):
        return JSONResponse({"model_file": "fake.tar.gz"})

    async def parse(request):
        text = (await request.json())["text"]
        return JSONResponse({"text": text, "intent": {"name": "greet", "confidence": 0.95}})

    return Starlette(routes=[Route("/status", status), Route("/model/parse", parse, methods=["POST"])])


def start_worker(database_url: str, rasa_url: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "RASA_URL": rasa_url, "CONSOLE_SECRET_KEY": "shared-secret"}
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(HELPLINE), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=output
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"worker did not start: {log.read_text()[-2000:]}")


@pytest.fixture
def two_workers(postgresql_url, tmp_path):
    engine = make_engine(postgresql_url)
    migrate(engine)
    sessions = session_factory(engine)
    with engine.begin() as connection:
        for table in ("audit_log", "case_notes", "messages", "cases", "conversations", "lawyers"):
            connection.exec_driver_sql(f"DELETE FROM {table}")
    create_user(sessions, "aida", "Aida", "supervisor", PASSWORD, [], [])
    with serving(fake_rasa_app()) as rasa_url:
        workers = [start_worker(postgresql_url, rasa_url, tmp_path / f"worker{n}.log") for n in range(2)]
        try:
            yield [url for _, url in workers]
        finally:
            for process, _ in workers:
                process.terminate()
                process.wait(timeout=30)
            engine.dispose()


def test_a_message_on_one_worker_appears_live_in_a_console_on_the_other(two_workers):
    worker_a, worker_b = two_workers
    console = httpx.Client(base_url=worker_b, timeout=30)
    login_page = console.get("/console/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', login_page).group(1)
    assert (
        console.post("/console/login", data={"username": "aida", "password": PASSWORD, "csrf": csrf}).status_code == 303
    )

    events: queue.Queue[str] = queue.Queue()
    connected = threading.Event()

    def listen():
        with console.stream("GET", "/console/events") as stream:
            for line in stream.iter_lines():
                if line.startswith(": connected"):
                    connected.set()
                if line.startswith("data:"):
                    events.put(line)
                    return

    threading.Thread(target=listen, daemon=True).start()
    assert connected.wait(15)
    reply = httpx.post(f"{worker_a}/api/chat", json={"session": "two-workers-1", "text": "hello"}, timeout=30)
    assert reply.status_code == 200
    event = events.get(timeout=15)
    assert '"kind": "message"' in event
    console.close()
