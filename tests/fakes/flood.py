"""Telegram's flood control, when a test asks for it: too many messages answer 429.

Telegram documents its limits only roughly: about 30 messages a second per bot, about one a
second per chat with short bursts allowed, 20 a minute per group. The fake holds each to a
token bucket (GCRA) with those rates; `scale` makes them all faster by the same factor, so a
test of a burst of 1,000 messages runs in seconds. Only sending methods count (what Telegram
counts as messages); `retry_after` is when the bucket has room again, in whole seconds as
Telegram gives it (at least 1).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from .api_spec import ApiError

SENDING = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendAudio",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendVideoNote",
        "sendMediaGroup",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendDice",
        "sendSticker",
        "copyMessage",
        "forwardMessage",
    }
)


@dataclass
class _Bucket:
    interval: float
    slack: float
    due: float = 0.0

    def refuse(self, now: float) -> float | None:
        """Seconds until room, or None (then the message is counted)."""
        if now < self.due - self.slack:
            return self.due - self.slack - now
        self.due = max(self.due, now) + self.interval
        return None


class FloodControl:
    """Per bot, per chat and per group limits; thread-safe (the server thread checks them)."""

    def __init__(
        self,
        scale: float = 1.0,
        bot_rate: float = 30.0,
        bot_burst: int = 30,
        chat_rate: float = 1.0,
        chat_burst: int = 5,
        group_per_minute: float = 20.0,
        group_burst: int = 5,
    ) -> None:
        self.scale = scale
        self._lock = threading.Lock()
        self._bot = _Bucket(1 / (bot_rate * scale), (bot_burst - 1) / (bot_rate * scale))
        self._chat = (1 / (chat_rate * scale), chat_burst)
        self._group = (60 / (group_per_minute * scale), group_burst)
        self._chats: dict[int, _Bucket] = {}
        self.refused = 0

    def check(self, method: str, params: dict[str, object]) -> None:
        """Raise the 429 Telegram would give for this call now, or count it."""
        if method not in SENDING:
            return
        given = str(params.get("chat_id", "0"))
        chat_id = int(given) if given.lstrip("-").isdigit() else 0  # "@channel": one bucket
        now = time.monotonic()
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                interval, burst = self._group if chat_id < 0 else self._chat
                chat = self._chats[chat_id] = _Bucket(interval, (burst - 1) * interval)
            saved = (self._bot.due, chat.due)
            wait = self._bot.refuse(now)
            if wait is None:
                wait = chat.refuse(now)
                if wait is not None:
                    self._bot.due = saved[0]  # refused: the bot's count is not spent either
            if wait is None:
                return
            self.refused += 1
        retry = max(1, math.ceil(wait * self.scale))
        raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
