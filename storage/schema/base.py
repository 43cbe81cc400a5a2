"""The declarative base every table derives from, and the default clock of its columns.

`utcnow` is only a column default, for rows inserted by hand outside a unit of work (tests that
insert fixtures, migrations). Storage's own statements never rely on it: they write the time of
the unit of work's clock (storage.uow), and on SQLite's fast path a column left to this default
fails the statement (storage.statements) instead of silently reading the system clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON
from sqlalchemy.orm import DeclarativeBase


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}
