"""Console views: validate, call one action, respond. Every page escapes what migrants wrote
(Jinja autoescape); every state change needs the session's CSRF token."""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import logging
import secrets

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from bot import privacy
from bot.cases import actions as cases
from bot.cases import reading, referrals, search, stats, translations
from bot.console import access
from bot.console.delivery import tell_migrant
from bot.console.language import CONSOLE_LANGUAGES, N_, from_accept_language, interface_strings
from bot.console.users import LoginRefused, account, authenticate, revoke_sessions, set_languages
from bot.directory.cards import service_card
from bot.directory.matching import Match, Where, match_services
from bot.events import HUB
from bot.intents import TAXONOMY, Topic
from bot.media import service as media_service
from bot.media import store as media
from bot.store.models import as_id
from bot.translation import TranslationUnavailable
from bot.web.templates import TEMPLATES, intent_name, language_name, local_time, outcome_name

log = logging.getLogger(__name__)

OUTCOMES = ("advice_given", "referred", "resolved", "no_response", "out_of_scope")
# how pages name them (outcome_name), for the console's catalog; referrals' outcomes too
OUTCOME_NAMES = (
    N_("advice given"), N_("referred"), N_("resolved"), N_("no response"), N_("out of scope"), N_("helped"),
    N_("not helped"), N_("not contacted"), N_("waiting"),
)  # fmt: skip


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def form_with_csrf(request: Request):
    form = await request.form()
    given = str(form.get("csrf", ""))
    if not hmac.compare_digest(given.encode(), csrf_token(request).encode()):
        return None
    return form


def sessions_of(request: Request):
    return request.app.state.helpline.sessions


async def current_account(request: Request):
    lawyer_id = request.session.get("lawyer_id")
    if not lawyer_id:
        return None
    user = await to_thread.run_sync(account, sessions_of(request), lawyer_id)
    if user is None or request.session.get("session_version") != user.session_version:
        request.session.clear()  # revoked by a logout elsewhere, or a replayed old cookie
        return None
    return user


