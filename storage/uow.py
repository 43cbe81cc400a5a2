"""The unit of work: one transaction and one clock for a turn, a web request or a CLI command.

Storage functions take a `UnitOfWork` and never commit: whoever opened it (the coach service
for a message, the course service for a page, a CLI command) decides where the transaction
ends. It carries the clock, so every time storage writes is the caller's clock's time (a test
that moves its clock moves what is stored), and nothing in storage reads the system time on
its own. On SQLite it also carries the driver connection, so the statements of
`storage.statements` can run on sqlite3 inside the very transaction SQLAlchemy began.

`Database` is what entry points open once (`storage.database.open_database`): the engine, the
clock and whether that SQLite fast path is on (tests run with it off too, so the Core path of
every statement is exercised on SQLite as well as on PostgreSQL).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine

from storage.statements import Outcome, Statement

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Naive UTC now, the form every timestamp column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


class UnitOfWork:
    """An open transaction (its Core connection) and the clock that dates what it writes."""

    __slots__ = ("connection", "driver", "execute", "now")

    def __init__(self, connection: Connection, clock: Clock, fast: bool = True) -> None:
        self.connection = connection
        # Any other Core statement (listings, operator queries, tests): the connection's own
        # `execute`, so its typed overloads carry over.
        self.execute = connection.execute
        self.now = clock
        self.driver: sqlite3.Connection | None = None
        if fast and connection.dialect.name == "sqlite":
            driver = connection.connection.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            self.driver = driver

    @property
    def dialect(self) -> str:
        return self.connection.dialect.name

    def run(
        self,
        statement: Statement,
        params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    ) -> Outcome:
        """A statement defined once in `storage.statements` (fast on SQLite)."""
        return statement.run(self.connection, self.driver, {} if params is None else params)


@dataclass(frozen=True)
class Database:
    """The engine, the clock its units of work carry, and whether SQLite runs on sqlite3."""

    engine: Engine
    clock: Clock = system_clock
    fast: bool = True

    def with_clock(self, clock: Clock | None) -> Database:
        """The same database whose units of work carry `clock` (unchanged when None)."""
        return self if clock is None else replace(self, clock=clock)

    def on(self, connection: Connection) -> UnitOfWork:
        """A unit of work on a connection the caller keeps (and has begun a transaction on)."""
        return UnitOfWork(connection, self.clock, self.fast)

    @contextmanager
    def begin(self) -> Iterator[UnitOfWork]:
        """A transaction on a pooled connection: committed when the block ends, rolled back
        when it raises."""
        with self.engine.begin() as connection:
            yield UnitOfWork(connection, self.clock, self.fast)

    def dispose(self) -> None:
        self.engine.dispose()
