"""Webhook mode: Telegram posts updates to a Starlette endpoint instead of being polled.

The same durable path as polling: an update is written to the inbox and only then answered
with 200, so Telegram re-sends anything the bot did not keep. Requests without the secret
token Telegram was given get 403; bodies over 1 MB 413; anything that is not an update 400.
None of them touches the database. `/healthz` says the process is alive, `/readyz` that the
database answers and its migrations are current.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot.coach.service import CoachService
from bot.errors import ParleyError
from bot.telegram.blocking import DatabaseThread
from bot.telegram.chats import chat_of
from bot.telegram.metrics import Metrics
from bot.telegram.operator_server import readiness

log = logging.getLogger(__name__)

MAX_BODY = 1_000_000
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class BodyTooLargeError(ParleyError):
    """The request body passed MAX_BODY."""


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if (
        declared is not None
        and declared.isascii()
        and declared.isdigit()
        and int(declared) > MAX_BODY
    ):
        raise BodyTooLargeError
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise BodyTooLargeError
    return bytes(body)


def build_webhook_app(
    application: Application,  # type: ignore[type-arg]
    service: CoachService,
    db: DatabaseThread,
    metrics: Metrics,
    path: str,
    secret: str,
    drain: Callable[[int], None] | None = None,
) -> Starlette:
    """The ASGI app serving the webhook path, /healthz and /readyz (the metrics are on the
    operators' port, bot/telegram/operator_server.py: not published with the webhook)."""

    async def receive(request: Request) -> Response:
        offered = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(offered.encode(), secret.encode()):
            metrics.error("webhook_forbidden")
            log.info("webhook refused reason=secret")
            return PlainTextResponse("forbidden", status_code=403)
        try:
            body = json.loads(await _read_body(request))
        except BodyTooLargeError:
            log.info("webhook refused reason=too-large")
            return PlainTextResponse("too large", status_code=413)
        except (ValueError, UnicodeDecodeError, RecursionError):
            metrics.error("webhook_malformed")
            log.info("webhook refused reason=not-json")
            return PlainTextResponse("not JSON", status_code=400)
        problem = shape_problem(body)
        if problem is not None:
            # Telegram sends neither: keep the update id as failed (a redelivery is then known)
            # and answer 400, without handing the body to anything else.
            metrics.error("webhook_malformed")
            log.info("webhook refused reason=%s", problem)
            update_id = body.get("update_id") if isinstance(body, dict) else None
            if type(update_id) is int and 0 <= update_id <= MAX_UPDATE_ID:
                await db(service.refuse_update, update_id, f"webhook: {problem}")
            return PlainTextResponse("not an update", status_code=400)
        update = _as_update(body, application)
        if update is None:
            log.info("webhook refused reason=not-an-update")
            return PlainTextResponse("not an update", status_code=400)
        chat = chat_of(body)
        await db(service.store_inbox, [(update.update_id, chat, body)])
        if drain is not None and chat is not None:
            drain(chat)  # several workers: handled under the chat's database lock
        else:
            await application.update_queue.put(update)
        return PlainTextResponse("ok")

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "alive"})

    readyz = readiness(service, db)

    return Starlette(
        routes=[
            Route(path, receive, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
        ]
    )


MAX_DEPTH = 32
"""Telegram's updates nest a few levels (a reply to a message in a callback query); far
deeper JSON is not an update, and parsing it into objects recurses as deep."""
MAX_UPDATE_ID = 2**31 - 1
"""The inbox keeps update ids in an integer column."""
_INT64 = 2**63


def shape_problem(body: Any) -> str | None:
    """Why a JSON body cannot be a Telegram update ("too-deep", "number-out-of-range",
    "bad-update-id"), or None. Telegram's ids fit in 64 bits (chat ids in 52)."""
    if isinstance(body, dict):
        update_id = body.get("update_id")
        if type(update_id) is not int or not 0 <= update_id <= MAX_UPDATE_ID:
            return "bad-update-id"
    stack: list[tuple[Any, int]] = [(body, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return "too-deep"
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif type(value) is int and not -_INT64 <= value < _INT64:
            return "number-out-of-range"
    return None


def _as_update(body: Any, application: Application) -> Update | None:  # type: ignore[type-arg]
    if not isinstance(body, dict) or type(body.get("update_id")) is not int:
        return None
    try:
        return Update.de_json(body, application.bot)
    except (TypeError, ValueError, KeyError):
        return None
