"""One definition per SQL statement: a Core statement, run through Core or, on SQLite, on sqlite3.

Each message runs about seven statements. Through SQLAlchemy Core each costs ~55-100 µs on the
2-core machine, through Python's sqlite3 about 10 µs (`make bench`). Hand-written sqlite3 twins
of the Core statements used to buy that speed, at the price of every statement existing twice
and rows read by position. Here the Core statement is the only definition: on SQLite it is
compiled once by SQLAlchemy's own SQLite compiler, and each run converts the parameters with
the column types' own bind processors (JSON text, "YYYY-MM-DD HH:MM:SS.ffffff" timestamps, 0/1
booleans) and the rows with their result processors, so what is written and read is exactly what
Core would write and read. Rows come back as mappings by column name, never by position.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, Executable

Row = Mapping[str, Any]
_MISSING = object()


@dataclass
class Outcome:
    """What a statement did: the rows it returned (by column name) and the rows it changed."""

    rows: list[Row] = field(default_factory=list)
    rowcount: int = 0

    def first(self) -> Row | None:
        return self.rows[0] if self.rows else None


@dataclass(frozen=True)
class _Compiled:
    """The SQL text, how to build its positional parameters, and how to read its columns."""

    sql: str
    binds: tuple[tuple[str, Callable[[Any], Any] | None, Any], ...]
    columns: tuple[tuple[str, Callable[[Any], Any] | None], ...]
    names: tuple[str, ...] = ()
    processed: tuple[tuple[int, Callable[[Any], Any]], ...] = ()
    """The columns' names, and (position, result processor) of those that have one."""

    def parameters(self, given: Mapping[str, Any]) -> tuple[Any, ...]:
        values: list[Any] = []
        append = values.append  # one loop, no comprehension frames: ~7 statements a message
        for name, process, default in self.binds:
            value = given[name] if default is _MISSING or name in given else default
            append(value if process is None else process(value))
        return tuple(values)

    def rows(self, cursor: sqlite3.Cursor) -> list[Row]:
        found = cursor.fetchall()
        if not found:
            return []
        # Column names come from the compiled statement; a SELECT of other columns than it
        # compiled (never expected) fails here rather than reading a value into the wrong name.
        assert len(cursor.description) == len(self.columns), self.sql
        names = self.names
        processed = self.processed
        if not processed:  # plain columns (ints, text): the driver's values as they are
            return [dict(zip(names, row, strict=True)) for row in found]
        rows: list[Row] = []
        for row in found:
            values = list(row)
            for index, process in processed:
                values[index] = process(values[index])
            rows.append(dict(zip(names, values, strict=True)))
        return rows


def _compile(statement: Executable, dialect: Dialect) -> _Compiled:
    assert isinstance(statement, ClauseElement)
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    # Columns Core would fill from a Python-side default are not filled here: a caller must
    # give them (a clock's time, not the column default's), or the run fails with a KeyError.
    prefetched = {column.key for column in (*compiled.insert_prefetch, *compiled.update_prefetch)}
    binds = []
    for name in compiled.positiontup or ():
        bind = compiled.binds[name]
        needed = bind.required or name in prefetched
        default = _MISSING if needed else bind.effective_value
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        binds.append((name, process, default))
    columns = []
    # A SELECT's columns, or a DML statement's RETURNING columns (none without RETURNING).
    for column in getattr(statement, "exported_columns", ()):
        process = column.type.dialect_impl(dialect).result_processor(dialect, None)
        columns.append((str(column.key), process))
    names = [name for name, _ in columns]
    assert len(set(names)) == len(names), f"label the duplicate columns of: {compiled.string}"
    processed = tuple(
        (index, process) for index, (_name, process) in enumerate(columns) if process is not None
    )
    return _Compiled(compiled.string, tuple(binds), tuple(columns), tuple(names), processed)


class Statement:
    """A Core statement built once (per dialect when it differs, e.g. ON CONFLICT clauses)."""

    __slots__ = ("_build", "_compiled", "_core")

    def __init__(self, build: Executable | Callable[[str], Executable]) -> None:
        self._build = build
        self._core: dict[str, Executable] = {}
        self._compiled: dict[str, _Compiled] = {}

    def core(self, dialect: str) -> Executable:
        found = self._core.get(dialect)
        if found is None:
            build = self._build
            found = build if isinstance(build, Executable) else build(dialect)
            self._core[dialect] = found
        return found

    def run(
        self,
        connection: Connection,
        driver: sqlite3.Connection | None,
        params: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    ) -> Outcome:
        """Run once with a mapping, or once per mapping of a sequence (rows returned in the
        order given); on sqlite3 when `driver` is given, else through Core."""
        if driver is None:
            return self._run_core(connection, params)
        compiled = self._compiled.get("sqlite")
        if compiled is None:
            compiled = self._compiled["sqlite"] = _compile(self.core("sqlite"), connection.dialect)
        if type(params) is dict or isinstance(params, Mapping):  # dict: skip the ABC check
            cursor = driver.execute(compiled.sql, compiled.parameters(params))
            rows = compiled.rows(cursor)
            return Outcome(rows, cursor.rowcount)
        if not compiled.columns:
            cursor = driver.executemany(compiled.sql, [compiled.parameters(p) for p in params])
            return Outcome([], cursor.rowcount)
        outcome = Outcome()
        for one in params:
            cursor = driver.execute(compiled.sql, compiled.parameters(one))
            outcome.rows += compiled.rows(cursor)
            outcome.rowcount += cursor.rowcount
        return outcome

    def _run_core(
        self, connection: Connection, params: Mapping[str, Any] | Sequence[Mapping[str, Any]]
    ) -> Outcome:
        statement = self.core(connection.dialect.name)
        given = dict(params) if isinstance(params, Mapping) else [dict(p) for p in params]
        result = connection.execute(statement, given)
        rows: list[Row] = [dict(row) for row in result.mappings()] if result.returns_rows else []
        return Outcome(rows, result.rowcount)
