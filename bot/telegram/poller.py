"""Parley's own long polling: store each fetched batch, then confirm it.

PTB's stock Updater confirms updates to Telegram as soon as it fetched them, before any handler
ran, so a crash loses what was queued. Here a batch is written to the inbox first; only the
next `getUpdates` (with offset = last id + 1) confirms it to Telegram. A crash between the two
means Telegram sends the batch again, and the coach's delivery ids make that harmless.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application

from bot.coach import CoachService
from bot.telegram.sender import _seconds

log = logging.getLogger(__name__)

POLL_TIMEOUT = 25


async def replay_inbox(application: Application, service: CoachService) -> int:  # type: ignore[type-arg]
    """Queue updates stored but never handled (the bot stopped before handling them)."""
    pending = await asyncio.to_thread(service.pending_inbox)
    for _update_id, payload in pending:
        update = Update.de_json(payload, application.bot)
        await application.update_queue.put(update)
    if pending:
        log.info("inbox replay updates=%d", len(pending))
    return len(pending)


async def poll(application: Application, service: CoachService, stop: asyncio.Event) -> None:  # type: ignore[type-arg]
    """Fetch, store, queue; until `stop` is set. Errors back off instead of ending the loop."""
    offset: int | None = None
    backoff = 1.0
    while not stop.is_set():
        try:
            updates = await application.bot.get_updates(
                offset=offset,
                timeout=POLL_TIMEOUT,
                allowed_updates=Update.ALL_TYPES,
            )
        except RetryAfter as exc:
            await asyncio.sleep(_seconds(exc.retry_after))
            continue
        except (InvalidToken, Conflict):
            log.exception("polling cannot continue")
            stop.set()
            raise
        except (TimedOut, NetworkError) as exc:
            log.warning("polling error=%s retry_in=%.0fs", type(exc).__name__, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30.0)
            continue
        backoff = 1.0
        if not updates:
            continue
        batch = [(u.update_id, u.to_dict()) for u in updates]
        await asyncio.to_thread(service.store_inbox, batch)
        offset = updates[-1].update_id + 1
        for update in updates:
            await application.update_queue.put(update)
