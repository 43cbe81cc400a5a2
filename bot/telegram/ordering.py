"""Chats in parallel, each chat strictly in order.

PTB's `concurrent_updates=True` runs every update as its own task, so two quick messages from
one user can be handled out of order. This processor keeps PTB's concurrency across chats but
serialises updates of the same chat with one FIFO lock per chat.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class ChatLocks:
    """One asyncio.Lock per chat, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def run(self, chat_id: int, work: Awaitable[Any]) -> Any:
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        self._users[chat_id] = self._users.get(chat_id, 0) + 1
        try:
            async with lock:
                return await work
        finally:
            self._users[chat_id] -= 1
            if self._users[chat_id] == 0:
                del self._users[chat_id]
                del self._locks[chat_id]


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Different chats concurrently, one chat's updates one after another, in arrival order."""

    def __init__(self, locks: ChatLocks, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self.locks = locks

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        await self.locks.run(chat.id, coroutine)

    async def initialize(self) -> None:
        """Nothing to set up: locks are created on demand."""

    async def shutdown(self) -> None:
        """Nothing to release: locks die with their chats."""
