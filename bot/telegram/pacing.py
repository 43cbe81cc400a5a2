"""Pace outgoing messages to Telegram's limits before a 429 says so.

Telegram asks bots to stay under about 30 messages a second in all, about one a second in one
chat (short bursts allowed) and 20 a minute in one group; past them it answers 429 with a
`retry_after`, and the chat waits that long. The outbox sender asks `Pacer.wait` before every
send, and waits, in its own chat's task, until both the bot's and the chat's allowance have
room. The limits here are a little under Telegram's, so the jitter between sending and
arriving never makes a message look early.

Why our own and not PTB's `AIORateLimiter`: the sender already owns the order of each chat and
its retries (a 429 that still comes is handled there, once), and AIORateLimiter needs another
dependency (aiolimiter) to do the same arithmetic around every API call, edits and chat actions
included. Each limit is a GCRA (the "virtual scheduling" token bucket): one float per bucket,
reserved in the order callers ask, so a chat's messages keep their order and no chat starves.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Messages per second, and how many may go at once, for the bot and one chat/group."""

    bot_rate: float = 25.0
    bot_burst: int = 5
    chat_rate: float = 1.0
    chat_burst: int = 3
    group_rate: float = 18 / 60
    group_burst: int = 3

    def scaled(self, factor: float) -> Limits:
        """The same shape `factor` times faster (tests and benchmarks; Telegram's are fixed)."""
        return Limits(
            self.bot_rate * factor,
            self.bot_burst,
            self.chat_rate * factor,
            self.chat_burst,
            self.group_rate * factor,
            self.group_burst,
        )


class _Bucket:
    """GCRA: `due` is when the next message would go if sent at the sustained rate."""

    __slots__ = ("due", "interval", "slack")

    def __init__(self, rate: float, burst: int) -> None:
        self.interval = 1.0 / rate
        self.slack = (burst - 1) * self.interval
        self.due = 0.0

    def earliest(self, now: float) -> float:
        return max(now, self.due - self.slack)

    def take(self, at: float) -> None:
        self.due = max(self.due, at) + self.interval


PRUNE_AT = 10_000
"""Chat buckets kept before the idle ones (already full again) are dropped."""


class Pacer:
    """Reserves a sending slot under the bot's and the chat's limit; `None` limits: no pacing."""

    def __init__(
        self,
        limits: Limits | None = Limits(),
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.limits = limits
        self._clock, self._sleep = clock, sleep
        self._bot = _Bucket(limits.bot_rate, limits.bot_burst) if limits else None
        self._chats: dict[int, _Bucket] = {}
        self.waited = 0.0
        """Seconds spent waiting in all (for the metrics and the tests)."""

    async def wait(self, chat_id: int) -> float:
        """Return when a message to `chat_id` may go (the slot is taken by this call): the
        seconds waited."""
        limits, bot = self.limits, self._bot
        if limits is None or bot is None:
            return 0.0
        now = self._clock()
        chat = self._chats.get(chat_id)
        if chat is None:
            if len(self._chats) >= PRUNE_AT:
                self._prune(now)
            group = chat_id < 0  # groups and channels have negative ids
            rate = limits.group_rate if group else limits.chat_rate
            chat = self._chats[chat_id] = _Bucket(
                rate, limits.group_burst if group else limits.chat_burst
            )
        at = max(bot.earliest(now), chat.earliest(now))
        bot.take(at)
        chat.take(at)
        if at <= now:
            return 0.0
        self.waited += at - now
        await self._sleep(at - now)
        return at - now

    def _prune(self, now: float) -> None:
        """Forget chats whose bucket is full again: a fresh one behaves the same."""
        self._chats = {chat: b for chat, b in self._chats.items() if b.due > now}
