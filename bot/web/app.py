"""Starlette application: GET / (web chat page), POST /api/chat, GET /healthz and /readyz."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import os
import re
import secrets
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

from anyio import to_thread
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Mount, Route

from bot import events
from bot.cases.housekeeping import keep_queue_moving
from bot.channels.running import Channels, no_channels
from bot.channels.shapes import MAX_TEXT_CHARS
from bot.channels.web import WebChat
from bot.console.delivery import keep_following_up
from bot.helpline import Helpline, Inbound, Reply
from bot.media import store as media_store
from bot.media.transcription import transcriber_from_env
from bot.store import db, webchat
from bot.store.actions import storable
from bot.store.models import as_id
from bot.translation import translator_from_env
from bot.web import uploads, webhooks
from bot.web.bodies import BadRequest, json_object, read_bounded
from bot.web.logs import redact_access_log
from bot.web.templates import TEMPLATES

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")  # always fullmatch: "$" would accept a trailing newline
CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,63}")  # stored as "<session>:<id>", at most 128 characters
# Every page's scripts and styles are its own files or inline blocks of the templates; nothing
# is loaded from elsewhere, and no page may be framed (clickjacking a lawyer's console). An inline
# script runs only with the response's own nonce (templates: request.state.csp_nonce), so that
# markup injected into a page cannot run script.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


class SecurityHeaders:
    """Pure ASGI middleware (no buffering: the console's event stream passes through)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        headers = {"content-security-policy": CONTENT_SECURITY_POLICY.format(nonce=nonce), **SECURITY_HEADERS}

        async def with_headers(message):
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in headers.items() if k.encode() not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)


async def read_json(request: Request) -> dict[str, Any]:
    return json_object(await read_bounded(request, MAX_BODY_BYTES))


def chat_inbound(payload: dict[str, Any]) -> Inbound:
    session, text = payload.get("session"), payload.get("text")
    if not isinstance(session, str) or not SESSION_ID.fullmatch(session):
        raise BadRequest(422, "session must be 8-64 letters, digits, '-' or '_'")
    if not isinstance(text, str):
        raise BadRequest(422, "text must be a string")
    if len(text) > MAX_TEXT_CHARS:
        raise BadRequest(413, f"text longer than {MAX_TEXT_CHARS} characters")
    hint = payload.get("language_hint")
    client_id = payload.get("id")  # the page's own id for the message: a resend is not stored twice
    if client_id is not None and (not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id)):
        raise BadRequest(422, "id must be 8-63 letters, digits, '-' or '_'")
    external_id = webchat.external_id(session, client_id) if client_id else None
    return Inbound("web", session, text, hint if isinstance(hint, str) else None, external_id)


def preferred_language(accept_language: str, served: tuple[str, ...], default: str) -> str:
    """The first served language in an Accept-Language header ('ky-KG,ru;q=0.8' -> 'ky')."""
    ranked = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        ranked.append((-weight, position, tag.split("-")[0].lower()))
    for _, _, language in sorted(ranked):
        if language in served:
            return language
    return default


# stored, deliberately not answered (flooding after the rate-limit notice, a redelivery)
SILENT = {"reply": None, "action": "silent", "buttons": []}

CHAT_PAGE_LABELS = (
    "new_conversation", "new_conversation_confirm", "send", "message_label", "chat_offline", "attach", "record_voice",
    "stop_recording", "microphone_refused", "media_photo", "media_document", "media_voice",
)  # fmt: skip


async def chat_page(request: Request) -> HTMLResponse:
    helpline: Helpline = request.app.state.helpline
    profile = helpline.profile
    language = preferred_language(
        request.headers.get("accept-language", ""), profile.languages, profile.default_language
    )
    return TEMPLATES.TemplateResponse(
        request,
        "chat.html",
        {
            "language": language,
            "title": profile.name(language),
            "hotline": profile.hotline,
            "emergency": profile.emergency["general"],
            "greeting": helpline.answers.text("answer:greet", language, profile.placeholders(language)),
            "labels": {name: helpline.text(f"ui:{name}", language) for name in CHAT_PAGE_LABELS},
        },
    )


