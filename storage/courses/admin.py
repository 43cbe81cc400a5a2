"""Queries for changing who runs a course: revoking the instructor role, adding a co-instructor
to a cohort, closing a cohort, and listing instructors for the operator.

Same conventions as storage.courses.cohorts: the caller owns the transaction; nothing here decides who
may do what (that is `bot.courses.access` and `bot.courses.admin`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, union, update

from storage.courses.cohorts import (
    COHORT_INSTRUCTORS,
    COHORTS,
    INSTRUCTORS,
    MEMBERS,
    SESSIONS,
    SHARES,
    USERS,
)
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class InstructorRow:
    user_id: int
    external_id: str
    display_name: str
    name: str
    granted_by: str | None
    granted_at: datetime
    cohorts: list[tuple[int, str]]
    """(id, name) of the cohorts they instruct."""


def revoke_instructor(db: UnitOfWork, user_id: int) -> list[int] | None:
    """Take the role away: the `instructors` row and every `cohort_instructors` row of the
    user. Returns the cohorts they instructed; None when they were not an instructor."""
    found = db.execute(
        select(INSTRUCTORS.c.user_id).where(INSTRUCTORS.c.user_id == user_id)
    ).first()
    if found is None:
        return None
    taught = [
        int(r[0])
        for r in db.execute(
            select(COHORT_INSTRUCTORS.c.cohort_id)
            .where(COHORT_INSTRUCTORS.c.user_id == user_id)
            .order_by(COHORT_INSTRUCTORS.c.cohort_id)
        )
    ]
    db.execute(delete(COHORT_INSTRUCTORS).where(COHORT_INSTRUCTORS.c.user_id == user_id))
    db.execute(delete(INSTRUCTORS).where(INSTRUCTORS.c.user_id == user_id))
    return taught


def without_instructor(db: UnitOfWork, cohort_ids: list[int]) -> list[int]:
    """Those of the cohorts that have no instructor left (nobody can read their shares)."""
    if not cohort_ids:
        return []
    taught = select(COHORT_INSTRUCTORS.c.cohort_id).where(
        COHORT_INSTRUCTORS.c.cohort_id.in_(cohort_ids)
    )
    query = (
        select(COHORTS.c.id)
        .where(COHORTS.c.id.in_(cohort_ids), COHORTS.c.id.not_in(taught))
        .order_by(COHORTS.c.id)
    )
    return [int(r[0]) for r in db.execute(query)]


def cohort_exists(db: UnitOfWork, cohort_id: int) -> bool:
    query = select(COHORTS.c.id).where(COHORTS.c.id == cohort_id)
    return db.execute(query).first() is not None


def is_closed(db: UnitOfWork, cohort_id: int) -> bool:
    query = select(COHORTS.c.closed_at).where(COHORTS.c.id == cohort_id)
    return db.execute(query).scalar_one_or_none() is not None


def closed_among(db: UnitOfWork, cohort_ids: list[int]) -> set[int]:
    if not cohort_ids:
        return set()
    query = select(COHORTS.c.id).where(
        COHORTS.c.id.in_(cohort_ids), COHORTS.c.closed_at.is_not(None)
    )
    return {int(r[0]) for r in db.execute(query)}


def add_cohort_instructor(db: UnitOfWork, cohort_id: int, user_id: int) -> bool:
    """True when the user was not already an instructor of the cohort."""
    already = db.execute(
        select(COHORT_INSTRUCTORS.c.user_id).where(
            COHORT_INSTRUCTORS.c.cohort_id == cohort_id, COHORT_INSTRUCTORS.c.user_id == user_id
        )
    ).first()
    if already is not None:
        return False
    db.execute(insert(COHORT_INSTRUCTORS).values(cohort_id=cohort_id, user_id=user_id))
    return True


def close_cohort(db: UnitOfWork, cohort_id: int, now: datetime) -> bool:
    """Mark the cohort closed; False when it already was (the first closing time stays)."""
    result = db.execute(
        update(COHORTS)
        .where(COHORTS.c.id == cohort_id, COHORTS.c.closed_at.is_(None))
        .values(closed_at=now)
    )
    return bool(result.rowcount)


def current_members(db: UnitOfWork, cohort_id: int) -> list[int]:
    query = (
        select(MEMBERS.c.user_id)
        .where(MEMBERS.c.cohort_id == cohort_id, MEMBERS.c.left_at.is_(None))
        .order_by(MEMBERS.c.user_id)
    )
    return [int(r[0]) for r in db.execute(query)]


def readers_concerned(db: UnitOfWork, cohort_id: int) -> list[int]:
    """Everyone whose transcripts a new instructor of the cohort could read: its current
    members, and former members whose sessions stay shared with it."""
    members = select(MEMBERS.c.user_id.label("user_id")).where(
        MEMBERS.c.cohort_id == cohort_id, MEMBERS.c.left_at.is_(None)
    )
    sharing = (
        select(SESSIONS.c.user_id.label("user_id"))
        .join(SHARES, SHARES.c.session_id == SESSIONS.c.id)
        .where(SHARES.c.cohort_id == cohort_id)
    )
    found = db.execute(union(members, sharing))
    return sorted(int(r[0]) for r in found)


def all_instructors(db: UnitOfWork) -> list[InstructorRow]:
    """Every instructor with the cohorts they teach (two queries)."""
    taught: dict[int, list[tuple[int, str]]] = {}
    query = (
        select(COHORT_INSTRUCTORS.c.user_id, COHORTS.c.id, COHORTS.c.name)
        .join(COHORTS, COHORTS.c.id == COHORT_INSTRUCTORS.c.cohort_id)
        .order_by(COHORTS.c.id)
    )
    for row in db.execute(query):
        taught.setdefault(int(row.user_id), []).append((int(row.id), str(row.name)))
    rows = db.execute(
        select(
            INSTRUCTORS.c.user_id,
            INSTRUCTORS.c.name,
            INSTRUCTORS.c.granted_by,
            INSTRUCTORS.c.granted_at,
            USERS.c.external_id,
            USERS.c.display_name,
        )
        .join(USERS, USERS.c.id == INSTRUCTORS.c.user_id)
        .order_by(INSTRUCTORS.c.granted_at, INSTRUCTORS.c.user_id)
    )
    return [
        InstructorRow(
            user_id=int(r.user_id),
            external_id=str(r.external_id),
            display_name=str(r.display_name),
            name=str(r.name),
            granted_by=r.granted_by,
            granted_at=r.granted_at,
            cohorts=taught.get(int(r.user_id), []),
        )
        for r in rows
    ]
