"""Plain records the coach service reads and changes inside one transaction.

The per-message path uses SQLAlchemy Core with these dataclasses rather than ORM objects:
measured on the 2-core machine, an ORM query cost ~220 µs against ~55 µs for the same Core
query, and a unit-of-work flush of one turn's rows ~2 ms (see `make bench`). The ORM models in
`storage.schema.coaching` remain the schema, the migrations' source and what tools may use.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cache
from typing import Any


def _copied(value: Any) -> Any:
    """A copy deep enough to compare later: containers are replaced, never mutated in place,
    below their first level (an answer is a new `[value, shown]` list)."""
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return value


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    """A record class's field names (`dataclasses.fields` rebuilds its tuple on every call,
    and a turn takes three snapshots)."""
    return tuple(f.name for f in fields(kind))


@dataclass
class UserRecord:
    id: int
    external_id: str
    channel: str
    display_name: str
    current_session_id: int | None
    pending_action: str | None
    active: bool = True

    def snapshot(self) -> tuple[Any, ...]:
        """Every field: a turn saves the user only when this changed."""
        return tuple(_copied(getattr(self, name)) for name in _field_names(type(self)))


@dataclass
class SessionRecord:
    id: int
    user_id: int
    script_id: str
    script_version: int
    title: str
    state: str
    path: list[str]
    status: str
    version: int
    started_at: datetime
    updated_at: datetime
    completed_at: datetime | None = None
    answer_map: dict[str, list[Any]] = field(default_factory=dict)

    def snapshot(self) -> tuple[Any, ...]:
        """Every field a turn may change (copied), so a new column is compared without an
        edit here: a turn saves the row only when this changed. `updated_at` and `version`
        follow from saving."""
        return tuple(
            _copied(getattr(self, name))
            for name in _field_names(type(self))
            if name not in ("updated_at", "version")
        )


@dataclass
class AnswerRecord:
    question_id: str
    value: Any
    shown: str


@dataclass
class LineRecord:
    at: datetime
    sender: str
    text: str
    question_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