async def chat_api(request: Request) -> JSONResponse:
    try:
        inbound = chat_inbound(await read_json(request))
    except BadRequest as error:
        log.info("rejected web chat request: %s (%s)", error.status, error.message)
        return JSONResponse({"error": error.message}, status_code=error.status)
    reply = await web_chat_of(request).handle(replace(inbound, origin=origin_of(request)))
    if reply is None and inbound.external_id is not None:
        return await _sent_again(request, inbound)
    if reply is None:  # stored, deliberately not answered (flooding after the rate-limit notice)
        return JSONResponse(SILENT)
    timing = ", ".join(f"{stage};dur={seconds * 1000:.2f}" for stage, seconds in reply.timings.items())
    return JSONResponse(reply.as_json(), headers={"Server-Timing": timing} if timing else None)


def origin_of(request: Request) -> str | None:
    """The client's address as a keyed hash: enough to count one origin's new cases, useless for
    finding out who wrote (behind a proxy the address is its X-Forwarded-For; FORWARDED_ALLOW_IPS)."""
    if request.client is None:
        return None
    secret = getattr(request.app.state, "origin_secret", b"")
    return hmac.new(secret, request.client.host.encode(), hashlib.sha256).hexdigest()[:32]


def web_chat_of(request: Request) -> WebChat:
    """The web chat channel the lifespan started (with its sweeper); made here when an app runs
    without its lifespan, as in tests that set the helpline themselves."""
    state = request.app.state
    chat = getattr(state, "web_chat", None)
    if chat is None or chat.helpline is not state.helpline:
        chat = state.web_chat = WebChat(state.helpline)
    return chat


# A page resends a message when the response to it was lost (a worker died, a network dropped):
# a resend waits this long for the first request's answer before the page is told to poll for it.
RESEND_WAIT_SECONDS = 15.0
PENDING = {"reply": None, "action": "pending", "buttons": []}


async def _sent_again(request: Request, inbound: Inbound) -> JSONResponse:
    """The response to a message sent again under the same id: its stored reply, or "pending"
    while it is being answered (a sweep's reply then comes with /api/chat/updates)."""
    sessions, deadline = request.app.state.helpline.sessions, time.monotonic() + RESEND_WAIT_SECONDS
    while True:
        found = await to_thread.run_sync(webchat.earlier, sessions, inbound.external_id)
        if found is None or (found.answered and found.reply is None):
            return JSONResponse(SILENT)  # a redelivery of a message that got no reply (flooding)
        if found.reply is not None:
            stored = found.reply
            reply = Reply(
                text=stored.text,
                buttons=(),  # not stored
                language=stored.language or "",
                detected_language=None,
                intent=stored.intent,
                confidence=stored.confidence,
                topic=stored.topic,
                urgent=stored.urgent,
                action="repeated",
            )
            return JSONResponse(reply.as_json())
        if time.monotonic() >= deadline:
            return JSONResponse(PENDING)
        await asyncio.sleep(0.25)


def chat_session(request: Request) -> str | None:
    """The page sends its session id in a header, so it never stands in a URL (nor in access logs,
    proxies' logs or the browser's history); a query parameter is still accepted from old pages."""
    session = request.headers.get("x-chat-session") or request.query_params.get("session", "")
    return session if SESSION_ID.fullmatch(session) else None


async def chat_upload(request: Request) -> JSONResponse:
    """A photo, document or voice recording from the web chat: stored with its message, then
    answered like any message with media. Refusals are in the migrant's language."""
    helpline: Helpline = request.app.state.helpline
    session = chat_session(request)
    if session is None:
        return JSONResponse({"error": "the X-Chat-Session header is required"}, status_code=422)
    hint = request.headers.get("x-language-hint")
    language = helpline.detector.served_hint(hint) or helpline.profile.default_language
    length = request.headers.get("content-length", "")
    if not length.isascii() or not length.isdigit():  # a body of unknown length could be endless
        return JSONResponse({"error": "Content-Length is required"}, status_code=411)
    if int(length) > uploads.MAX_UPLOAD_BYTES + MAX_BODY_BYTES:
        return _upload_refused(helpline, language, 413)
    try:
        form = await request.form(max_files=1, max_fields=3, max_part_size=MAX_BODY_BYTES)
    except (MultiPartException, ValueError) as error:
        log.info("rejected web chat upload: %s", type(error).__name__)
        return _upload_refused(helpline, language, 413 if "size" in str(error).lower() else 400)
    try:
        upload, caption = form.get("file"), form.get("caption")
        if not isinstance(upload, UploadFile):
            return JSONResponse({"error": "a file is required"}, status_code=422)
        data = await upload.read(uploads.MAX_UPLOAD_BYTES + 1)
        declared, filename = upload.content_type, upload.filename
    finally:
        await form.close()
    if len(data) > uploads.MAX_UPLOAD_BYTES:
        return _upload_refused(helpline, language, 413)
    accepted = uploads.accept(data, declared)
    if accepted is None:
        log.info("rejected web chat upload: not an accepted type")
        return _upload_refused(helpline, language, 415)
    text = caption[:MAX_TEXT_CHARS] if isinstance(caption, str) else ""
    inbound = Inbound(
        "web", session, storable(text), hint, None, accepted.media_type, "upload", origin=origin_of(request)
    )
    web_chat = web_chat_of(request)
    stored = await web_chat.receive(inbound)
    if stored is None:
        return JSONResponse(SILENT)
    name = (filename or "").replace("/", "_")[-120:] or None
    kept = media_store.MediaFile("stored", accepted.content_type, len(data), name, data)
    try:
        await to_thread.run_sync(media_store.save, helpline.sessions, stored.message_id, kept)
    except BaseException:
        await web_chat.answer(inbound, stored)  # the message is answered (and its claim ended) all the same
        raise
    reply = await web_chat.answer(inbound, stored)
    if reply is None:
        return JSONResponse(SILENT)
    return JSONResponse(reply.as_json())


