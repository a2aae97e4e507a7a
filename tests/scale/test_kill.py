"""Losing a worker and an NLU server in the middle of a burst loses no message and answers none twice.

Three application workers run behind a load balancer, on two Rasa servers and one PostgreSQL. A
bounded burst of web chat messages and Telegram updates goes through the balancer; when a third of
them have been acknowledged, at the worst moment (just after worker 1 acknowledged a Telegram
update it has not answered yet), worker 1 and one Rasa server are killed outright (SIGKILL: no
graceful shutdown, no claims handed back). The survivors must then answer every message exactly
once: the ones the dead worker had stored but not answered through their sweeps (after the claim's
lease lapses), the ones in flight through the balancer's retry (and the senders' own resends) on
another worker, which must recognise them by their ids and not store them twice.

Every piece is the real one, because each is where a message could be lost or doubled:

- HAProxy from Debian's packages, configured as a deployment would be: it health-checks /readyz,
  and re-sends a request whose server died before answering (``retry-on``), which is safe only
  because the webhook dedupes by Telegram's update_id and the web chat by the page's own id;
- three ``helpline serve`` OS processes, each killable on its own;
- two real Rasa servers on the trained model (RASA_URL names both; the client fails over);
- the real PostgreSQL: the claims, leases and the unique external ids that catch redeliveries
  are its transactions and constraints;
- Telegram through the project's real client library (python-telegram-bot) in webhook mode,
  talking to a local fake of the Bot API that records every sendMessage.

Each message is its own conversation (a web session, a Telegram chat), so the assertions are exact:
one inbound row and one reply per conversation, and one delivery per Telegram chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text

from bot.channels.telegram import MESSAGE_LIMIT
from bot.channels.text import split_message
from bot.nlu.publishing import published_model
from bot.nlu.server import EmbeddedRasa, free_port
from bot.nlu.training import ensure_model
from bot.store.db import make_engine, migrate, session_factory
from bot.store.models import Conversation, Message
from bot.training_data import read_examples
from tests.channels.fakes import FakeBotApi
from tests.channels.test_telegram import update as telegram_update
from tests.servers import serving

pytestmark = pytest.mark.rasa

HELPLINE = Path(sys.executable).with_name("helpline")
# Debian puts it in /usr/sbin, which an unprivileged user's PATH may lack
HAPROXY = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/sbin")

WEB_MESSAGES = 90
TELEGRAM_MESSAGES = 90
REDELIVERED = 5  # per channel: acknowledged messages sent again, as after a lost acknowledgement
CONCURRENCY = 8  # requests in flight at once, as a few busy pages and Telegram's webhook would
KILL_AFTER = (WEB_MESSAGES + TELEGRAM_MESSAGES) // 3  # acknowledgements before the kill
# ... and the kill lands just after worker 1 acknowledged a Telegram update: the update is stored,
# its answer (a Rasa parse, then sendMessage) still running in the background. If no such moment
# comes, the worker is killed all the same after this many acknowledgements.
KILL_AT_THE_LATEST = KILL_AFTER + 30
MAX_ATTEMPTS = 30  # per message; Telegram retries a failed webhook for much longer
READY_TIMEOUT = 120.0  # a worker's first start may build the language detector's cache
RECOVERY_TIMEOUT = 90.0  # the claim lease is 20 s and every survivor sweeps every 5 s
SEED = 1899

WEBHOOK_SECRET = "scale-webhook-secret"
CONSOLE_SECRET = "scale-console-secret"
FIRST_UPDATE_ID = 700_000
FIRST_CHAT_ID = 880_000


# -- the messages ---------------------------------------------------------------------------------


@dataclass
class Delivery:
    """One message as its sender (a page or Telegram) posts it, and what the balancer answered."""

    channel: str  # "web" or "telegram", as stored in conversations.channel
    sender: str  # the web session, or the Telegram chat id: one conversation per message
    path: str
    body: dict
    headers: dict = field(default_factory=dict)
    outcomes: list = field(default_factory=list)  # HTTP status or transport error, per attempt
    first_sent_at: float | None = None
    acknowledged_at: float | None = None
    response: dict | None = None  # the web chat's 200 response
    served_by: str | None = None  # the worker that acknowledged it (HAProxy's X-Served-By)

    @property
    def retries(self) -> int:
        return max(0, len(self.outcomes) - 1)


def web_delivery(number: int, example) -> Delivery:
    session = f"scale-web-{number:04d}"
    # the page's message id; distinct across sessions too, as a page's 128 random bits are
    body = {"session": session, "text": example.text, "language_hint": example.language, "id": f"msg-{number:04d}"}
    return Delivery("web", session, "/api/chat", body)


def telegram_delivery(number: int, example) -> Delivery:
    chat = FIRST_CHAT_ID + number
    body = telegram_update(FIRST_UPDATE_ID + number, example.text, chat=chat, language_code=example.language)
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    return Delivery("telegram", str(chat), "/webhooks/telegram", body, headers)


def burst_messages(paths) -> list[Delivery]:
    """Held-out examples (texts the model was not trained on), web and Telegram interleaved."""
    rng = random.Random(SEED)
    examples = rng.sample(read_examples(paths.heldout), WEB_MESSAGES + TELEGRAM_MESSAGES)
    deliveries = [web_delivery(n, e) for n, e in enumerate(examples[:WEB_MESSAGES])]
    deliveries += [telegram_delivery(n, e) for n, e in enumerate(examples[WEB_MESSAGES:])]
    rng.shuffle(deliveries)
    return deliveries


async def post_until_acknowledged(client: httpx.AsyncClient, delivery: Delivery, acknowledged: Callable) -> None:
    """Post, and post the very same body again until it is acknowledged with a 200: Telegram
    retries a failed webhook with the same update_id, a page its message with the same id."""
    for attempt in range(MAX_ATTEMPTS):
        if attempt:
            await asyncio.sleep(min(0.25 * attempt, 2.0))
        if delivery.first_sent_at is None:
            delivery.first_sent_at = time.monotonic()
        try:
            response = await client.post(delivery.path, json=delivery.body, headers=delivery.headers)
        except httpx.TransportError as error:
            delivery.outcomes.append(type(error).__name__)
            continue
        delivery.outcomes.append(response.status_code)
        if response.status_code == 200:
            delivery.acknowledged_at = time.monotonic()
            delivery.served_by = response.headers.get("x-served-by")
            if delivery.channel == "web":
                delivery.response = response.json()
            acknowledged(delivery)
            return
        if response.status_code < 500 and response.status_code not in (408, 429):
            return  # refused for good (a bug the assertions name): posting it again would not help


async def send_burst(client: httpx.AsyncClient, deliveries: list[Delivery], acknowledged: Callable) -> None:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(delivery: Delivery) -> None:
        async with gate:
            await post_until_acknowledged(client, delivery, acknowledged)

    await asyncio.gather(*(one(delivery) for delivery in deliveries))


async def redeliver(client: httpx.AsyncClient, deliveries: list[Delivery]) -> list[tuple[Delivery, httpx.Response]]:
    """Post acknowledged messages once more, as a platform does when an acknowledgement was lost."""
    return [(d, await client.post(d.path, json=d.body, headers=d.headers)) for d in deliveries]


# -- the processes --------------------------------------------------------------------------------


@dataclass
class Worker:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, characters: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-characters:] if self.log.exists() else ""


def start_worker(name: str, env: dict, folder: Path) -> Worker:
    """One ``helpline serve`` process with one worker, in a process group of its own: killing the
    group kills exactly that worker."""
    port = free_port()
    log = folder / f"{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(HELPLINE), "serve", "--port", str(port)],
            env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    return Worker(name, port, process, log)


async def wait_until_ready(worker: Worker, timeout: float = READY_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=worker.url, timeout=5) as client:
        while time.monotonic() < deadline:
            if worker.process.poll() is not None:
                raise AssertionError(f"{worker.name} exited with {worker.process.returncode}:\n{worker.log_tail()}")
            with contextlib.suppress(httpx.TransportError):
                if (await client.get("/readyz")).status_code == 200:
                    return
            await asyncio.sleep(0.5)
    raise AssertionError(f"{worker.name} was not ready after {timeout:.0f} s:\n{worker.log_tail()}")


def signal_group(process: subprocess.Popen, number: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, number)


def kill_worker(worker: Worker) -> None:
    """The machine or the container goes away: SIGKILL, nothing runs after it."""
    signal_group(worker.process, signal.SIGKILL)
    worker.process.wait(timeout=10)


def stop_workers(workers: list[Worker]) -> None:
    """SIGTERM to all at once (they stop gracefully in parallel), SIGKILL to any still there."""
    for worker in workers:
        if worker.process.poll() is None:
            signal_group(worker.process, signal.SIGTERM)
    for worker in workers:
        try:
            worker.process.wait(timeout=30)  # uvicorn's graceful shutdown is 20 s
        except subprocess.TimeoutExpired:
            signal_group(worker.process, signal.SIGKILL)
            worker.process.wait(timeout=10)


async def kill_rasa(server: EmbeddedRasa) -> None:
    """Lose the server for good. EmbeddedRasa's watcher restarts a Rasa that dies, so it is
    cancelled first; then the whole process group (start_new_session) gets SIGKILL."""
    if server._watcher is not None:
        server._watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server._watcher
    assert server._process is not None and server._process.returncode is None, "Rasa 1 was not running"
    os.killpg(server._process.pid, signal.SIGKILL)
    await server._process.wait()


async def start_rasa_servers(paths, count: int) -> list[EmbeddedRasa]:
    model = published_model(paths) or ensure_model(paths)
    servers = [EmbeddedRasa(paths, model) for _ in range(count)]
    results = await asyncio.gather(*(server.start() for server in servers), return_exceptions=True)
    failures = [result for result in results if isinstance(result, BaseException)]
    if failures:
        await asyncio.gather(*(server.stop() for server in servers))
        raise failures[0]
    return servers


def haproxy_config(port: int, workers: list[Worker]) -> str:
    servers = "\n".join(f"    server {w.name} 127.0.0.1:{w.port} check inter 500ms fall 2 rise 2" for w in workers)
    # retry-on: a request whose worker died before answering is sent again; "option redispatch 1"
    # sends every retry to another worker, not only the last one. "timeout check": a worker busy
    # with the burst may take over 500 ms (the default, "inter") for /readyz; it is not dead.
    return f"""\
