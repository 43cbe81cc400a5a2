"""Several bot processes, one PostgreSQL: each chat drained in order by one worker at a time.

In webhook mode on PostgreSQL any worker may receive any update. It stores the update in the
inbox (with its chat) and answers 200; then the chat is "drained": under a PostgreSQL advisory
lock on the chat id, the worker holding it first sends the chat's undelivered outbox messages,
then handles the chat's stored updates in update_id order, and writes its delivered marks
before letting go. A worker that finds the lock taken leaves the chat to its holder. A periodic
scan picks up chats whose updates or messages were left behind (a worker died), so whichever
worker is free finishes them, and nothing is sent twice: outbox rows are read and marked only
under the chat's lock. A dead worker's locks go with its database connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from sqlalchemy import Connection, text
from telegram import Update
from telegram.ext import Application

from bot.coach.service import CoachService
from bot.telegram.blocking import DatabaseThread
from bot.telegram.handlers import UpdateHandler
from bot.telegram.ordering import ChatLocks
from bot.telegram.sender import CHANNEL, OutboxSender

log = logging.getLogger(__name__)

SCAN_EVERY = 1.0
DRAINS_AT_ONCE = 4  # each holds a database connection for its advisory lock


class ChatDrainer:
    """Drains chats on demand (`kick`) and from a periodic scan (`run`)."""

    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        service: CoachService,
        handler: UpdateHandler,
        sender: OutboxSender,
        db: DatabaseThread,
        locks: ChatLocks,
    ) -> None:
        self.application = application
        self.service = service
        self.handler = handler
        self.sender = sender
        self.db = db
        self.locks = locks
        self._active: set[int] = set()
        self._slots = asyncio.Semaphore(DRAINS_AT_ONCE)
        self._tasks: set[asyncio.Task[None]] = set()

    def kick(self, chat_id: int) -> None:
        """Make sure this chat gets drained soon (once, however often it is kicked)."""
        if chat_id in self._active:
            return
        self._active.add(chat_id)
        task = asyncio.create_task(self._drain(chat_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def run(self, stop: asyncio.Event) -> None:
        """Scan for left-behind chats until `stop` is set."""
        while not stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), SCAN_EVERY)
            try:
                for chat_id in await self.db(self.service.chats_needing_work, CHANNEL):
                    self.kick(chat_id)
            except Exception:
                log.exception("drain scan failed")
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _drain(self, chat_id: int) -> None:
        try:
            async with self._slots:
                await self.locks.run(chat_id, self._drain_locked(chat_id))
        except Exception:
            log.exception("drain failed")
        finally:
            self._active.discard(chat_id)

    async def _drain_locked(self, chat_id: int) -> None:
        connection: Connection = await self.db(self._lock_connection)
        try:
            if not await self.db(_advisory, connection, "pg_try_advisory_lock", chat_id):
                return  # another worker is draining this chat and will see our update
            try:
                await self.sender.send_pending(chat_id)
                while rows := await self.db(self.service.pending_inbox_for_chat, chat_id):
                    for _update_id, payload in rows:
                        update = Update.de_json(payload, self.application.bot)
                        await self.handler.on_update(update, None)  # type: ignore[arg-type]
                    await self.sender.flush()
            finally:
                await self.sender.flush()
                await self.db(_advisory, connection, "pg_advisory_unlock", chat_id)
        finally:
            await self.db(connection.close)

    def _lock_connection(self) -> Connection:
        return self.service.engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def _advisory(connection: Connection, function: str, key: int) -> Any:
    return connection.execute(text(f"SELECT {function}(:key)"), {"key": key}).scalar()
