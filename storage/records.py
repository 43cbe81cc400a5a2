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


def _snapshot(record: Any, names: tuple[str, ...]) -> tuple[Any, ...]:
    """The named fields, copied deep enough to compare later: containers are replaced, never
    mutated in place, below their first level (an answer is a new `[value, shown]` list).
    One loop, no call per field: a turn takes four snapshots (`make bench`)."""
    values = []
    for name in names:
        value = getattr(record, name)
        if isinstance(value, dict):
            value = dict(value)
        elif isinstance(value, list):
            value = list(value)
        values.append(value)
    return tuple(values)


@cache
def _field_names(kind: type, *left_out: str) -> tuple[str, ...]:
    """A record class's field names but `left_out` (`dataclasses.fields` rebuilds its tuple on
    every call)."""
    return tuple(f.name for f in fields(kind) if f.name not in left_out)


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
        return _snapshot(self, _field_names(UserRecord))


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
    """question id -> [value, shown, words] (words: what the person typed, when they typed)."""
    pending_answer: dict[str, Any] | None = None
    """The readings the coach asked the person to choose from, with their words."""

    def snapshot(self) -> tuple[Any, ...]:
        """Every field a turn may change (copied), so a new column is compared without an
        edit here: a turn saves the row only when this changed. `updated_at` and `version`
        follow from saving."""
        return _snapshot(self, _field_names(SessionRecord, "updated_at", "version"))


@dataclass
class AnswerRecord:
    question_id: str
    value: Any
    shown: str
    words: str = ""


@dataclass
class LineRecord:
    at: datetime
    sender: str
    text: str
    question_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
