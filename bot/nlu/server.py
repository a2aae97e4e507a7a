"""An embedded Rasa server on a free loopback port, for when no RASA_URL is configured."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import sys
from pathlib import Path

from bot.nlu.client import RasaClient
from bot.paths import Paths

log = logging.getLogger(__name__)

STARTUP_TIMEOUT = 240.0


def die_with_parent() -> None:
    """In the child before exec (Linux): the kernel sends SIGTERM when the parent dies, so a killed
    helpline leaves no Rasa holding memory and a port."""
    import ctypes
    import signal

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RasaStartError(RuntimeError):
    pass


class EmbeddedRasa:
    """Starts ``rasa run --enable-api`` on a model, restarts it if it dies, stops it on exit."""

    def __init__(self, paths: Paths, model: Path, port: int | None = None):
        self.paths = paths
        self.model = model
        self.port = port or free_port()
        self._process: asyncio.subprocess.Process | None = None
        self._watcher: asyncio.Task | None = None
        self._stopping = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, timeout: float = STARTUP_TIMEOUT) -> None:
        await self._spawn()
        await self._wait_ready(timeout)
        self._watcher = asyncio.create_task(self._watch())

    async def _spawn(self) -> None:
        self.paths.state.mkdir(parents=True, exist_ok=True)
        log_file = (self.paths.state / "rasa.log").open("ab")
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "SANIC_NO_UVLOOP": "true"}
        env.pop("PYTHONPATH", None)
        self._process = await asyncio.create_subprocess_exec(
            str(self.paths.rasa_executable()), "run", "--enable-api",
            "--model", str(self.model),
            "--interface", "127.0.0.1", "--port", str(self.port),
            cwd=self.paths.nlu, stdout=log_file, stderr=log_file, env=env,
            start_new_session=True,
            preexec_fn=die_with_parent if sys.platform == "linux" else None,
        )  # fmt: skip
        log_file.close()
        log.info("started Rasa (pid %s) on %s", self._process.pid, self.url)

    async def _wait_ready(self, timeout: float) -> None:
        client = RasaClient(self.url, timeout=2.0)
        try:
            deadline = asyncio.get_running_loop().time() + timeout
            while asyncio.get_running_loop().time() < deadline:
                if self._process is None or self._process.returncode is not None:
                    raise RasaStartError(f"Rasa exited during start-up; see {self.paths.state / 'rasa.log'}")
                status = await client.status()
                if status == "ready":
                    return
                if status == "no model":  # Rasa loads the model before it serves: this load failed
                    raise RasaStartError(f"Rasa could not load {self.model.name}; see {self.paths.state / 'rasa.log'}")
                await asyncio.sleep(0.5)
        finally:
            await client.aclose()
        raise RasaStartError(f"Rasa was not ready after {timeout:.0f} s")

    async def _watch(self) -> None:
        while not self._stopping:
            assert self._process is not None
            code = await self._process.wait()
            if self._stopping:
                return
            log.error("Rasa exited with code %s; restarting it", code)
            await asyncio.sleep(1.0)
            with contextlib.suppress(RasaStartError):
                await self._spawn()
                await self._wait_ready(STARTUP_TIMEOUT)

    async def stop(self) -> None:
        self._stopping = True
        if self._watcher:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        process = self._process
        if process and process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()
