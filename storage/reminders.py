"""Queries for reminders and the user's reminder settings (time zone, on/off).

Same conventions as storage.repository: the caller owns the transaction, nothing commits here.
A reminder row only ever moves pending → sent or pending → cancelled; snoozing or re-planning
cancels a row and adds a new one, so a job armed for an old row can never send a new one.
`claim` is the one statement that decides whether a reminder is sent: it is what keeps a
reminder from going out twice, across restarts and several bot processes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, update

from storage.schema import User
from storage.schema.followups import Reminder
from storage.uow import UnitOfWork

REMINDERS = cast(Table, Reminder.__table__)
USERS = cast(Table, User.__table__)


@dataclass(frozen=True)
class ReminderRow:
    id: int
    user_id: int
    session_id: int
    kind: str
    due_at: datetime
    status: str
    sent_at: datetime | None


@dataclass(frozen=True)
class ReminderSettings:
    timezone: str
    timezone_set: bool
    enabled: bool


_COLUMNS = (
    REMINDERS.c.id,
    REMINDERS.c.user_id,
    REMINDERS.c.session_id,
    REMINDERS.c.kind,
    REMINDERS.c.due_at,
    REMINDERS.c.status,
    REMINDERS.c.sent_at,
)
_CLAIM = (
    update(REMINDERS)
    .where(
        REMINDERS.c.id == bindparam("key"),
        REMINDERS.c.status == "pending",
        REMINDERS.c.due_at <= bindparam("now"),
    )
    .values(status="sent", sent_at=bindparam("now"))
)


def _row(values: Sequence[object]) -> ReminderRow:
    return ReminderRow(*values)  # type: ignore[arg-type]


# ---- settings ---------------------------------------------------------------------------------
def settings_of(db: UnitOfWork, user_id: int) -> ReminderSettings:
    query = select(USERS.c.timezone, USERS.c.timezone_set, USERS.c.reminders_enabled).where(
        USERS.c.id == user_id
    )
    row = db.execute(query).first()
    if row is None:
        return ReminderSettings("UTC", False, True)
    return ReminderSettings(
        row.timezone or "UTC", bool(row.timezone_set), bool(row.reminders_enabled)
    )


def set_timezone(db: UnitOfWork, user_id: int, name: str) -> None:
    db.execute(update(USERS).where(USERS.c.id == user_id).values(timezone=name, timezone_set=True))


def set_enabled(db: UnitOfWork, user_id: int, enabled: bool) -> None:
    db.execute(update(USERS).where(USERS.c.id == user_id).values(reminders_enabled=enabled))


# ---- reminders --------------------------------------------------------------------------------
def add(
    db: UnitOfWork,
    user_id: int,
    session_id: int,
    planned: Sequence[tuple[str, datetime]],
    now: datetime,
) -> list[int]:
    """Insert pending reminders (kind, due) for one session; returns their ids."""
    ids = []
    for kind, due in planned:
        values = {
            "user_id": user_id,
            "session_id": session_id,
            "kind": kind,
            "due_at": due,
            "status": "pending",
            "created_at": now,
        }
        statement = insert(REMINDERS).values(**values).returning(REMINDERS.c.id)
        ids.append(int(db.execute(statement).scalar_one()))
    return ids


def cancel_pending(db: UnitOfWork, user_id: int, session_id: int | None = None) -> int:
    """Cancel a user's pending reminders (one session's, or all); returns how many."""
    statement = update(REMINDERS).where(
        REMINDERS.c.user_id == user_id, REMINDERS.c.status == "pending"
    )
    if session_id is not None:
        statement = statement.where(REMINDERS.c.session_id == session_id)
    return int(db.execute(statement.values(status="cancelled")).rowcount)


def cancel(db: UnitOfWork, reminder_id: int) -> bool:
    """Cancel one pending reminder; False if it was no longer pending."""
    statement = (
        update(REMINDERS)
        .where(REMINDERS.c.id == reminder_id, REMINDERS.c.status == "pending")
        .values(status="cancelled")
    )
    return int(db.execute(statement).rowcount) == 1


def cancel_claimed(db: UnitOfWork, reminder_id: int) -> None:
    """Undo a claim inside the claiming transaction: the reminder is dropped, not sent."""
    statement = update(REMINDERS).where(REMINDERS.c.id == reminder_id)
    db.execute(statement.values(status="cancelled", sent_at=None))


def get(db: UnitOfWork, reminder_id: int) -> ReminderRow | None:
    row = db.execute(select(*_COLUMNS).where(REMINDERS.c.id == reminder_id)).first()
    return _row(row) if row is not None else None


def pending_of(db: UnitOfWork, user_id: int) -> list[ReminderRow]:
    """A user's pending reminders, soonest first."""
    query = (
        select(*_COLUMNS)
        .where(REMINDERS.c.user_id == user_id, REMINDERS.c.status == "pending")
        .order_by(REMINDERS.c.due_at, REMINDERS.c.id)
    )
    return [_row(row) for row in db.execute(query)]


def sent_kinds(db: UnitOfWork, session_id: int) -> set[str]:
    """The kinds of reminder already sent for a session."""
    query = select(REMINDERS.c.kind).where(
        REMINDERS.c.session_id == session_id, REMINDERS.c.status == "sent"
    )
    return {str(row.kind) for row in db.execute(query)}


def claim(db: UnitOfWork, reminder_id: int, now: datetime) -> bool:
    """Mark a due, pending reminder sent; True only for the one caller that changed the row.

    Run in the transaction that writes the reminder's message to the outbox: either both
    happen or neither. A cancelled, already sent, deleted or not-yet-due row gives False."""
    result = db.execute(_CLAIM, {"key": reminder_id, "now": now})
    return int(result.rowcount) == 1


def due_before(
    db: UnitOfWork, channel: str, until: datetime | None, limit: int = 1000
) -> list[tuple[int, datetime]]:
    """(id, due) of pending reminders of `channel`'s users due by `until` (all if None)."""
    query = (
        select(REMINDERS.c.id, REMINDERS.c.due_at)
        .join(USERS, USERS.c.id == REMINDERS.c.user_id)
        .where(REMINDERS.c.status == "pending", USERS.c.channel == channel)
        .order_by(REMINDERS.c.due_at)
        .limit(limit)
    )
    if until is not None:
        query = query.where(REMINDERS.c.due_at <= until)
    return [(int(row.id), row.due_at) for row in db.execute(query)]
