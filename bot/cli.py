"""The `helpline` command: serve, chat, ask, train, db."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sys
import threading
import uuid
from collections.abc import Iterable, Iterator

from bot.helpline import Helpline, Inbound, Reply
from bot.paths import MissingRuntime, Paths
from bot.runtime import Settings, running_helpline

log = logging.getLogger("helpline")


def _print_reply(reply: Reply) -> None:
    print(reply.text)
    for number, button in enumerate(reply.buttons, start=1):
        print(f"  [{number}] {button.label}")


async def chat() -> None:
    """A terminal conversation; typing a button's number presses it."""
    async with running_helpline() as helpline:
        sender = f"terminal-{uuid.uuid4().hex[:12]}"
        buttons: tuple = ()
        print("Type your message (Ctrl-D to quit).")
        while True:
            try:
                line = await asyncio.to_thread(input, "> ")
            except EOFError:
                print()
                return
            if line.strip().isdigit() and 0 < int(line) <= len(buttons):
                line = buttons[int(line) - 1].payload
            reply = await helpline.handle(Inbound("terminal", sender, line))
            if reply is not None:
                buttons = reply.buttons
                _print_reply(reply)


async def _ask_each(helpline: Helpline, texts: Iterable[str], as_json: bool) -> None:
    for text in texts:
        # every line is a new, independent conversation
        reply = await helpline.handle(Inbound("cli", f"ask-{uuid.uuid4().hex}", text))
        if reply is None:
            continue
        if as_json:
            sys.stdout.write(json.dumps(reply.as_json(), ensure_ascii=False) + "\n")
        else:
            _print_reply(reply)
        sys.stdout.flush()


