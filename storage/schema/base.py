"""The declarative base every table derives from, and the default clock of its columns.

`utcnow` is only a column default, for rows written outside a unit of work (tests that insert
fixtures, migrations); the coach, the site and the CLI pass their own clock's time.
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
