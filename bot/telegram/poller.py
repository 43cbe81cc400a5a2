"""Parley's own long polling: store each fetched batch, then confirm it.

PTB's stock Updater confirms updates to Telegram as soon as it fetched them, before any handler
ran, so a crash loses what was queued. Here a batch is written to the inbox first; only the
next `getUpdates` (with offset = last id + 1) confirms it to Telegram. A crash between the two
means Telegram sends the batch again, and the coach's delivery ids make that harmless.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from typing import Any

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from bot.coach.service import CoachService
from bot.telegram.blocking import DatabaseThread
from bot.telegram.chats import chat_of
from bot.telegram.handlers import ALLOWED_UPDATES
from bot.telegram.metrics import Metrics
from bot.telegram.sender import _seconds

log = logging.getLogger(__name__)
# do_api_request warns that Bot.get_updates exists; we call it raw on purpose (see fetch).
warnings.filterwarnings("ignore", message=".*Bot.getUpdates", category=PTBUserWarning)

POLL_TIMEOUT = 25


async def fetch(bot: Bot, offset: int | None) -> list[dict[str, Any]]:
    """getUpdates returning the raw JSON list (PTB's public escape hatch for raw calls)."""
    result = await bot.do_api_request(
        "getUpdates",
        api_kwargs={
            "offset": offset,
            "timeout": POLL_TIMEOUT,
            "allowed_updates": list(ALLOWED_UPDATES),
        },
        read_timeout=POLL_TIMEOUT + 10,
    )
    return list(result or [])


async def replay_inbox(
    application: Application,  # type: ignore[type-arg]
    service: CoachService,
    db: DatabaseThread,
) -> int:
    """Queue updates stored but never handled (the bot stopped before handling them)."""
    pending = await db(service.pending_inbox)
    for _update_id, payload in pending:
        update = Update.de_json(payload, application.bot)
        await application.update_queue.put(update)
    if pending:
        log.info("inbox replay updates=%d", len(pending))
    return len(pending)


async def poll(
    application: Application,  # type: ignore[type-arg]
    service: CoachService,
    db: DatabaseThread,
    stop: asyncio.Event,
    metrics: Metrics | None = None,
) -> None:
    """Fetch, store, queue; until `stop` is set. Errors back off instead of ending the loop.
    Each round beats the poller's heartbeat (/healthz)."""
    offset: int | None = None
    backoff = 1.0
    while not stop.is_set():
        if metrics is not None:
            metrics.beat("poller")
        try:
            raw = await fetch(application.bot, offset)
        except RetryAfter as exc:
            await asyncio.sleep(_seconds(exc.retry_after))
            continue
        except (InvalidToken, Conflict) as exc:
            log.error("polling cannot continue error=%s", type(exc).__name__)
            stop.set()
            raise
        except (TimedOut, NetworkError) as exc:
            log.warning("polling error=%s retry_in=%.0fs", type(exc).__name__, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30.0)
            continue
        backoff = 1.0
        if not raw:
            continue
        # The raw JSON goes to the inbox as received (serialising parsed objects back with
        # to_dict cost ~0.5 ms an update); PTB objects are built once, for the handlers.
        batch = [(int(body["update_id"]), chat_of(body), body) for body in raw]
        await db(service.store_inbox, batch)
        offset = batch[-1][0] + 1
        for body in raw:
            update = Update.de_json(body, application.bot)
            await application.update_queue.put(update)