def page(
    request: Request, name: str, context: dict, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    user = context.get("user")
    language = user.console_language if user else from_accept_language(request.headers.get("accept-language", ""))
    strings = interface_strings(language)
    interface = {"gettext": strings.gettext, "ngettext": strings.ngettext, "_": strings.gettext,
                 "console_language": language,
                 "outcome_label": lambda code: strings.gettext(outcome_name(code))}  # fmt: skip
    return TEMPLATES.TemplateResponse(
        request, name, {**context, **interface, "csrf": csrf_token(request)}, status_code=status, headers=headers
    )


def to_login() -> RedirectResponse:
    return RedirectResponse("/console/login", status_code=303)


def forbidden(request: Request) -> Response:
    return page(request, "console/error.html", {"message": N_("You cannot open this case.")}, status=403)


async def login_form(request: Request) -> Response:
    return page(request, "console/login.html", {"error": None})


async def login(request: Request) -> Response:
    form = await form_with_csrf(request)
    if form is None:
        return page(request, "console/login.html", {"error": N_("The form expired. Please try again.")}, status=400)
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    address = request.client.host if request.client else "unknown"  # behind a proxy: its X-Forwarded-For
    try:
        user = await to_thread.run_sync(authenticate, sessions_of(request), username, password, address)
    except LoginRefused as refused:
        log.info("console login refused (throttled: %s)", refused.throttled)
        if refused.retry_after is not None:
            message = N_("Too many failed attempts. Please wait a few minutes and try again.")
            seconds = str(max(1, int(refused.retry_after.total_seconds())))
            return page(request, "console/login.html", {"error": message}, status=429, headers={"Retry-After": seconds})
        return page(request, "console/login.html", {"error": N_("Wrong user or password.")}, status=401)
    request.session.clear()  # a fresh session on login: no fixation
    request.session["lawyer_id"] = user.id
    request.session["session_version"] = user.session_version
    return RedirectResponse("/console", status_code=303)


async def logout(request: Request) -> Response:
    if await form_with_csrf(request) is None:
        return Response(status_code=400)
    user = await current_account(request)
    if user is not None:
        await to_thread.run_sync(cases.release_all_of, sessions_of(request), user.id, "logout")
        await to_thread.run_sync(revoke_sessions, sessions_of(request), user.id)
    request.session.clear()
    return to_login()


async def queue_page(request: Request) -> Response:
    user = await current_account(request)
    if user is None:
        return to_login()
    if not access.access_queue(user):
        return RedirectResponse("/console/content", status_code=303)
    rows = await to_thread.run_sync(reading.queue, sessions_of(request), access.queue_scope(user))
    return page(request, "console/queue.html", {"user": user, "rows": rows})


async def queue_json(request: Request) -> Response:
    user = await current_account(request)
    if user is None:
        return JSONResponse({"error": "login required"}, status_code=401)
    if not access.access_queue(user):
        return JSONResponse({"error": "forbidden"}, status_code=403)
    rows = await to_thread.run_sync(reading.queue, sessions_of(request), access.queue_scope(user))
    named = [
        {**row.__dict__, "language_name": language_name(row.language), "intent_name": intent_name(row.intent)}
        for row in rows
    ]
    return JSONResponse({"rows": named})


async def events_stream(request: Request) -> Response:
    """Server-sent events: one per change announced by any worker (see bot.events)."""
    user = await current_account(request)
    if user is None:
        return JSONResponse({"error": "login required"}, status_code=401)
    if not access.access_queue(user):
        return JSONResponse({"error": "forbidden"}, status_code=403)

    async def stream():
        async with HUB.subscription() as queue:
            yield ": connected\n\n"
            while not await request.is_disconnected():
                try:
                    payload = await asyncio.wait_for(queue.get(), timeout=15)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                yield f"data: {payload}\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


async def _statistics_request(request: Request):
    """The supervisor, the period asked for and the organisation in scope, or the refusal."""
    user = await current_account(request)
    if user is None:
        return None, None, None, to_login()
    if not access.access_statistics(user):
        refusal = page(request, "console/error.html", {"message": N_("Statistics are for supervisors.")}, status=403)
        return None, None, None, refusal
    profile = request.app.state.helpline.profile
    period = stats.Period.from_params(request.query_params, profile.hours.timezone, request.app.state.helpline.clock())
    return user, period, access.queue_scope(user), None


async def stats_page(request: Request) -> Response:
    user, period, scope, refusal = await _statistics_request(request)
    if refusal:
        return refusal
    profile = request.app.state.helpline.profile
    figures = await to_thread.run_sync(
        stats.collect, sessions_of(request), period, scope, profile.wait_target_minutes,
        profile.first_reply_target_minutes,
    )  # fmt: skip
    by_partner = await to_thread.run_sync(
        referrals.by_partner, sessions_of(request), None if scope == reading.EVERY_ORGANIZATION else scope,
        scope == reading.EVERY_ORGANIZATION,
    )  # fmt: skip
    table: dict[str, dict[str, int]] = {}
    for partner, outcome, count in by_partner:
        table.setdefault(partner, {})[outcome] = count
    context = {
        "user": user,
        "stats": figures,
        "referrals": table,
        "referral_outcomes": (*referrals.OUTCOMES, "waiting"),
        "timezone": profile.hours.timezone,
    }
    return page(request, "console/stats.html", context)


async def stats_csv(request: Request) -> Response:
    """The period's cases as CSV for a spreadsheet: figures, never the migrants' words or numbers."""
    user, period, scope, refusal = await _statistics_request(request)
    if refusal:
        return refusal
    text = await to_thread.run_sync(stats.cases_csv, sessions_of(request), period, scope)
    name = f"cases-{period.since}-{period.until}.csv"
    return Response(
        text.encode("utf-8-sig"),  # the byte-order mark makes spreadsheets read UTF-8 (Cyrillic, Hangul)
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


async def case_list(request: Request) -> Response:
    """Every case the user may open, open and closed, found by ticket, words, language, subject,
    outcome, state and date (the helpline's calendar)."""
    user = await current_account(request)
    if user is None:
        return to_login()
    if not access.access_queue(user):
        return page(request, "console/error.html", {"message": N_("Cases are for lawyers.")}, status=403)
    helpline = request.app.state.helpline
    query = search.CaseQuery.from_params(request.query_params)
    found = await to_thread.run_sync(
        search.search, sessions_of(request), query, helpline.profile.hours.timezone, access.queue_scope(user)
    )
    visible = [item for item in found if access.access_case(user, item.detail, "view")]
    context = {
        "user": user,
        "query": query,
        "found": visible,
        "languages": helpline.profile.languages,
        "subjects": {topic: names for topic, names in TAXONOMY.items() if topic != Topic.CONVERSATION},
        "outcomes": OUTCOMES,
        "timezone": helpline.profile.hours.timezone,
        "limit": search.MAX_RESULTS,
    }
    return page(request, "console/cases.html", context)


async def take_next(request: Request) -> Response:
    user = await current_account(request)
    if user is None:
        return to_login()
    if not access.access_queue(user):
        return page(request, "console/error.html", {"message": N_("Cases are for lawyers.")}, status=403)
    if await form_with_csrf(request) is None:
        return Response(status_code=400)
    case_id = await to_thread.run_sync(cases.claim_next, sessions_of(request), user.id)
    if case_id is None:
        return RedirectResponse("/console?empty=1", status_code=303)
    detail = await to_thread.run_sync(reading.case_detail, sessions_of(request), case_id)
    await tell_migrant(request.app.state, detail, "ui:case_taken")
    return RedirectResponse(f"/console/cases/{case_id}", status_code=303)


async def take(request: Request) -> Response:
    """Take the case on this page; refused (and nothing changes) if someone was quicker."""
    user, detail, refusal = await _case_for(request, acting=False)
    if refusal:
        return refusal
    if not access.can_receive_case(user.role):
        return forbidden(request)
    if await form_with_csrf(request) is None:
        return Response(status_code=400)
    if not await to_thread.run_sync(cases.claim, sessions_of(request), detail.row.id, user.id):
        return page(request, "console/error.html", {"message": N_("Someone else has taken this case.")}, status=409)
    await tell_migrant(request.app.state, detail, "ui:case_taken")
    return RedirectResponse(f"/console/cases/{detail.row.id}", status_code=303)


async def _case_for(request: Request, acting: bool):
    user = await current_account(request)
    if user is None:
        return None, None, to_login()
    case_id = as_id(request.path_params["case_id"])
    detail = None if case_id is None else await to_thread.run_sync(reading.case_detail, sessions_of(request), case_id)
    if detail is None:
        return user, None, page(request, "console/error.html", {"message": N_("No such case.")}, status=404)
    allowed = access.access_case(user, detail, "act" if acting else "view")
    if not allowed:
        return user, detail, forbidden(request)
    return user, detail, None


async def _case_form(request: Request):
    """For actions on a case: the user, the case and the submitted form, or the refusal to send."""
    user, detail, refusal = await _case_for(request, acting=True)
    if refusal:
        return None, None, None, refusal
    form = await form_with_csrf(request)
    if form is None:
        return None, None, None, Response(status_code=400)
    return user, detail, form, None


async def case_page(request: Request) -> Response:
    user, detail, refusal = await _case_for(request, acting=False)
    if refusal:
        return refusal
    await to_thread.run_sync(_audit, sessions_of(request), "view", detail.row.id, user.id)
    lines = await to_thread.run_sync(reading.transcript, sessions_of(request), detail.conversation_id)
    case_notes = await to_thread.run_sync(reading.notes, sessions_of(request), detail.row.id)
    others = await to_thread.run_sync(reading.colleagues, sessions_of(request), user.id, detail.row.organization)
    helpline = request.app.state.helpline
    canned = canned_replies(helpline, detail)
    can_act = access.access_case(user, detail, "act")
    case_referrals = await to_thread.run_sync(referrals.of_case, sessions_of(request), detail.row.id)
    related = await to_thread.run_sync(search.of_conversation, sessions_of(request), detail.conversation_id)
    this_case = next((item for item in related if item.detail.row.id == detail.row.id), None)
    earlier = [
        (item, access.access_case(user, item.detail, "view")) for item in related if item.detail.row.id != detail.row.id
    ]
    partners = [
        org
        for org in helpline.profile.organizations
        if org.id != helpline.profile.organization(detail.row.organization).id
    ]
    translated = await _translated(request, user, lines)
    transcriber = getattr(request.app.state, "transcriber", None)
    heard = (
        await media_service.transcribe_lines(
            sessions_of(request), request.app.state.channels, transcriber, lines, detail.row.channel
        )
        if transcriber is not None
        else {}
    )
    context = {"user": user, "case": detail, "lines": lines, "outcomes": OUTCOMES, "canned": canned,
               "translation_on": translator_of(request) is not None, "translated": translated,
               "transcription_on": transcriber is not None, "heard": heard,
               "reply_language": detail.row.written_in or detail.row.language,
               "can_act": can_act, "notes": case_notes, "colleagues": others, "referrals": case_referrals,
               "services": suggested_services(helpline, detail), "partners": partners,
               "organization": helpline.profile.organization(detail.row.organization),
               "closing": this_case, "earlier": earlier,
               "media_status": await to_thread.run_sync(
                   media.statuses, sessions_of(request), [line.id for line in lines if line.media_type]
               ),
               "timezone": helpline.profile.hours.timezone}  # fmt: skip
    return page(request, "console/case.html", context)


def _case_intent(detail) -> str | None:
    return detail.row.intent


def suggested_services(helpline, detail) -> list:
    """The directory's services: those the bot would offer the migrant for the case's subject, where
    they are, first; then every other one."""
    intent = _case_intent(detail)
    services = [service for service in helpline.content.services if service.status == "active"]
    country = detail.country or helpline.profile.known_country
    best: list = []
    if intent and country:
        places = helpline.content.places
        where = Where(country, places.areas_of(detail.region))
        language = detail.row.language or helpline.profile.default_language
        matches = match_services(services, intent, where, [language], helpline.clock(), places.country_of)
        best = [match.service for match in matches]
    rest = sorted(
        (s for s in services if s not in best), key=lambda service: (intent not in service.topics, service.name)
    )
    return best + rest


def canned_replies(helpline, detail) -> list[str]:
    """Ready texts in the case's language: the bot's answer on the case's subject, the hotline's
    details, and asking for a call-back number."""
    language = detail.row.language or helpline.profile.default_language
    intent = _case_intent(detail)
    contexts = [f"answer:{intent}"] if intent and f"answer:{intent}" in helpline.answers.source else []
    contexts += ["answer:hotline_info"]
    return [helpline.text(context, language) for context in dict.fromkeys(contexts)]


async def case_messages(request: Request) -> Response:
    user, detail, refusal = await _case_for(request, acting=False)
    if refusal:
        return JSONResponse({"error": "forbidden"}, status_code=refusal.status_code)
    after = as_id(request.query_params.get("after", "0") or 0)
    if after is None:
        return JSONResponse({"error": "after must be a message id"}, status_code=400)
    lines = await to_thread.run_sync(reading.transcript, sessions_of(request), detail.conversation_id, after)
    translated = await _translated(request, user, lines)
    return JSONResponse(
        {
            "status": detail.row.status,
            "lines": [
                {
                    "id": line.id,
                    "direction": line.direction,
                    "text": line.text,
                    "by_lawyer": line.by_lawyer,
                    "media": line.media_type,
                    "at": line.at.isoformat(),
                    "local_time": local_time(line.at, request.app.state.helpline.profile.hours.timezone),
                    "urgent": line.urgent,
                    "translation": translated.get(line.id),
                    "translation_failed": line.id in translated and translated[line.id] is None,
                }  # fmt: skip
                for line in lines
            ],
        }
    )


async def case_media(request: Request) -> Response:
    """A photo, voice note or document of the case's conversation, for those who may read the case.
    No public URL exists: the file is streamed from the database through this access check."""
    user, detail, refusal = await _case_for(request, acting=False)
    if refusal:
        return Response(status_code=refusal.status_code) if refusal.status_code != 303 else refusal
    message_id = as_id(request.path_params["message_id"])
    message = (
        None if message_id is None else await to_thread.run_sync(media.media_message, sessions_of(request), message_id)
    )
    if message is None or message.conversation_id != detail.conversation_id:
        return Response("No such file in this case.", status_code=404)
    found = await media_service.media_file(sessions_of(request), request.app.state.channels, message)
    if found.status == "too_large":
        return Response("The file is larger than the platform lets a bot fetch.", status_code=413)
    if found.status != "stored" or found.data is None:
        return Response("The file could not be fetched from the platform; try again later.", status_code=502)
    inline = media_service.shown_inline(found.content_type)
    name = (found.filename or f"{message.media_type}-{message.id}").replace('"', "")
    headers = {
        "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{name}"',
        "Cache-Control": "private, no-store",
        "Content-Security-Policy": "sandbox; default-src 'none'",  # a file never runs as a page
    }
    kind = found.content_type if inline else "application/octet-stream"
    return Response(found.data, media_type=kind, headers=headers)


async def reply(request: Request) -> Response:
    user, detail, form, refusal = await _case_form(request)
    if refusal:
        return refusal
    text = str(form.get("text", "")).strip()
    # a reply sent in machine translation: ``text`` is what the migrant gets, ``written_as`` what the
    # lawyer wrote; the case keeps both
    written_as = str(form.get("written_as", "")).strip() or None
    if text:
        # the migrant sees that a person writes, not the bot, on every channel; the case keeps what they saw
        helpline = request.app.state.helpline
        language = detail.row.language or helpline.profile.default_language
        first_name = (user.name or user.username).split()[0]
        text = f"{helpline.text('ui:lawyer_says', language, name=first_name)}\n{text}"
        message = await to_thread.run_sync(
            cases.record_lawyer_reply, sessions_of(request), detail.row.id, user.id, text, written_as
        )
        if message is not None:
            await tell_migrant(request.app.state, detail, None, text=text, message_id=message.id)
    return RedirectResponse(f"/console/cases/{detail.row.id}", status_code=303)


async def translate_draft(request: Request) -> Response:
    """The lawyer's draft in the migrant's language, to check and edit before sending."""
    user, detail, form, refusal = await _case_form(request)
    if refusal:
        return JSONResponse({"error": "refused"}, status_code=refusal.status_code)
    translator = translator_of(request)
    if translator is None:
        return JSONResponse({"error": "machine translation is off (TRANSLATION_URL is not set)"}, status_code=409)
    text = str(form.get("text", "")).strip()
    if not text:
        return JSONResponse({"error": "write the reply first"}, status_code=422)
    target = detail.row.written_in or detail.row.language or request.app.state.helpline.profile.default_language
    try:
        translated = await translator.translate(text, user.reading_language, target)
    except TranslationUnavailable as error:
        log.warning("draft translation unavailable: %s", error)
        return JSONResponse({"error": "translation unavailable: send in your own words, or try again"}, status_code=503)
    return JSONResponse({"translation": translated, "language": target, "language_name": language_name(target)})


async def my_settings(request: Request) -> Response:
    user = await current_account(request)
    if user is None:
        return to_login()
    profile = request.app.state.helpline.profile
    choices = list(dict.fromkeys(("en", *profile.languages)))
    saved = request.query_params.get("saved") == "1"
    context = {"user": user, "choices": choices, "saved": saved, "translation_on": translator_of(request) is not None,
               "console_languages": CONSOLE_LANGUAGES}  # fmt: skip
    return page(request, "console/me.html", context)


async def save_my_settings(request: Request) -> Response:
    user = await current_account(request)
    if user is None:
        return to_login()
    form = await form_with_csrf(request)
    if form is None:
        return Response(status_code=400)
    profile = request.app.state.helpline.profile
    allowed = {"en", *profile.languages}
    first = str(form.get("first", ""))
    reads = [code for code in form.getlist("reads") if code in allowed]
    if first in allowed:
        reads = [first, *reads]
    interface = str(form.get("console_language", ""))
    chosen = interface if interface in CONSOLE_LANGUAGES else None
    await to_thread.run_sync(set_languages, sessions_of(request), user.id, reads, chosen)
    return RedirectResponse("/console/me?saved=1", status_code=303)


async def note(request: Request) -> Response:
    user, detail, form, refusal = await _case_form(request)
    if refusal:
        return refusal
    text = str(form.get("text", "")).strip()
    if text:
        await to_thread.run_sync(cases.add_note, sessions_of(request), detail.row.id, user.id, text)
    return RedirectResponse(f"/console/cases/{detail.row.id}", status_code=303)


async def transfer(request: Request) -> Response:
    user, detail, form, refusal = await _case_form(request)
    if refusal:
        return refusal
    to_lawyer = as_id(form.get("lawyer", ""))
    if to_lawyer is None:
        return page(request, "console/error.html", {"message": N_("Choose a lawyer.")}, status=400)
    try:
        moved = await to_thread.run_sync(cases.transfer, sessions_of(request), detail.row.id, user.id, to_lawyer)
    except cases.NotALawyer:
        return page(request, "console/error.html", {"message": N_("A case goes only to a lawyer.")}, status=422)
    if moved:
        await tell_migrant(request.app.state, detail, "ui:case_transferred")
    return RedirectResponse("/console" if moved else f"/console/cases/{detail.row.id}", status_code=303)


async def release(request: Request) -> Response:
    user, detail, _form, refusal = await _case_form(request)
    if refusal:
        return refusal
    if await to_thread.run_sync(cases.release, sessions_of(request), detail.row.id, user.id, "transfer"):
        await tell_migrant(request.app.state, detail, "ui:case_requeued")  # not left with "a lawyer has joined"
    return RedirectResponse("/console", status_code=303)


async def close(request: Request) -> Response:
    user, detail, form, refusal = await _case_form(request)
    if refusal:
        return refusal
    outcome = str(form.get("outcome", ""))
    if outcome not in OUTCOMES:
        return page(request, "console/error.html", {"message": N_("Choose an outcome.")}, status=422)
    false_alarm = detail.row.priority == 0 and form.get("false_alarm") == "1"
    if await to_thread.run_sync(cases.close, sessions_of(request), detail.row.id, user.id, outcome, false_alarm):
        await tell_migrant(request.app.state, detail, "ui:case_closed")
        await to_thread.run_sync(privacy.erase_if_requested, sessions_of(request), detail.conversation_id)
    return RedirectResponse("/console", status_code=303)


async def refer(request: Request) -> Response:
    """Refer the migrant to a partner service: recorded, told to the migrant in their language with
    whom to contact and how, and followed up after the profile's number of days."""
    user, detail, form, refusal = await _case_form(request)
    if refusal:
        return refusal
    helpline = request.app.state.helpline
    service = next((s for s in helpline.content.services if s.id == str(form.get("service", ""))), None)
    if service is None:
        return page(request, "console/error.html", {"message": N_("Choose a service from the directory.")}, status=422)
    follow_up = dt.timedelta(days=helpline.profile.referral_follow_up_days)
    await to_thread.run_sync(
        referrals.refer, sessions_of(request), detail.row.id, user.id, service.id, service.name,
        service.organization, follow_up,
    )  # fmt: skip
    language = detail.row.language or helpline.profile.default_language
    match = Match(service, 0, service.is_open(helpline.clock()), language in service.languages)
    contact = service_card(match, 1, language, helpline.ui(language)).split("\n", 1)[-1]
    await tell_migrant(
        request.app.state, detail, "ui:referral_made", values={"service": service.name, "contact": contact}
    )
    return RedirectResponse(f"/console/cases/{detail.row.id}", status_code=303)


async def to_partner(request: Request) -> Response:
    """Send the case to a partner organisation's queue."""
    user, detail, form, refusal = await _case_form(request)
    if refusal:
        return refusal
    profile = request.app.state.helpline.profile
    chosen = str(form.get("organization", ""))
    if chosen not in {org.id for org in profile.organizations}:
        return page(request, "console/error.html", {"message": N_("Choose a partner organisation.")}, status=422)
    # the first organisation is stored as None, like cases routed to it
    organization = None if chosen == profile.organization(None).id else chosen
    await to_thread.run_sync(cases.send_to_organization, sessions_of(request), detail.row.id, user.id, organization)
    return RedirectResponse("/console", status_code=303)


def translator_of(request: Request):
    """The self-hosted translation engine, or None when TRANSLATION_URL is not set."""
    return getattr(request.app.state, "translator", None)


async def _translated(request: Request, user, lines) -> dict[int, str | None]:
    """The migrant's messages in the user's reading language, when translation is on."""
    translator = translator_of(request)
    if translator is None:
        return {}
    return await translations.translate_lines(
        sessions_of(request), translator, lines, user.reading_language, user.reads
    )


def _audit(sessions, action: str, case_id: int, lawyer_id: int) -> None:
    with sessions.begin() as session:
        cases.audit(session, action, case_id, lawyer_id)