def _upload_refused(helpline: Helpline, language: str, status: int) -> JSONResponse:
    context = "ui:upload_too_large" if status == 413 else "ui:upload_refused"
    return JSONResponse(
        {"error": helpline.text(context, language, limit=str(uploads.MAX_UPLOAD_MB))}, status_code=status
    )


async def chat_history(request: Request) -> JSONResponse:
    """The conversation so far, for a page reloaded in the same browser."""
    session = chat_session(request)
    if session is None:
        return JSONResponse({"error": "the X-Chat-Session header is required"}, status_code=422)
    found = await to_thread.run_sync(webchat.history, request.app.state.helpline.sessions, session)
    return JSONResponse(
        {"language": found.language, "messages": [line.as_json() for line in found.lines]},
        headers={"Cache-Control": "no-store"},
    )


async def chat_updates(request: Request) -> JSONResponse:
    """Messages a lawyer (or the queue) sent to this web chat since ``after``."""
    session, after = chat_session(request), request.query_params.get("after", "0")
    if session is None or not after.isascii() or not after.isdigit():
        return JSONResponse({"error": "session and after are required"}, status_code=422)
    after_id = as_id(after)  # a larger id would overflow the database driver
    if after_id is None:
        return JSONResponse({"error": "after is not a message id"}, status_code=422)
    lines = await to_thread.run_sync(webchat.updates, request.app.state.helpline.sessions, session, after_id)
    return JSONResponse({"messages": [line.as_json() for line in lines]}, headers={"Cache-Control": "no-store"})


async def console_home(request: Request):
    from bot.console import views

    return await views.queue_page(request)


def console_routes() -> list[Route]:
    from bot.console import content_views, directory_views, views

    return [
        Route("/", views.queue_page),
        Route("/login", views.login_form),
        Route("/login", views.login, methods=["POST"]),
        Route("/logout", views.logout, methods=["POST"]),
        Route("/queue.json", views.queue_json),
        Route("/events", views.events_stream),
        Route("/stats", views.stats_page),
        Route("/stats.csv", views.stats_csv),
        Route("/content", content_views.coverage),
        Route("/content/unanswered", content_views.inbox),
        Route("/content/examples", content_views.add_example, methods=["POST"]),
        Route("/content/train", content_views.train, methods=["POST"]),
        Route("/content/answers/{context:str}", content_views.answer_form),
        Route("/content/answers/{context:str}", content_views.save_answer, methods=["POST"]),
        Route("/directory", directory_views.directory_list),
        Route("/directory/{service_id:str}", directory_views.service_form),
        Route("/directory/{service_id:str}", directory_views.save_service, methods=["POST"]),
        Route("/directory/{service_id:str}/verified", directory_views.verify_service, methods=["POST"]),
        Route("/agencies", directory_views.register_page),
        Route("/agencies", directory_views.save_agency, methods=["POST"]),
        Route("/agencies/checked", directory_views.register_checked, methods=["POST"]),
        Route("/take-next", views.take_next, methods=["POST"]),
        Route("/cases", views.case_list),
        Route("/cases/{case_id:int}", views.case_page),
        Route("/cases/{case_id:int}/messages.json", views.case_messages),
        Route("/cases/{case_id:int}/media/{message_id:str}", views.case_media),
        Route("/cases/{case_id:int}/reply", views.reply, methods=["POST"]),
        Route("/cases/{case_id:int}/translate", views.translate_draft, methods=["POST"]),
        Route("/me", views.my_settings),
        Route("/me", views.save_my_settings, methods=["POST"]),
        Route("/cases/{case_id:int}/release", views.release, methods=["POST"]),
        Route("/cases/{case_id:int}/notes", views.note, methods=["POST"]),
        Route("/cases/{case_id:int}/transfer", views.transfer, methods=["POST"]),
        Route("/cases/{case_id:int}/close", views.close, methods=["POST"]),
        Route("/cases/{case_id:int}/refer", views.refer, methods=["POST"]),
        Route("/cases/{case_id:int}/take", views.take, methods=["POST"]),
        Route("/cases/{case_id:int}/partner", views.to_partner, methods=["POST"]),
    ]


