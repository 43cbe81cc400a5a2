"""Build and run the Telegram bot: `python -m bot run`.

Start-up order matters: undelivered outbox messages are sent first (they answer updates
already handled), then updates stored but never handled are replayed, then polling starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urlsplit

import uvicorn
from telegram import Update
from telegram.error import Conflict, InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest

from bot import redaction
from bot.coach import charts
from bot.coach.service import CoachService
from bot.config import ConfigError, Settings
from bot.courses.service import CourseService
from bot.courses.types import CourseSettings
from bot.engine.content import Content
from bot.telegram import menus
from bot.telegram.blocking import DatabaseThread
from bot.telegram.handlers import ALLOWED_UPDATES, UpdateHandler
from bot.telegram.http.aiohttp_request import AiohttpRequest
from bot.telegram.metrics import Metrics
from bot.telegram.operator_server import build_operator_app, operator_server
from bot.telegram.ordering import ChatLocks, ChatOrderedProcessor
from bot.telegram.pacing import Limits, Pacer
from bot.telegram.poller import poll, replay_inbox
from bot.telegram.reminder_jobs import start_reminder_jobs
from bot.telegram.sender import OutboxSender
from bot.telegram.webhook import build_webhook_app
from bot.telegram.workers import ChatDrainer

log = logging.getLogger(__name__)

SWEEP_EVERY = 15.0
STUCK_AFTER = {"poller": 120.0, "sender": 120.0}
"""Seconds without a beat after which /healthz calls a loop stuck: a long poll lasts 25 s
(35 s with its read timeout) and backs off up to 30 s; the sweep beats every 15 s."""


def build_application(
    settings: Settings, locks: ChatLocks, requests: tuple[BaseRequest, BaseRequest] | None = None
) -> Application:  # type: ignore[type-arg]
    """`requests`: (calls, long polling); the caller shuts them down (see `_run`)."""
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token.get_secret_value())
        .base_url(settings.telegram_api_base)
        .updater(None)
        .concurrent_updates(ChatOrderedProcessor(locks))
    )
    if requests is None:
        return builder.connection_pool_size(64).build()
    calls, polling = requests
    return builder.request(calls).get_updates_request(polling).build()


def _requests(settings: Settings) -> tuple[BaseRequest, BaseRequest] | None:
    """aiohttp for every call, uploads included (bot/telegram/http/aiohttp_request.py); None:
    python-telegram-bot's own httpx client (PARLEY_TELEGRAM_HTTP=httpx)."""
    if settings.telegram_http == "httpx":
        return None
    calls = AiohttpRequest(connection_pool_size=64)
    return calls, AiohttpRequest(connection_pool_size=1, sharing=calls)


class TelegramStartError(ConfigError):
    """Telegram refused to work with this configuration; one line for the operator, without
    the token (PTB's own message repeats it)."""


async def run(settings: Settings, service: CoachService, content: Content) -> None:
    """Run the bot until SIGINT/SIGTERM; a token or webhook Telegram refuses ends it with a
    `TelegramStartError` (the CLI prints one line)."""
    try:
        await _run(settings, service, content)
    except InvalidToken:
        raise TelegramStartError(
            "Telegram rejected the bot token: check TELEGRAM_BOT_TOKEN (@BotFather shows it)"
        ) from None
    except Conflict:
        raise TelegramStartError(
            "another process receives this bot's updates (a second `python -m bot run`, "
            "or a webhook): stop it first"
        ) from None
    except TelegramError as exc:
        redact = redaction.Redactor(settings.secrets()).redact
        raise TelegramStartError(f"Telegram refused: {redact(str(exc))}") from None


async def _run(settings: Settings, service: CoachService, content: Content) -> None:
    requests = _requests(settings)
    try:
        await _serve(settings, service, content, requests)
    finally:
        # PTB shuts its requests down only after a start that succeeded: a refused token
        # would leave aiohttp's sessions open (and a warning on stderr at exit).
        for request in reversed(requests or ()):
            await request.shutdown()