global
    log stdout format raw local0
    maxconn 512

defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout check 2s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout

frontend helpline
    bind 127.0.0.1:{port}
    default_backend workers
    http-response set-header X-Served-By %[srv_name]

backend workers
    balance roundrobin
    option httpchk GET /readyz
{servers}
"""


def stop_haproxy(haproxy: subprocess.Popen) -> None:
    haproxy.terminate()
    try:
        haproxy.wait(timeout=10)
    except subprocess.TimeoutExpired:
        haproxy.kill()
        haproxy.wait(timeout=10)


def start_haproxy(config: Path, log: Path) -> subprocess.Popen:
    checked = subprocess.run([HAPROXY, "-c", "-f", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, f"HAProxy refused its configuration:\n{checked.stdout}\n{checked.stderr}"
    with log.open("wb") as output:
        return subprocess.Popen(
            [HAPROXY, "-f", str(config), "-db"], stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


async def wait_until_balancing(url: str, workers: list[Worker], haproxy: subprocess.Popen) -> None:
    """The frontend answers, and every worker has answered through it (all of them are up)."""
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient(base_url=url, timeout=5) as client:
        while time.monotonic() < deadline:
            assert haproxy.poll() is None, "HAProxy exited at start"
            with contextlib.suppress(httpx.TransportError):
                if (await client.get("/healthz")).status_code == 200 and all(
                    "GET /healthz" in worker.log_tail(100_000) for worker in workers
                ):
                    return
            await asyncio.sleep(0.2)
    raise AssertionError("HAProxy did not send /healthz to every worker within 30 s")


# HAProxy's httplog "%ac/%fc/%bc/%sc/%rc": the last is the retries, "+"-prefixed when redispatched
HAPROXY_RETRIES = re.compile(r" \d+/\d+/\d+/\d+/\+?(\d+) \d+/\d+ ")


def haproxy_retries(log: Path) -> int:
    return sum(int(found) for found in HAPROXY_RETRIES.findall(log.read_text(errors="replace")))


SWEPT = re.compile(r"(\w+): answered (\d+) messages another worker left unanswered")


def swept_by_channel(workers: list[Worker]) -> Counter:
    swept: Counter = Counter()
    for worker in workers:
        for channel, count in SWEPT.findall(worker.log_tail(10_000_000)):
            swept[channel] += int(count)
    return swept


# -- what the store and the Bot API hold ----------------------------------------------------------


@dataclass
class StoredConversation:
    inbound: list[Message] = field(default_factory=list)
    outbound: list[Message] = field(default_factory=list)


def stored_conversations(sessions) -> dict[tuple[str, str], StoredConversation]:
    with sessions() as session:
        rows = session.execute(
            select(Conversation.channel, Conversation.sender, Message)
            .join(Message, Message.conversation_id == Conversation.id)
            .order_by(Message.id)
        )
        conversations: dict[tuple[str, str], StoredConversation] = {}
        for channel, sender, message in rows:
            held = conversations.setdefault((channel, sender), StoredConversation())
            (held.inbound if message.direction == "in" else held.outbound).append(message)
        return conversations


def deliveries_by_chat(fake: FakeBotApi) -> dict[str, list[str]]:
    delivered: dict[str, list[str]] = {}
    for params in fake.sent():
        delivered.setdefault(str(int(params["chat_id"])), []).append(params.get("text", ""))
    return delivered


def expected_parts(reply: str) -> list[str]:
    """What one reply is on Telegram: one sendMessage per part of at most 4096 characters."""
    return split_message(reply, MESSAGE_LIMIT)


async def reply_through_updates(client: httpx.AsyncClient, session: str) -> str | None:
    """A reply a sweep stored for the page, fetched as the page does."""
    response = await client.get("/api/chat/updates", params={"after": "0"}, headers={"X-Chat-Session": session})
    if response.status_code != 200:
        return None
    bot_lines = [line["text"] for line in response.json()["messages"] if line["who"] == "bot"]
    return bot_lines[0] if bot_lines else None


async def wait_for_recovery(
    sessions, fake: FakeBotApi, client: httpx.AsyncClient, chats: list[str], pending: list[str], fetched: dict
) -> bool:
    """Until every inbound message is answered, every Telegram chat has its reply delivered, and
    every page told "pending" has fetched its reply; False after RECOVERY_TIMEOUT."""
    deadline = time.monotonic() + RECOVERY_TIMEOUT
    while time.monotonic() < deadline:
        conversations = await asyncio.to_thread(stored_conversations, sessions)
        unanswered = any(not m.answered for held in conversations.values() for m in held.inbound)
        delivered = deliveries_by_chat(fake)
        undelivered = [chat for chat in chats if chat not in delivered]
        for session in pending:
            if session not in fetched and (reply := await reply_through_updates(client, session)):
                fetched[session] = reply
        if not unanswered and not undelivered and all(session in fetched for session in pending):
            await asyncio.sleep(2.0)  # deliveries already begun land, so that a double one is seen
            return True
        await asyncio.sleep(0.5)
    return False


# -- the verdicts ---------------------------------------------------------------------------------


@dataclass
class Kill:
    """When worker 1 and Rasa 1 were killed, and what had just happened."""

    at: float | None = None
    acknowledged_before: int = 0
    trigger: str = ""
    # sendMessage calls the fake had received half a second after the kill: worker 1's last ones
    # are among them, and no survivor re-sends anything that soon (a claim lasts 20 s)
    delivered_by_then: int = 0


@dataclass
class Outcome:
    web: list[Delivery]
    telegram: list[Delivery]
    conversations: dict[tuple[str, str], StoredConversation]
    delivered: dict[str, list[str]]  # Telegram chat -> the texts of its successful sendMessage calls
    fetched: dict[str, str]  # web session told "pending" -> the reply it then fetched
    redelivered: list[tuple[Delivery, httpx.Response]]
    resent_at_the_kill: set[str]  # Telegram chats whose reply was in flight when worker 1 died

    def reply_to(self, channel: str, sender: str) -> str:
        return self.conversations[(channel, sender)].outbound[0].text


def assert_the_kill_happened_mid_burst(kill: Kill, worker: Worker, rasa_reachable: bool, figures: dict, logs: str):
    """So that the test cannot pass vacuously: both were killed, while there was work to lose."""
    assert kill.at is not None, "the kill never happened: too few messages were acknowledged" + logs
    assert worker.process.returncode == -signal.SIGKILL, f"worker 1 ended {worker.process.returncode}" + logs
    assert not rasa_reachable, "Rasa 1 still answers after its kill (its watcher restarted it?)" + logs
    assert figures["requests worker 1 served before it died"] > 0, "the balancer never used worker 1" + logs
    assert figures["first sent after the kill"] >= figures["all sent"] // 3, "too few messages after the kill" + logs
    swept = sum(figures["answered by sweeps (survivors' logs)"].values())
    assert swept >= 1, "the kill interrupted no work: the survivors' sweeps had nothing to do" + logs


def assert_nothing_lost(outcome: Outcome, logs: str) -> None:
    """One stored inbound row per message sent, and no other."""
    for channel, sent in (("web", outcome.web), ("telegram", outcome.telegram)):
        stored = {sender for kind, sender in outcome.conversations if kind == channel}
        senders = {d.sender for d in sent}
        assert stored == senders, (
            f"{channel}: lost {sorted(senders - stored)[:5]}, unexpected {sorted(stored - senders)[:5]}" + logs
        )
        rows = {d.sender: len(outcome.conversations[(channel, d.sender)].inbound) for d in sent}
        doubled = {sender: count for sender, count in rows.items() if count != 1}
        assert not doubled, (
            f"{channel}: {sum(rows.values())} inbound rows for {len(sent)} messages; "
            f"stored more than once: {dict(list(doubled.items())[:5])}" + logs
        )
    update_ids = sorted(outcome.conversations[("telegram", d.sender)].inbound[0].external_id for d in outcome.telegram)
    assert update_ids == sorted(str(d.body["update_id"]) for d in outcome.telegram), "update ids differ" + logs


def resent_after_the_kill(sent: list[dict], delivered_by_then: int) -> set[str]:
    """Chats whose reply worker 1 sent just before it died, before it could record the send: a
    survivor's sweep sends such a stored reply again (at least once, never lost). Recognised by
    their first sendMessage reaching the fake by half a second after the kill and the second
    after; no survivor re-sends anything so soon."""
    first_seen: dict[str, int] = {}
    resent = set()
    for index, params in enumerate(sent):
        chat = str(int(params["chat_id"]))
        if chat in first_seen and first_seen[chat] < delivered_by_then <= index:
            resent.add(chat)
        first_seen.setdefault(chat, index)
    return resent


def assert_nothing_answered_twice(outcome: Outcome, logs: str) -> None:
    """One reply per conversation, and on Telegram one delivery of it: one sendMessage per part.
    The one exception is a reply in flight when its worker was killed (see resent_after_the_kill):
    delivered to the platform, the worker dead before recording it, sent once more by a survivor.
    No platform call can be made exactly once across a crash; a reply sent twice beats one lost."""
    not_once = {f"{c}:{s}": len(held.outbound) for (c, s), held in outcome.conversations.items()}
    not_once = {key: count for key, count in not_once.items() if count != 1}
    assert not not_once, f"conversations without exactly one reply: {dict(list(not_once.items())[:8])}" + logs
    in_flight = outcome.resent_at_the_kill
    assert len(in_flight) <= CONCURRENCY, f"too many replies sent twice for one kill: {sorted(in_flight)}" + logs
    wrong = {
        d.sender: len(outcome.delivered.get(d.sender, []))
        for d in outcome.telegram
        if outcome.delivered.get(d.sender, [])
        != expected_parts(outcome.reply_to("telegram", d.sender)) * (2 if d.sender in in_flight else 1)
    }
    assert not wrong, (
        f"Telegram chats whose sendMessage calls are not their one stored reply (chat: calls): "
        f"{dict(list(wrong.items())[:8])}" + logs
    )
    strangers = sorted(set(outcome.delivered) - {d.sender for d in outcome.telegram})
    assert not strangers, f"sendMessage to chats that never wrote: {strangers[:5]}" + logs


def assert_every_message_answered(outcome: Outcome, logs: str) -> None:
    """Every inbound row answered; every page got the one stored reply, in its response or, when
    told "pending", through /api/chat/updates; a message sent again got the same reply."""
    unanswered = [key for key, held in outcome.conversations.items() if any(not m.answered for m in held.inbound)]
    assert not unanswered, f"{len(unanswered)} inbound messages left unanswered: {unanswered[:5]}" + logs
    for d in outcome.web:
        stored = outcome.reply_to("web", d.sender)
        got = outcome.fetched.get(d.sender) if d.response.get("action") == "pending" else d.response.get("reply")
        assert got == stored, f"web {d.sender} got {got!r:.80} ({d.response!r:.200}), stored {stored!r:.80}" + logs
    for d, response in outcome.redelivered:
        assert response.status_code == 200, f"{d.channel} {d.sender} sent again: {response.status_code}" + logs
        if d.channel == "web":
            again = response.json().get("reply")
            assert again == d.response["reply"], (
                f"web {d.sender} sent again with id {d.body['id']} got {again!r:.80}, not its first reply" + logs
            )


# -- the test -------------------------------------------------------------------------------------


@pytest.mark.skipif(HAPROXY is None, reason="HAProxy is not installed (make test installs Debian's haproxy)")
async def test_killing_a_worker_and_a_rasa_server_mid_burst_loses_nothing_and_answers_once(
    paths, postgresql_url, tmp_path
):
    engine = make_engine(postgresql_url)
    migrate(engine)  # once, before three workers start on the same fresh database
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE conversations, messages RESTART IDENTITY CASCADE"))
    sessions = session_factory(engine)
    deliveries = burst_messages(paths)
    web = [d for d in deliveries if d.channel == "web"]
    telegram = [d for d in deliveries if d.channel == "telegram"]
    balancer_port = free_port()
    balancer_url = f"http://127.0.0.1:{balancer_port}"
    haproxy_log = tmp_path / "haproxy.log"
    started = time.monotonic()

    async with contextlib.AsyncExitStack() as stack:
        stack.callback(engine.dispose)
        rasa_one, rasa_two = await start_rasa_servers(paths, 2)
        stack.push_async_callback(rasa_two.stop)
        stack.push_async_callback(rasa_one.stop)

        fake = FakeBotApi()
        fake.url = stack.enter_context(serving(fake.app()))
        env = {name: value for name, value in os.environ.items() if not name.startswith("WHATSAPP_")}
        env |= {
            "DATABASE_URL": postgresql_url,
            "RASA_URL": f"{rasa_one.url},{rasa_two.url}",
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_URL": f"{fake.url}/bot",
            "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "PUBLIC_URL": balancer_url,  # webhook mode: Telegram would post to the balancer
            "CONSOLE_SECRET_KEY": CONSOLE_SECRET,
        }
        workers = [start_worker(f"worker{n}", env, tmp_path) for n in (1, 2, 3)]
        stack.callback(stop_workers, workers)
        await asyncio.gather(*(wait_until_ready(worker) for worker in workers))

        config = tmp_path / "haproxy.cfg"
        config.write_text(haproxy_config(balancer_port, workers))
        haproxy = start_haproxy(config, haproxy_log)
        stack.callback(stop_haproxy, haproxy)
        await wait_until_balancing(balancer_url, workers, haproxy)
        client = await stack.enter_async_context(httpx.AsyncClient(base_url=balancer_url, timeout=45))
        ready_at = time.monotonic()

        # -- the burst, and the kill a third of the way through it
        kill, kill_now, acknowledged = Kill(), asyncio.Event(), Counter()

        def on_acknowledged(delivery: Delivery) -> None:
            acknowledged["all"] += 1
            worst_moment = delivery.channel == "telegram" and delivery.served_by == workers[0].name
            due = acknowledged["all"] >= KILL_AFTER and (worst_moment or acknowledged["all"] >= KILL_AT_THE_LATEST)
            if kill.at is None and due:
                # at once, in this callback: a moment later the update may be answered already
                kill.at, kill.acknowledged_before = time.monotonic(), acknowledged["all"]
                kill.trigger = f"{delivery.channel} {delivery.sender} acknowledged by {delivery.served_by}"
                kill_worker(workers[0])
                kill_now.set()

        async def kill_in_the_middle() -> None:
            await kill_now.wait()
            await asyncio.sleep(0.5)
            kill.delivered_by_then = len(fake.sent())
            await kill_rasa(rasa_one)

        killing = asyncio.create_task(kill_in_the_middle())
        await send_burst(client, deliveries, on_acknowledged)
        if not kill_now.is_set():  # too few acknowledgements: the assertions below say so
            killing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await killing
        burst_done = time.monotonic()

        # -- lost acknowledgements: the same messages once more, after the kill
        answered_web = [d for d in web if d.response and d.response.get("reply")][:REDELIVERED]
        redelivered = await redeliver(client, answered_web + telegram[:REDELIVERED])

        pending = [d.sender for d in web if d.response and d.response.get("action") == "pending"]
        fetched: dict[str, str] = {}
        recovered = await wait_for_recovery(sessions, fake, client, [d.sender for d in telegram], pending, fetched)
        recovered_at = time.monotonic()

        conversations = stored_conversations(sessions)
        delivered = deliveries_by_chat(fake)
        worker_one_served = sum(
            line.count("POST /api/chat") + line.count("POST /webhooks/telegram")
            for line in workers[0].log_tail(10_000_000).splitlines()
        )
        async with httpx.AsyncClient(timeout=2) as probe:
            try:
                await probe.get(f"{rasa_one.url}/status")
                rasa_one_reachable = True
            except httpx.TransportError:
                rasa_one_reachable = False
        swept = swept_by_channel(workers[1:])

    # -- the figures, printed and attached to every assertion
    web_swept = sum(
        1 for (channel, _), held in conversations.items() if channel == "web" for m in held.outbound if m.status
    )
    resent = resent_after_the_kill(fake.sent(), kill.delivered_by_then)
    figures = {
        "replies in flight at the kill, sent again by a sweep": len(resent),
        "web messages sent": len(web),
        "telegram updates sent": len(telegram),
        "acknowledged before the kill": kill.acknowledged_before,
        "killed just after": kill.trigger,
        "acknowledged by": dict(Counter(str(d.served_by) for d in deliveries)),
        "first sent after the kill": sum(1 for d in deliveries if kill.at and d.first_sent_at > kill.at),
        "requests worker 1 served before it died": worker_one_served,
        "all sent": len(deliveries),
        "client retries": sum(d.retries for d in deliveries),
        "why the client retried": dict(Counter(str(o) for d in deliveries for o in d.outcomes if o != 200)),
        "haproxy retries": haproxy_retries(haproxy_log),
        "redeliveries": len(redelivered),
        "web answered 'pending'": len(pending),
        "web replies stored by a sweep": web_swept,
        "answered by sweeps (survivors' logs)": dict(swept),
        "recovered": recovered,
        "start-up s": round(ready_at - started, 1),
        "burst s": round(burst_done - ready_at, 1),
        "kill to full recovery s": round(recovered_at - kill.at, 1) if kill.at and recovered else None,
    }
    report = json.dumps(figures, ensure_ascii=False, indent=1)
    print(f"\nscale test figures:\n{report}")
    (tmp_path / "figures.json").write_text(report)
    logs = f"\nfigures: {report}\nlogs in {tmp_path}"

    assert_the_kill_happened_mid_burst(kill, workers[0], rasa_one_reachable, figures, logs)
    unacknowledged = [(d.channel, d.sender, d.outcomes) for d in deliveries if d.acknowledged_at is None]
    assert not unacknowledged, f"{len(unacknowledged)} never acknowledged: {unacknowledged[:5]}" + logs
    outcome = Outcome(web, telegram, conversations, delivered, fetched, redelivered, resent)
    assert_nothing_lost(outcome, logs)
    assert_nothing_answered_twice(outcome, logs)
    assert_every_message_answered(outcome, logs)
    assert recovered, f"the survivors did not answer everything within {RECOVERY_TIMEOUT:.0f} s" + logs
