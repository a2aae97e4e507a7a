"""Editor pages for the partner directory (HSDS) and the register of licensed agencies: list, edit,
mark verified, see what is stale. Changes go into the same files, with who and when."""

from __future__ import annotations

import datetime as dt

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot import agencies
from bot.console.language import N_
from bot.directory import editing, hsds
from bot.paths import Paths

from .content_views import _editor, _editor_form, _record, _serve_new_content
from .views import page, sessions_of

STATUSES = ("active", "inactive", "defunct", "temporarily closed")


def _codes(text: object) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in str(text or "").replace("\n", ",").split(",") if part.strip()))


def _today(request: Request) -> dt.date:
    helpline = request.app.state.helpline
    return helpline.clock().astimezone(helpline.profile.hours.timezone).date()


async def directory_list(request: Request) -> Response:
    user, refusal = await _editor(request)
    if refusal:
        return refusal
    helpline = request.app.state.helpline
    today, stale_days = _today(request), helpline.profile.directory_stale_days
    rows = sorted(
        (
            (service, service.assured is None or (today - service.assured).days > stale_days)
            for service in helpline.content.services
        ),
        key=lambda row: (not row[1], row[0].name),
    )
    context = {"user": user, "rows": rows, "stale_days": stale_days, "saved": request.query_params.get("saved")}
    return page(request, "console/directory.html", context)


def _no_register(request: Request) -> Response:
    return page(request, "console/error.html", {"message": N_("This helpline keeps no agency register.")}, status=404)


def _record_of(paths: Paths, profile_id: str, service_id: str) -> dict | None:
    return next((r for r in hsds.read_services(paths.directory(profile_id)) if r.get("id") == service_id), None)


async def service_form(request: Request) -> Response:
    user, refusal = await _editor(request)
    if refusal:
        return refusal
    helpline = request.app.state.helpline
    record = await to_thread.run_sync(
        _record_of, Paths.default(), helpline.profile.id, request.path_params["service_id"]
    )
    if record is None:
        return page(request, "console/error.html", {"message": N_("No such service.")}, status=404)
    service = next(s for s in helpline.content.services if s.id == record["id"])
    context = {
        "user": user,
        "record": record,
        "service": service,
        "hours": "\n".join(editing.format_hours(record)),
        "statuses": STATUSES,
        "error": request.query_params.get("error"),
        "saved": request.query_params.get("saved"),
        "history": list(reversed(record.get("metadata") or []))[:20],
    }
    return page(request, "console/service.html", context)


def _change(paths: Paths, profile_id: str, change) -> None:
    path = paths.directory(profile_id)
    editing.save(path, change(hsds.read_services(path)))


async def save_service(request: Request) -> Response:
    user, form, refusal = await _editor_form(request)
    if refusal:
        return refusal
    helpline, paths = request.app.state.helpline, Paths.default()
    service_id = request.path_params["service_id"]
    status = str(form.get("status", "active"))
    if status not in STATUSES:
        return page(request, "console/error.html", {"message": N_("Choose a status.")}, status=422)
    edit = editing.ServiceEdit(
        name=str(form.get("name", "")).strip(),
        description=str(form.get("description", "")).strip(),
        status=status,
        phones=_codes(form.get("phones")),
        address=str(form.get("address", "")).strip(),
        languages=_codes(form.get("languages")),
        topics=_codes(form.get("topics")),
        areas=_codes(form.get("areas")),
        hours=tuple(str(form.get("hours", "")).replace("\r\n", "\n").splitlines()),
    )
    today = _today(request)
    verify = form.get("verified") == "on"

    def change(services):
        services = editing.apply_edit(services, service_id, edit, user.username, today)
        return editing.mark_verified(services, service_id, user.username, today) if verify else services

    try:
        await to_thread.run_sync(_change, paths, helpline.profile.id, change)
    except hsds.DirectoryError as error:
        return RedirectResponse(f"/console/directory/{service_id}?error={str(error)[:300]}", status_code=303)
    await to_thread.run_sync(_record, sessions_of(request), user.id, "edit_service", f"{service_id} {edit.name}")
    await _serve_new_content(request, paths)
    return RedirectResponse(f"/console/directory/{service_id}?saved=1", status_code=303)


async def verify_service(request: Request) -> Response:
    user, form, refusal = await _editor_form(request)
    if refusal:
        return refusal
    helpline, paths = request.app.state.helpline, Paths.default()
    service_id, today = request.path_params["service_id"], _today(request)
    try:
        await to_thread.run_sync(
            _change, paths, helpline.profile.id, lambda s: editing.mark_verified(s, service_id, user.username, today)
        )
    except hsds.DirectoryError as error:
        return page(request, "console/error.html", {"message": str(error)}, status=404)
    await to_thread.run_sync(_record, sessions_of(request), user.id, "verify_service", service_id)
    await _serve_new_content(request, paths)
    return RedirectResponse("/console/directory?saved=1", status_code=303)


async def register_page(request: Request) -> Response:
    user, refusal = await _editor(request)
    if refusal:
        return refusal
    helpline = request.app.state.helpline
    register = helpline.content.register
    if register is None:
        return _no_register(request)
    today = _today(request)
    context = {
        "user": user,
        "register": register,
        "today": today,
        "editing": next((a for a in register.agencies if a.licence == request.query_params.get("licence")), None),
        "error": request.query_params.get("error"),
        "saved": request.query_params.get("saved"),
    }
    return page(request, "console/agencies.html", context)


async def save_agency(request: Request) -> Response:
    user, form, refusal = await _editor_form(request)
    if refusal:
        return refusal
    helpline, paths = request.app.state.helpline, Paths.default()
    if helpline.content.register is None:
        return _no_register(request)
    try:
        agency = agencies.Agency(
            name=str(form.get("name", "")).strip(),
            latin_name=str(form.get("latin_name", "")).strip(),
            licence=str(form.get("licence", "")).strip(),
            valid_until=dt.date.fromisoformat(str(form.get("valid_until", ""))),
            countries=tuple(code.upper() for code in _codes(form.get("countries"))),
            phone=str(form.get("phone", "")).strip(),
            sample=form.get("sample") == "on",
        )
    except ValueError:
        return RedirectResponse("/console/agencies?error=Write the date as YYYY-MM-DD.", status_code=303)
    if not agency.name or not agency.licence or any(len(code) != 2 for code in agency.countries):
        return RedirectResponse("/console/agencies?error=A name, a licence number and country codes such as RU.", 303)
    replacing = str(form.get("replacing", "")) or None
    path = paths.agencies(helpline.profile.id)
    await to_thread.run_sync(agencies.save_agency, path, agency, user.username, _today(request), replacing)
    await to_thread.run_sync(_record, sessions_of(request), user.id, "edit_agency", agency.licence)
    await _serve_new_content(request, paths)
    return RedirectResponse("/console/agencies?saved=1", status_code=303)


async def register_checked(request: Request) -> Response:
    user, form, refusal = await _editor_form(request)
    if refusal:
        return refusal
    helpline, paths = request.app.state.helpline, Paths.default()
    if helpline.content.register is None:
        return _no_register(request)
    await to_thread.run_sync(agencies.mark_updated, paths.agencies(helpline.profile.id), user.username, _today(request))
    await to_thread.run_sync(_record, sessions_of(request), user.id, "register_checked", "")
    await _serve_new_content(request, paths)
    return RedirectResponse("/console/agencies?saved=1", status_code=303)