async def _serve(
    settings: Settings,
    service: CoachService,
    content: Content,
    requests: tuple[BaseRequest, BaseRequest] | None,
) -> None:
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    locks = ChatLocks()
    application = build_application(settings, locks, requests)
    db = DatabaseThread.for_dialect(service.engine.dialect.name)
    metrics = Metrics()
    limits = Limits().scaled(settings.send_pacing) if settings.send_pacing > 0 else None
    sender = OutboxSender(application.bot, service, locks, db, metrics, pacer=Pacer(limits))
    handler = UpdateHandler(service, content, sender, metrics)
    application.add_handler(TypeHandler(Update, handler.on_update))

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log our own failures with the traceback; the update stays in the inbox for a retry."""
        metrics.error("handler")
        log.error("update failed", exc_info=context.error)

    application.add_error_handler(on_error)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with application:
        me = await application.bot.get_me()
        log.info("connected bot=@%s", me.username)
        courses = service.setting(CourseSettings)
        if not courses.bot_username:  # for cohort invite links
            service.configure(replace(courses, bot_username=me.username or ""))
        instructors = await db(_instructor_ids, service, settings)
        await menus.publish(application.bot, content, settings.admin_ids, instructors)
        await application.start()
        # The chart's font loaded on a spare thread, not on the database thread
        # under SQLite's write lock when the first report is built (bot/coach/charts.py).
        warming = loop.run_in_executor(None, charts.warm_up)
        shared = bool(settings.webhook_url) and service.engine.dialect.name == "postgresql"
        drainer = ChatDrainer(application, service, handler, sender, db, locks)
        sender.batch_marks = not shared
        if not shared:  # one process owns everything: catch up before receiving
            await sender.sweep()
            await replay_inbox(application, service, db)
        # After the replay, so a /stop still in the inbox is applied before anything fires.
        kick = drainer.kick if shared else None
        scan = settings.reminder_scan_seconds
        await start_reminder_jobs(application, service, db, sender, locks, kick, scan)
        # Several workers: the sweep belongs to the drainer, which beats only with traffic.
        watched = {k: v for k, v in STUCK_AFTER.items() if k != "sender" or not shared}
        if settings.webhook_url:
            watched.pop("poller")
        metrics.watch(*watched)
        operators = None
        if settings.metrics_port:
            app = build_operator_app(service, db, metrics, watched)
            operators = operator_server(app, settings.metrics_host, settings.metrics_port)
            operating = asyncio.create_task(operators.serve())
            log.info("metrics host=%s port=%d", settings.metrics_host, settings.metrics_port)
        if settings.webhook_url:
            server = await _serve_webhook(
                settings, application, service, db, metrics, drainer.kick if shared else None
            )
            receiver = asyncio.create_task(server.serve())
        else:
            await application.bot.delete_webhook()
            receiver = asyncio.create_task(poll(application, service, db, stop, metrics))
        # Several workers share the outbox: only the chat-locked drain may send left-overs.
        background = drainer.run(stop) if shared else _sweep_forever(sender, stop, metrics)
        sweeper = asyncio.create_task(background)
        await stop.wait()
        log.info("stopping")
        if settings.webhook_url:
            server.should_exit = True
            await receiver
        for task in (receiver, sweeper):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if operators is not None:
            operators.should_exit = True
            await operating
        await application.stop()
        await warming
        await sender.flush()
    db.close()
    service.close()


async def _serve_webhook(
    settings: Settings,
    application: Application,  # type: ignore[type-arg]
    service: CoachService,
    db: DatabaseThread,
    metrics: Metrics,
    drain: Callable[[int], None] | None,
) -> uvicorn.Server:
    """Register the webhook with its secret and build the server (started by the caller)."""
    if not settings.webhook_secret.get_secret_value():
        raise ConfigError("WEBHOOK_SECRET is required when WEBHOOK_URL is set")
    path = urlsplit(settings.webhook_url).path or "/"
    await application.bot.set_webhook(
        settings.webhook_url,
        secret_token=settings.webhook_secret.get_secret_value(),
        allowed_updates=list(ALLOWED_UPDATES),
    )
    app = build_webhook_app(
        application, service, db, metrics, path, settings.webhook_secret.get_secret_value(), drain
    )
    config = uvicorn.Config(
        app,
        host=settings.webhook_host,
        port=settings.webhook_port,
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    redaction.install(settings.secrets())  # uvicorn's own log handlers, made just now
    # uvicorn captures SIGINT/SIGTERM while serving and raises them again once it has stopped,
    # which then reaches run()'s own handlers and stops the bot.
    log.info(
        "webhook mode host=%s port=%d path=%s", settings.webhook_host, settings.webhook_port, path
    )
    return server


def _instructor_ids(service: CoachService, settings: Settings) -> list[int]:
    """Telegram ids of the instructors, for their command menus."""
    courses = CourseService(service.database, service.content, settings.admin_ids)
    return [i.telegram_id for i in courses.instructors() if i.telegram_id is not None]


async def _sweep_forever(sender: OutboxSender, stop: asyncio.Event, metrics: Metrics) -> None:
    while not stop.is_set():
        metrics.beat("sender")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), SWEEP_EVERY)
        if not stop.is_set():
            try:
                await sender.sweep()
            except Exception:
                log.exception("outbox sweep failed")
