"""The models are what the migrations build, and every session column is read and written.

`storage.schema` is the schema the code believes in; the migrations are what a database really
has. Alembic's autogenerate comparison of the two must find nothing (a column added to one
and not the other fails here, on SQLite and on PostgreSQL). And a new `coaching_sessions`
column must be a `SessionRecord` field, which storage.repository then reads and writes on
every path: the round trip below gives each field a new value and reads it back.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import fields
from datetime import datetime
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import JSON

from storage import repository as repo
from storage.database import make_engine
from storage.records import SessionRecord
from storage.schema import Base
from storage.uow import Database

Opener = Callable[[str], Database]


def _json_defaults_differ(
    _context: Any,
    _inspected: Any,
    column: Any,
    inspected_default: str | None,
    _default: Any,
    rendered_default: str | None,
) -> bool | None:
    """PostgreSQL has no `json = json`, which Alembic's own comparison of server defaults
    runs: a JSON column's defaults are compared as text (`'{}'::json` against `'{}'`)."""
    if not isinstance(column.type, JSON):
        return None  # Alembic's comparison

    def bare(text: str | None) -> str | None:
        return None if text is None else text.split("::")[0].strip("'\"")

    return bare(inspected_default) != bare(rendered_default)


def test_the_models_match_the_migrations(database_url: str, opened: Opener) -> None:
    opened(database_url)  # a fresh database, upgraded to head by the migrations
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            options = {"compare_type": True, "compare_server_default": _json_defaults_differ}
            context = MigrationContext.configure(connection, opts=options)
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_every_session_column_is_a_session_record_field() -> None:
    columns = list(repo.SESSIONS.c.keys())
    assert sorted(columns) == sorted(f.name for f in fields(SessionRecord))


def _changed(name: str, kind: Any, old: Any) -> Any:
    """A value of the field's type that differs from `old` and survives the column."""
    if isinstance(kind, types.UnionType):  # `X | None`: a value of X
        kind = next(k for k in typing.get_args(kind) if k is not type(None))
    origin = typing.get_origin(kind) or kind
    if origin is datetime:
        return datetime(2027, 3, 4, 5, 6, 7, 891011)
    if origin is list:
        return [*(old or []), f"{name}-step", "é"]
    if origin is dict:
        return {**(old or {}), "q1": ["value", "Shown ✓"], "q2": [3, "three"]}
    if origin is bool:
        return not old
    if origin is int:
        return (old or 0) + 7
    if origin is str:
        return f"{name[:4]}-changed"
    raise AssertionError(f"no test value for a {kind} field {name!r}: add one here")


def test_every_session_field_round_trips_through_save_and_load(sessions: Database) -> None:
    """Both paths (sqlite3 and Core) and both reads (the row, and the user+session join)."""
    kinds = typing.get_type_hints(SessionRecord)
    with sessions.begin() as db:
        user = repo.get_or_create_user(db, "console:ana", "console", "Ana")
        record = repo.create_session(db, user.id, "coach", 1, "consent", db.now())
        user.current_session_id = record.id
        repo.save_user(db, user)
    fixed = ("id", "user_id", "version")
    for field in fields(SessionRecord):
        if field.name not in fixed:
            old = getattr(record, field.name)
            setattr(record, field.name, _changed(field.name, kinds[field.name], old))
    with sessions.begin() as db:
        repo.save_session(db, record)
    with sessions.begin() as db:
        assert repo.get_session(db, record.id) == record
        assert repo.lock_session(db, record.id) == record
        _, joined = repo.load_user(db, "console:ana", "console", "Ana")
        assert joined == record
