"""A few Prometheus metrics, kept in memory and rendered in the text exposition format.

Small on purpose (no client library): counters for updates and errors by kind, a histogram of
the time from receiving an update to having sent its replies, and the outbox backlog read from
the database when scraped.
"""

from __future__ import annotations

import bisect
import threading
from collections import Counter

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """Thread-safe counters and one latency histogram."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.updates: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self._bucket_counts = [0] * (len(BUCKETS) + 1)
        self._latency_sum = 0.0
        self._latency_count = 0

    def update_handled(self, kind: str, seconds: float) -> None:
        with self._lock:
            self.updates[kind] += 1
            self._bucket_counts[bisect.bisect_left(BUCKETS, seconds)] += 1
            self._latency_sum += seconds
            self._latency_count += 1

    def error(self, kind: str) -> None:
        with self._lock:
            self.errors[kind] += 1

    def render(self, outbox_backlog: int) -> str:
        with self._lock:
            lines = [
                "# HELP parley_updates_total Updates handled, by kind.",
                "# TYPE parley_updates_total counter",
            ]
            lines += [
                f'parley_updates_total{{kind="{k}"}} {v}' for k, v in sorted(self.updates.items())
            ]
            lines += [
                "# HELP parley_update_seconds From receiving an update to having sent its replies.",
                "# TYPE parley_update_seconds histogram",
            ]
            cumulative = 0
            for bound, count in zip((*BUCKETS, float("inf")), self._bucket_counts, strict=True):
                cumulative += count
                label = "+Inf" if bound == float("inf") else repr(bound)
                lines.append(f'parley_update_seconds_bucket{{le="{label}"}} {cumulative}')
            lines.append(f"parley_update_seconds_sum {self._latency_sum:.6f}")
            lines.append(f"parley_update_seconds_count {self._latency_count}")
            lines += [
                "# HELP parley_errors_total Failures, by kind.",
                "# TYPE parley_errors_total counter",
            ]
            lines += [
                f'parley_errors_total{{kind="{k}"}} {v}' for k, v in sorted(self.errors.items())
            ]
            lines += [
                "# HELP parley_outbox_backlog Messages committed but not yet delivered.",
                "# TYPE parley_outbox_backlog gauge",
                f"parley_outbox_backlog {outbox_backlog}",
            ]
        return "\n".join(lines) + "\n"