async def healthz(request: Request) -> JSONResponse:
    """Liveness: the process answers. (A load balancer routes by /readyz.)"""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Readiness: the database and the NLU answer, so that this worker can serve a message
    fully; 503 otherwise, naming what is missing (and while the worker is stopping)."""
    helpline: Helpline | None = getattr(request.app.state, "helpline", None)
    if helpline is None or getattr(request.app.state, "stopping", False):
        return JSONResponse({"status": "stopping"}, status_code=503)
    checks = {"database": "ok" if await to_thread.run_sync(db.reachable, helpline.sessions) else "down"}
    checks["nlu"] = await helpline.nlu.status() if helpline.nlu is not None else "off"
    ready = checks["database"] == "ok" and checks["nlu"] == "ready"
    return JSONResponse({"status": "ready" if ready else "not ready", **checks}, status_code=200 if ready else 503)


def create_app(
    open_helpline: Callable[[], contextlib.AbstractAsyncContextManager[Helpline]],
    open_channels: Callable[[Helpline], contextlib.AbstractAsyncContextManager[Channels]] = no_channels,
) -> Starlette:
    """``open_helpline`` opens the helpline for the application's lifetime, ``open_channels``
    the messaging channels on top of it."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        redact_access_log()  # again here: uvicorn may configure logging after create_app
        async with open_helpline() as helpline, open_channels(helpline) as channels:
            app.state.helpline = helpline
            app.state.channels = channels
            app.state.web_chat = WebChat(helpline)
            await app.state.web_chat.start()
            app.state.translator = translator_from_env()
            app.state.transcriber = transcriber_from_env()
            if app.state.translator is None:
                log.info("machine translation is off: TRANSLATION_URL is not set")
            background = [
                asyncio.create_task(events.listen(helpline.sessions.kw["bind"])),
                asyncio.create_task(keep_queue_moving(helpline.sessions)),
                asyncio.create_task(keep_following_up(app.state)),
            ]
            try:
                yield
            finally:
                app.state.stopping = True
                await app.state.web_chat.stop()
                for task in background:
                    task.cancel()
                await asyncio.gather(*background, return_exceptions=True)
                for engine in (app.state.translator, app.state.transcriber):
                    if engine is not None:
                        await engine.aclose()

    redact_access_log()
    secret = os.environ.get("CONSOLE_SECRET_KEY")
    if not secret:
        log.warning("CONSOLE_SECRET_KEY is not set: console logins last until this process restarts")
        secret = secrets.token_urlsafe(32)
    public_url = os.environ.get("PUBLIC_URL", "")
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(
            SessionMiddleware,
            secret_key=secret,
            session_cookie="helpline_console",
            same_site="strict",
            https_only=public_url.startswith("https://"),
            max_age=12 * 3600,
        ),
    ]
    app = Starlette(
        middleware=middleware,
        routes=[
            Route("/", chat_page),
            Route("/api/chat", chat_api, methods=["POST"]),
            Route("/api/chat/updates", chat_updates),
            Route("/api/chat/history", chat_history),
            Route("/api/chat/upload", chat_upload, methods=["POST"]),
            Route("/console", console_home),
            Mount("/console", routes=console_routes()),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/webhooks/telegram", webhooks.telegram_webhook, methods=["POST"]),
            Route("/webhooks/whatsapp", webhooks.whatsapp_verify, methods=["GET"]),
            Route("/webhooks/whatsapp", webhooks.whatsapp_webhook, methods=["POST"]),
        ],
        lifespan=lifespan,
    )
    app.state.origin_secret = secret.encode()
    return app


def app_from_env() -> Starlette:
    """The application of one of several worker processes (``helpline serve --workers N``)."""
    from bot.channels.running import running_channels
    from bot.runtime import running_helpline

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    return create_app(running_helpline, running_channels)