def _stdin_lines() -> Iterable[str]:
    stream = open(sys.stdin.fileno(), encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    for line in stream:
        yield line.rstrip("\r\n")


async def ask(text: str, as_json: bool) -> None:
    async with running_helpline() as helpline:
        texts = _stdin_lines() if text == "-" else [text]
        await _ask_each(helpline, texts, as_json)


# How long a stopping worker waits for the requests it is serving (uvicorn's graceful shutdown).
GRACEFUL_SECONDS = 20


class ServeRefused(RuntimeError):
    """The settings do not allow what was asked (several workers on SQLite, for one)."""


def serve(host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    settings = Settings.from_env()
    if workers > 1:
        refusal = several_workers_refusal(settings, os.environ)
        if refusal:
            raise ServeRefused(refusal)
    log.info("NLU: %s", settings.rasa_url or "embedded Rasa server")
    log.info("database: %s", "DATABASE_URL" if settings.database_url else "SQLite (var/helpline.db)")
    log.info("web chat at http://%s:%s/ (%d worker%s)", host, port, workers, "s" if workers > 1 else "")
    options = {"host": host, "port": port, "log_level": "info", "timeout_graceful_shutdown": GRACEFUL_SECONDS}
    if workers == 1:
        from bot.channels.running import running_channels
        from bot.web.app import create_app

        uvicorn.run(create_app(running_helpline, running_channels), **options)
        return
    # Several processes share one Rasa server (started here unless RASA_URL names some) and one
    # PostgreSQL; uvicorn's supervisor restarts a worker that dies.
    with rasa_for_workers(Paths.default(), settings.rasa_url) as rasa_url:
        os.environ["RASA_URL"] = rasa_url
        uvicorn.run("bot.web.app:app_from_env", factory=True, workers=workers, **options)


def several_workers_refusal(settings: Settings, env) -> str | None:
    """Why several workers cannot run with these settings; None when they can. (Telegram without a
    public URL is no reason: the workers elect one poller, bot/channels/leadership.py.)"""
    if not settings.database_url:
        # every worker must see every other's writes at once (console updates go by LISTEN/NOTIFY)
        return "--workers above 1 needs PostgreSQL: set DATABASE_URL"
    return None


@contextlib.contextmanager
def rasa_for_workers(paths: Paths, rasa_url: str | None) -> Iterator[str]:
    """RASA_URL when set; otherwise one embedded Rasa server, run from this (the supervising)
    process on an event loop of its own, for all the workers."""
    if rasa_url:
        yield rasa_url
        return
    from bot.nlu.publishing import published_model
    from bot.nlu.server import EmbeddedRasa
    from bot.nlu.training import ensure_model

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="embedded-rasa", daemon=True)
    thread.start()
    server = EmbeddedRasa(paths, published_model(paths) or ensure_model(paths))
    asyncio.run_coroutine_threadsafe(server.start(), loop).result()
    try:
        yield server.url
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(timeout=60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)


def train(tolerance: float, by: str | None = None) -> int:
    """Train if the inputs changed, evaluate on the held-out examples, publish if no language got worse."""
    from bot.nlu import runs

    paths = Paths.default()
    try:
        with runs.exclusive(paths):
            runs.record(paths, runs.RUNNING, by)
            try:
                outcome, lines = _train_and_publish(paths, tolerance)
            except Exception as error:
                runs.record(paths, runs.FAILED, lines=[f"{type(error).__name__}: {error}"[-2000:]])
                raise
            runs.record(paths, outcome, lines=lines)
    except runs.Busy as busy:
        print(f"helpline: {busy}", file=sys.stderr)
        return 3
    for line in lines:
        print(line, file=sys.stderr if outcome == runs.REFUSED else sys.stdout)
    return 1 if outcome == runs.REFUSED else 0


def _train_and_publish(paths: Paths, tolerance: float) -> tuple[str, list[str]]:
    from bot.nlu import runs
    from bot.nlu.publishing import baseline, gate, publish, published
    from bot.nlu.training import ensure_model
    from bot.profile import load_profile

    model = ensure_model(paths)
    current = published(paths)
    if current is not None and current["model"] == model.name:
        return runs.UNCHANGED, [f"{model} is published"]
    report = asyncio.run(evaluate_model(paths, model))
    lines = [f"{language}: {figures['accuracy']:.1%} of {figures['examples']} held-out examples"
             for language, figures in report.items()]  # fmt: skip
    before = baseline(paths, current, lambda previous: asyncio.run(evaluate_model(paths, previous)))
    verdict = gate(report, before, tolerance, served=load_profile(paths.profile).languages)
    if not verdict.accepted:
        against = f"worse than {current['model']}" if current else "short of the gate"
        return runs.REFUSED, [*lines, f"not published, {against}:", *verdict.reasons]
    publish(paths, model, report)
    return runs.PUBLISHED, [*lines, f"{model} is published"]


async def evaluate_model(paths: Paths, model) -> dict:
    """Held-out accuracy of ``model``, with a report and confusion pictures beside it."""
    from bot.nlu.client import RasaClient
    from bot.nlu.evaluation import as_record, confusion_svg, evaluate
    from bot.nlu.server import EmbeddedRasa
    from bot.training_data import read_examples

    server = EmbeddedRasa(paths, model)
    await server.start()
    client = RasaClient(server.url)
    try:
        result = await evaluate(read_examples(paths.heldout), client.parse)
    finally:
        await client.aclose()
        await server.stop()
    record = as_record(result)
    stem = model.name.removesuffix(".tar.gz")
    (paths.models / f"{stem}.report.md").write_text(result.as_markdown(), encoding="utf-8")
    (paths.models / f"{stem}.report.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
    for language in record:
        (paths.models / f"{stem}.{language}.svg").write_text(confusion_svg(record, language), encoding="utf-8")
    return record


def rollback() -> int:
    from bot.nlu.publishing import rollback as rollback_model

    previous = rollback_model(Paths.default())
    if previous is None:
        print("helpline: there is no earlier published version", file=sys.stderr)
        return 1
    print(f"published again: {previous['model']}")
    return 0


def db_upgrade() -> None:
    from bot.store.db import default_url, make_engine, migrate

    settings = Settings.from_env()
    migrate(make_engine(settings.database_url or default_url(Paths.default().state)))
    print("database schema is up to date")


def users_add(arguments: argparse.Namespace) -> int:
    """Create a console user; the password comes from the terminal or, with --password-stdin, a pipe."""
    import getpass

    from bot.console.users import UserError, create_user
    from bot.store.db import default_url, make_engine, migrate, session_factory

    if arguments.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Again: "):
            print("helpline: the passwords differ", file=sys.stderr)
            return 2
    from bot.profile import load_profile

    profile = load_profile(Paths.default().profile)
    known = [organization.id for organization in profile.organizations]
    if arguments.organization and arguments.organization not in known:
        print(f"helpline: unknown organisation; the profile lists: {', '.join(known) or 'none'}", file=sys.stderr)
        return 2
    # the first organisation is stored as none, like the cases routed to it
    organization = None if not known or arguments.organization in (None, known[0]) else arguments.organization
    settings = Settings.from_env()
    engine = make_engine(settings.database_url or default_url(Paths.default().state))
    migrate(engine)
    try:
        create_user(
            session_factory(engine), arguments.username, arguments.name or arguments.username, arguments.role,
            password, _codes(arguments.languages), _codes(arguments.topics), organization, _codes(arguments.reads),
        )  # fmt: skip
    except UserError as error:
        print(f"helpline: {error}", file=sys.stderr)
        return 2
    print(f"created {arguments.role} {arguments.username}")
    return 0


def users_unlock(username: str) -> int:
    """An administrator's answer to a lock-out someone caused by guessing a lawyer's password."""
    from bot.console.users import unlock
    from bot.store.db import default_url, make_engine, migrate, session_factory

    engine = make_engine(Settings.from_env().database_url or default_url(Paths.default().state))
    migrate(engine)
    if not unlock(session_factory(engine), username):
        print(f"helpline: no user named {username!r}", file=sys.stderr)
        return 2
    print(f"unlocked {username}")
    return 0


def purge(days: int | None) -> None:
    """Erase conversations past the retention period (run daily, e.g. from cron)."""
    import datetime as dt
    import os

    from bot.privacy import DEFAULT_RETENTION_DAYS
    from bot.privacy import purge as purge_conversations
    from bot.store.db import default_url, make_engine, migrate, session_factory

    days = days if days is not None else int(os.environ.get("RETENTION_DAYS", DEFAULT_RETENTION_DAYS))
    settings = Settings.from_env()
    engine = make_engine(settings.database_url or default_url(Paths.default().state))
    migrate(engine)
    erased = purge_conversations(session_factory(engine), dt.timedelta(days=days))
    print(f"erased {erased} conversations quiet for more than {days} days")


def _codes(text: str) -> list[str]:
    return [code.strip() for code in text.split(",") if code.strip()]


def content_check(as_json: bool) -> int:
    import datetime as dt

    from bot.answers import Answers
    from bot.content.check import check, check_directory
    from bot.directory import hsds
    from bot.directory.services import service_from_hsds
    from bot.profile import load_profile
    from bot.training_data import read_examples

    paths = Paths.default()
    profile = load_profile(paths.profile)
    report = check(read_examples(paths.intents), Answers.load(paths.locales), profile.languages)
    directory = paths.directory(profile.id)
    if directory.exists():
        try:
            records = hsds.read_services(directory)
        except hsds.DirectoryError as error:
            records, problems = [], [str(error)]
        else:
            problems = hsds.problems(records)
        services = [] if problems else [service_from_hsds(record, profile.hours.timezone) for record in records]
        errors, warnings = check_directory(problems, services, profile.directory_stale_days, dt.date.today())
        report.errors += errors
        report.warnings += warnings
    print(json.dumps(report.as_json(), ensure_ascii=False, indent=2) if as_json else report.as_table())
    return 0 if report.ok else 1


def directory_command(arguments: argparse.Namespace) -> int:
    """Import or export the profile's partner directory as HSDS 3.0 JSON or CSV (tabular package)."""
    from pathlib import Path

    from bot.directory import hsds
    from bot.profile import load_profile

    paths = Paths.default()
    target = paths.directory(load_profile(paths.profile).id)
    outside = Path(arguments.path)
    tabular = arguments.format == "csv" or (arguments.format is None and outside.suffix != ".json")
    try:
        if arguments.directory_command == "export":
            services = hsds.import_json(target)
            if tabular:
                hsds.export_tables(services, outside)
            else:
                hsds.export_json(services, outside)
            print(f"exported {len(services)} services to {outside}")
        else:
            services = hsds.import_tables(outside) if tabular else hsds.import_json(outside)
            found = hsds.problems(services)
            if found:
                raise hsds.DirectoryError("; ".join(found[:20]))
            target.parent.mkdir(parents=True, exist_ok=True)
            hsds.export_json(services, target)
            print(f"imported {len(services)} services into {target}")
    except (hsds.DirectoryError, OSError) as error:
        print(f"helpline: {error}", file=sys.stderr)
        return 2
    return 0


def content_add_language(code: str) -> int:
    from bot.content.languages import LanguageError, add_language

    try:
        created = add_language(Paths.default(), code)
    except LanguageError as error:
        print(f"helpline: {error}", file=sys.stderr)
        return 2
    for path in created:
        print(f"created {path}")
    print(f"next: translate the catalog, add examples, add {code} to 'languages' in the profile, run content check")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="helpline", description="Multilingual helpline for migrants")
    commands = root.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="run the web server (web chat at /)")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument(
        "--workers", type=int, default=1, help="worker processes (above 1: PostgreSQL, and Telegram by webhook)"
    )
    commands.add_parser("chat", help="talk to the helpline in the terminal")
    question = commands.add_parser("ask", help="answer one message, or one per line with '-'")
    question.add_argument("text", help="the message, or '-' to read one message per line from stdin")
    question.add_argument("--json", action="store_true", help="print one JSON object per message")
    training = commands.add_parser("train", help="train if the inputs changed, evaluate, publish if not worse")
    training.add_argument("--tolerance", type=float, default=0.02, help="largest accuracy drop allowed per language")
    training.add_argument("--by", help=argparse.SUPPRESS)  # who started it, when the console does
    users = commands.add_parser("users", help="console users").add_subparsers(dest="users_command", required=True)
    add = users.add_parser("add", help="create a lawyer, supervisor, editor or admin")
    add.add_argument("username")
    add.add_argument("--name", default="")
    add.add_argument("--role", default="lawyer", choices=["lawyer", "supervisor", "editor", "admin"])
    add.add_argument("--languages", default="", help="comma-separated, e.g. ru,ky (empty: all)")
    add.add_argument("--topics", default="", help="comma-separated, e.g. visa,employment (empty: all)")
    add.add_argument(
        "--reads", default="", help="languages the user reads, e.g. en,ru; translations go into the first (default en)"
    )
    add.add_argument(
        "--organization", default=None, help="a partner organisation id from the profile (default: the first)"
    )
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    unlock = users.add_parser("unlock", help="lift a lock-out after failed logins, and end the user's sessions")
    unlock.add_argument("username")
    content = commands.add_parser("content", help="intents and answers in every language")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    content_check_parser = content_commands.add_parser("check", help="coverage, placeholders, limits, duplicates")
    content_check_parser.add_argument("--json", action="store_true")
    content_commands.add_parser("rollback", help="publish the previous model again")
    add_language = content_commands.add_parser("add-language", help="scaffold the catalog and training file")
    add_language.add_argument("code", help="a language code such as tg")
    privacy_parser = commands.add_parser("privacy", help="data retention")
    privacy_parser.add_argument("action", choices=["purge"])
    privacy_parser.add_argument(
        "--days", type=int, default=None, help="erase conversations quiet this long (default RETENTION_DAYS or 180)"
    )
    directory = commands.add_parser("directory", help="partner services, Open Referral HSDS 3.0")
    directory_commands = directory.add_subparsers(dest="directory_command", required=True)
    for name, help_text in (("import", "replace the profile's directory"), ("export", "write the profile's directory")):
        command = directory_commands.add_parser(name, help=help_text)
        command.add_argument("path", help="a .json file, or a folder of HSDS CSV tables with datapackage.json")
        command.add_argument("--format", choices=["json", "csv"], help="default: json for *.json, else csv")
    db = commands.add_parser("db", help="database schema")
    db.add_argument("action", choices=["upgrade"])
    return root


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    try:
        match arguments.command:
            case "serve":
                serve(arguments.host, arguments.port, arguments.workers)
            case "chat":
                asyncio.run(chat())
            case "ask":
                asyncio.run(ask(arguments.text, arguments.json))
            case "train":
                return train(arguments.tolerance, arguments.by)
            case "db":
                db_upgrade()
            case "directory":
                return directory_command(arguments)
            case "users" if arguments.users_command == "unlock":
                return users_unlock(arguments.username)
            case "users":
                return users_add(arguments)
            case "privacy":
                purge(arguments.days)
            case "content" if arguments.content_command == "rollback":
                return rollback()
            case "content" if arguments.content_command == "add-language":
                return content_add_language(arguments.code)
            case "content":
                return content_check(arguments.json)
    except (MissingRuntime, ServeRefused) as error:
        print(f"helpline: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
