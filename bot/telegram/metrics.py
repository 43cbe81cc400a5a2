"""What operators can watch: Prometheus metrics and the heartbeats behind /healthz.

prometheus_client, with its process and platform collectors (CPU, memory, open files), in a
registry of this process's own (tests make several). Names follow Prometheus's conventions:
`_total` counters, base units (`_seconds`), a `parley_` prefix. The outbox backlog is read
from the database when scraped (bot/telegram/operator_server.py), never counted here.
"""

from __future__ import annotations

import time

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BOT_API_ERRORS = frozenset({"rate_limited", "blocked", "refused", "network"})
"""Kinds of `Metrics.error` that are Telegram's answers to a send; the rest are our own."""


class Metrics:
    """The bot's metrics and heartbeats; thread-safe (prometheus_client locks its own)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self._updates = Counter(
            "parley_updates", "Updates handled, by kind.", ["kind"], registry=self.registry
        )
        self._duration = Histogram(
            "parley_update_duration_seconds",
            "From receiving an update to having sent its replies.",
            buckets=BUCKETS,
            registry=self.registry,
        )
        self._api_errors = Counter(
            "parley_bot_api_errors",
            "Bot API calls that failed, by kind (rate_limited, blocked, refused, network).",
            ["kind"],
            registry=self.registry,
        )
        self._errors = Counter(
            "parley_update_errors",
            "Updates that failed or were refused, by kind.",
            ["kind"],
            registry=self.registry,
        )
        self.outbox_pending = Gauge(
            "parley_outbox_pending_messages",
            "Messages committed but not yet delivered (read when scraped).",
            registry=self.registry,
        )
        self._paced = Counter(
            "parley_send_paced_seconds",
            "Time sends waited for Telegram's rate limits.",
            registry=self.registry,
        )
        self._beats: dict[str, float] = {}

    def update_handled(self, kind: str, seconds: float) -> None:
        self._updates.labels(kind).inc()
        self._duration.observe(seconds)

    def error(self, kind: str) -> None:
        (self._api_errors if kind in BOT_API_ERRORS else self._errors).labels(kind).inc()

    def paced(self, seconds: float) -> None:
        self._paced.inc(seconds)

    def beat(self, loop: str) -> None:
        """`loop` (the poller, the sender) is still going round."""
        self._beats[loop] = time.monotonic()

    def stale(self, limits: dict[str, float]) -> list[str]:
        """The loops among `limits` that have not beaten for longer than their limit."""
        now = time.monotonic()
        return [name for name, limit in limits.items() if now - self._beats.get(name, 0) > limit]

    def watch(self, *loops: str) -> None:
        """Start the clock for `loops` now (a loop not started yet is not stuck)."""
        for loop in loops:
            self._beats.setdefault(loop, time.monotonic())
