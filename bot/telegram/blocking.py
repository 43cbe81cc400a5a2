"""Blocking database calls, run off the event loop on a dedicated thread pool.

On SQLite there is one writer at a time: with six threads (asyncio's default pool here) the
losers wait in SQLite's busy handler, which sleeps in steps of up to 100 ms (measured with 20
users: p99 232 ms with 6 threads against 5.6 ms with one, and higher throughput with one). So
SQLite gets a single database thread; PostgreSQL, which locks rows, gets several.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class DatabaseThread:
    """`await db(fn, *args)` runs `fn` on the database thread(s) and returns its result."""

    def __init__(self, workers: int) -> None:
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="parley-db")

    @classmethod
    def for_dialect(cls, dialect: str) -> DatabaseThread:
        return cls(1 if dialect == "sqlite" else 4)

    async def __call__(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    def close(self) -> None:
        self._executor.shutdown(wait=True)
