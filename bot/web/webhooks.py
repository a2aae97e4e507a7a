"""Platform webhooks: thin views that check authenticity, store, acknowledge."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from bot.channels.telegram import inbound_from_update, secret_matches
from bot.channels.whatsapp import parse_notification, signature_valid
from bot.web.bodies import BadRequest, json_object, read_bounded

log = logging.getLogger(__name__)

MAX_WEBHOOK_BYTES = 1024 * 1024


async def raw_body(request: Request) -> bytes:
    return await read_bounded(request, MAX_WEBHOOK_BYTES)


def rejection(channel: str, error: BadRequest) -> Response:
    log.warning("%s webhook rejected: %s %s", channel, error.status, error.message)
    return JSONResponse({"error": error.message}, status_code=error.status)


async def telegram_webhook(request: Request) -> Response:
    channel = request.app.state.channels.telegram
    if channel is None:
        return JSONResponse({"error": "telegram is not configured"}, status_code=404)
    try:
        given = request.headers.get("x-telegram-bot-api-secret-token")
        if not secret_matches(channel.settings.webhook_secret, given):
            raise BadRequest(403, "wrong or missing secret token")
        payload = json_object(await raw_body(request))
        if not isinstance(payload.get("update_id"), int):
            raise BadRequest(400, "not a Telegram update")
    except BadRequest as error:
        return rejection("telegram", error)
    # Authenticated from here on: an update of the wrong shape is acknowledged (Telegram would
    # retry anything else forever) and logged by its id only, never by its content.
    update_id = payload["update_id"]
    try:
        update = channel.parse(payload)
        inbound = inbound_from_update(update) if update is not None else None
    except Exception as error:  # PTB raises various errors on malformed updates
        log.warning("telegram: update %s has the wrong shape (%s); acknowledged", update_id, type(error).__name__)
        return Response(status_code=200)
    if inbound is None:
        if update is None or update.message or update.callback_query:
            log.warning("telegram: update %s cannot be stored (ids or text of the wrong shape)", update_id)
        return Response(status_code=200)
    await channel.accept_update(update)
    return Response(status_code=200)


async def whatsapp_verify(request: Request) -> Response:
    channel = request.app.state.channels.whatsapp
    if channel is None:
        return JSONResponse({"error": "whatsapp is not configured"}, status_code=404)
    params = request.query_params
    if params.get("hub.mode") == "subscribe" and secret_matches(
        channel.settings.verify_token, params.get("hub.verify_token")
    ):
        return PlainTextResponse(params.get("hub.challenge", ""))
    log.warning("whatsapp webhook verification refused")
    return JSONResponse({"error": "verification failed"}, status_code=403)


async def whatsapp_webhook(request: Request) -> Response:
    channel = request.app.state.channels.whatsapp
    if channel is None:
        return JSONResponse({"error": "whatsapp is not configured"}, status_code=404)
    try:
        body = await raw_body(request)
        # nothing is parsed before the signature is checked
        if not signature_valid(channel.settings.app_secret, body, request.headers.get("x-hub-signature-256")):
            raise BadRequest(401, "invalid signature")
        payload = json_object(body)
    except BadRequest as error:
        return rejection("whatsapp", error)
    # Authenticated: whatever the shape, the notification is acknowledged (a 5xx makes Meta retry
    # it for days); what cannot be read is logged without its content.
    messages, statuses = parse_notification(payload)
    for inbound in messages:
        await channel.accept(inbound)
    await channel.record_statuses(statuses)
    return Response(status_code=200)
