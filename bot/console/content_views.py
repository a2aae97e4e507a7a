"""Editor pages: coverage, answers side by side with the source, training examples, and the inbox
of questions the bot could not answer. Edits go through bot.content.editing into the same files."""

from __future__ import annotations

import datetime as dt

from anyio import to_thread
from sqlalchemy import select, update
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.cases.actions import audit
from bot.console.language import N_
from bot.content.check import check
from bot.content.editing import EditError, add_examples, save_source, save_translation
from bot.dialogue import ANSWER_THRESHOLD
from bot.helpline import Content
from bot.intents import INTENTS
from bot.nlu import runs
from bot.nlu.publishing import published
from bot.paths import Paths
from bot.store.models import Message
from bot.training_data import read_examples

from . import access
from .views import current_account, form_with_csrf, page, sessions_of, to_login

WHATSAPP_BODY_LIMIT = 1024

NOT_SERVED = N_("Choose a language the helpline serves.")


async def _editor(request: Request):
    user = await current_account(request)
    if user is None:
        return None, to_login()
    if not access.access_content(user):
        return user, page(request, "console/error.html", {"message": N_("These pages are for editors.")}, status=403)
    return user, None


async def _editor_form(request: Request):
    """For editors' changes: the user and the submitted form, or the refusal to send."""
    user, refusal = await _editor(request)
    if refusal:
        return None, None, refusal
    form = await form_with_csrf(request)
    if form is None:
        return None, None, Response(status_code=400)
    return user, form, None


def same_site(back: object, default: str = "/console/content") -> str:
    """Only a path of this console: never another site (``https://``, ``//host``, ``/\\host``)."""
    target = str(back or "")
    if not target.startswith("/console") or "\\" in target or target.startswith("//"):
        return default
    if any(ord(character) < 32 for character in target):
        return default
    return target


async def _serve_new_content(request: Request, paths: Paths) -> None:
    """This worker serves the edit at once; the others follow within seconds (bot.publication)."""
    request.app.state.helpline.use(await to_thread.run_sync(Content.load, paths))


def _record(sessions, lawyer_id: int, action: str, detail: str) -> None:
    with sessions.begin() as session:
        audit(session, action, None, lawyer_id, detail)


async def coverage(request: Request) -> Response:
    user, refusal = await _editor(request)
    if refusal:
        return refusal
    helpline = request.app.state.helpline
    paths = Paths.default()
    report = await to_thread.run_sync(
        lambda: check(read_examples(paths.intents), helpline.answers, helpline.profile.languages)
    )
    model, run = await to_thread.run_sync(lambda: (published(paths), runs.last(paths)))
    busy = request.query_params.get("busy") == "1"
    context = {"user": user, "report": report, "model": model, "run": run, "busy": busy, "RUNNING": runs.RUNNING}
    return page(request, "console/content.html", context)


async def train(request: Request) -> Response:
    """Train on the current examples and publish if no language got worse, in the background."""
    user, _form, refusal = await _editor_form(request)
    if refusal:
        return refusal
    started = await to_thread.run_sync(runs.start, Paths.default(), user.username)
    if not started:
        return RedirectResponse("/console/content?busy=1", status_code=303)
    await to_thread.run_sync(_record, sessions_of(request), user.id, "train", "started from the console")
    return RedirectResponse("/console/content", status_code=303)


async def answer_form(request: Request) -> Response:
    user, refusal = await _editor(request)
    if refusal:
        return refusal
    helpline = request.app.state.helpline
    context = request.path_params["context"]
    if context not in helpline.answers.source:
        return page(request, "console/error.html", {"message": N_("No such text.")}, status=404)
    language = request.query_params.get("language", "ru")
    translation = helpline.answers.translations.get(language, {}).get(context)
    preview = helpline.text(context, language) if language in helpline.profile.languages else ""
    return page(
        request,
        "console/answer.html",
        {
            "user": user,
            "context": context,
            "language": language,
            "languages": helpline.profile.languages,
            "source": helpline.answers.source[context],
            "text": translation.text if translation else "",
            "fuzzy": bool(translation and translation.fuzzy),
            "preview": preview,
            "whatsapp_split": len(preview) > WHATSAPP_BODY_LIMIT,
            "error": request.query_params.get("error"),
        },
    )


async def save_answer(request: Request) -> Response:
    user, form, refusal = await _editor_form(request)
    if refusal:
        return refusal
    context, language = request.path_params["context"], str(form.get("language", ""))
    if language not in request.app.state.helpline.profile.languages:
        return page(
            request, "console/error.html", {"message": N_("Choose a language the helpline serves.")}, status=422
        )
    text = str(form.get("text", "")).replace("\r\n", "\n").strip()
    paths = Paths.default()
    try:
        if language == "en":
            await to_thread.run_sync(save_source, paths, context, text)
        else:
            await to_thread.run_sync(save_translation, paths, language, context, text, form.get("reviewed") == "on")
    except EditError as error:
        return RedirectResponse(f"/console/content/answers/{context}?language={language}&error={error}", 303)
    await to_thread.run_sync(_record, sessions_of(request), user.id, "edit_answer", f"{language} {context}")
    await _serve_new_content(request, paths)
    return RedirectResponse(f"/console/content/answers/{context}?language={language}&saved=1", status_code=303)


def _triage(sessions, message_id: int, decision: str) -> None:
    with sessions.begin() as session:
        session.execute(update(Message).where(Message.id == message_id).values(triage=decision))


def _unanswered(sessions, days: int = 30) -> list[Message]:
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    with sessions() as session:
        query = (
            select(Message)
            .where(
                Message.direction == "in",
                Message.created_at >= since,
                Message.confidence.is_not(None),
                Message.confidence < ANSWER_THRESHOLD,
                ~Message.text.startswith("/"),
                Message.triage.is_(None),
            )
            .order_by(Message.language, Message.intent, Message.id.desc())
            .limit(300)
        )
        return list(session.scalars(query))


async def inbox(request: Request) -> Response:
    user, refusal = await _editor(request)
    if refusal:
        return refusal
    messages = await to_thread.run_sync(_unanswered, sessions_of(request))
    return page(request, "console/inbox.html", {"user": user, "messages": messages, "intents": INTENTS})


async def add_example(request: Request) -> Response:
    user, form, refusal = await _editor_form(request)
    if refusal:
        return refusal
    language, intent = str(form.get("language", "")), str(form.get("intent", ""))
    if language not in request.app.state.helpline.profile.languages:
        return page(
            request, "console/error.html", {"message": N_("Choose a language the helpline serves.")}, status=422
        )
    texts = str(form.get("texts", "")).splitlines()
    message_id = str(form.get("message", ""))
    if intent == "out_of_scope" and message_id.isdigit():
        await to_thread.run_sync(_triage, sessions_of(request), int(message_id), "out_of_scope")
        await to_thread.run_sync(_record, sessions_of(request), user.id, "out_of_scope", f"message {message_id}")
        return RedirectResponse(same_site(form.get("back")), status_code=303)
    try:
        added = await to_thread.run_sync(add_examples, Paths.default(), language, intent, texts)
    except EditError as error:
        return page(request, "console/error.html", {"message": str(error)}, status=422)
    if message_id.isdigit():
        await to_thread.run_sync(_triage, sessions_of(request), int(message_id), "example")
    await to_thread.run_sync(_record, sessions_of(request), user.id, "add_examples", f"{language} {intent} +{added}")
    await _serve_new_content(request, Paths.default())
    return RedirectResponse(same_site(form.get("back")), status_code=303)
