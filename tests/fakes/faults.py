"""Scripted failures, so tests can prove the bot survives Telegram's bad days.

Telegram rate-limits (429 with ``retry_after``), has outages (500/502) and drops connections;
a bot that only ever sees 200s will crash or lose messages on the first of these. Faults are
queued per method and consumed in order by the server.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .api_spec import ApiError

_DESCRIPTIONS = {500: "Internal Server Error", 502: "Bad Gateway", 403: "Forbidden"}


@dataclass
class Fault:
    """One queued failure; ``error`` None means drop the connection without answering."""

    method: str | None
    error: ApiError | None
    remaining: int


class FaultQueue:
    """Thread-safe queue of faults (added from tests, consumed by the server thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def fail_next(
        self,
        method: str | None,
        error_code: int = 429,
        retry_after: int = 2,
        times: int = 1,
        description: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (None: any method) with an error."""
        parameters = {"retry_after": retry_after} if error_code == 429 else None
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if error_code == 429
                else _DESCRIPTIONS.get(error_code, f"Error {error_code}: injected by the test")
            )
        error = ApiError(error_code, description, parameters)
        with self._lock:
            self._faults.append(Fault(_lower(method), error, times))

    def drop_next(self, method: str | None, times: int = 1) -> None:
        """Close the connection without answering the next ``times`` calls of ``method``."""
        with self._lock:
            self._faults.append(Fault(_lower(method), None, times))

    def take(self, method: str, drop: bool) -> Fault | None:
        """Consume the first queued fault of the given kind that matches ``method``."""
        with self._lock:
            for fault in self._faults:
                if (fault.error is None) == drop and fault.method in (None, method.lower()):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()


def _lower(method: str | None) -> str | None:
    return method.lower() if method is not None else None
