"""Queries for instructors, cohorts, membership and sharing (issue 4).

Same conventions as storage.repository: the caller owns the transaction and passes it in; no
function commits. These functions record and read facts only: whether a viewer may see
something is decided in `bot.courses.access`, which calls the `instructs` / `session_shared_with`
look-ups below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, and_, delete, exists, func, insert, select, update

from storage.schema import CoachingSession, User
from storage.schema.courses import (
    Cohort,
    CohortInstructor,
    CohortMember,
    Instructor,
    SessionShare,
)
from storage.uow import UnitOfWork

INSTRUCTORS = cast(Table, Instructor.__table__)
COHORTS = cast(Table, Cohort.__table__)
COHORT_INSTRUCTORS = cast(Table, CohortInstructor.__table__)
MEMBERS = cast(Table, CohortMember.__table__)
SHARES = cast(Table, SessionShare.__table__)
SESSIONS = cast(Table, CoachingSession.__table__)
USERS = cast(Table, User.__table__)


@dataclass(frozen=True)
class CohortRow:
    id: int
    name: str
    invite_code: str
    instructors: list[str]
    student_count: int
    closed: bool = False


def person_name(display_name: str, instructor_name: str | None, user_id: int) -> str:
    """How a person is shown to others: the name an admin gave, else their Telegram name."""
    return (instructor_name or "").strip() or display_name.strip() or f"user {user_id}"


# ---- instructors ------------------------------------------------------------------------------
def instructor_name(db: UnitOfWork, user_id: int) -> str | None:
    """The instructor's name ("" when none was given); None when they are not an instructor."""
    query = select(INSTRUCTORS.c.name).where(INSTRUCTORS.c.user_id == user_id)
    row = db.execute(query).first()
    return None if row is None else str(row.name)


def grant_instructor(
    db: UnitOfWork, user_id: int, name: str | None, granted_by: str | None, now: datetime
) -> bool:
    """Make the user an instructor; True when new. An existing one keeps the role and gets
    the new name if one is given."""
    if instructor_name(db, user_id) is not None:
        if name:
            db.execute(
                update(INSTRUCTORS).where(INSTRUCTORS.c.user_id == user_id).values(name=name)
            )
        return False
    db.execute(
        insert(INSTRUCTORS).values(
            user_id=user_id, name=name or "", granted_by=granted_by, granted_at=now
        )
    )
    return True


# ---- cohorts ----------------------------------------------------------------------------------
def create_cohort(db: UnitOfWork, name: str, code: str, instructor_id: int, now: datetime) -> int:
    cohort_id = int(
        db.execute(
            insert(COHORTS)
            .values(name=name, invite_code=code, created_by=instructor_id, created_at=now)
            .returning(COHORTS.c.id)
        ).scalar_one()
    )
    db.execute(insert(COHORT_INSTRUCTORS).values(cohort_id=cohort_id, user_id=instructor_id))
    return cohort_id


def code_taken(db: UnitOfWork, code: str) -> bool:
    query = select(COHORTS.c.id).where(COHORTS.c.invite_code == code)
    return db.execute(query).first() is not None


def cohort_by_code(db: UnitOfWork, code: str) -> int | None:
    query = select(COHORTS.c.id).where(COHORTS.c.invite_code == code)
    found = db.execute(query).scalar_one_or_none()
    return None if found is None else int(found)


def instructs(db: UnitOfWork, user_id: int, cohort_id: int) -> bool:
    query = select(COHORT_INSTRUCTORS.c.user_id).where(
        COHORT_INSTRUCTORS.c.cohort_id == cohort_id, COHORT_INSTRUCTORS.c.user_id == user_id
    )
    return db.execute(query).first() is not None


def cohorts_instructed(db: UnitOfWork, user_id: int) -> list[int]:
    query = (
        select(COHORT_INSTRUCTORS.c.cohort_id)
        .where(COHORT_INSTRUCTORS.c.user_id == user_id)
        .order_by(COHORT_INSTRUCTORS.c.cohort_id)
    )
    return [int(row.cohort_id) for row in db.execute(query)]


def all_cohort_ids(db: UnitOfWork) -> list[int]:
    return [int(r[0]) for r in db.execute(select(COHORTS.c.id).order_by(COHORTS.c.id))]


def cohort_rows(db: UnitOfWork, cohort_ids: Sequence[int]) -> list[CohortRow]:
    """Cohorts with their instructors' names and current member counts (three queries)."""
    if not cohort_ids:
        return []
    teachers: dict[int, list[str]] = {}
    query = (
        select(
            COHORT_INSTRUCTORS.c.cohort_id,
            USERS.c.id,
            USERS.c.display_name,
            INSTRUCTORS.c.name,
        )
        .join(USERS, USERS.c.id == COHORT_INSTRUCTORS.c.user_id)
        .outerjoin(INSTRUCTORS, INSTRUCTORS.c.user_id == USERS.c.id)
        .where(COHORT_INSTRUCTORS.c.cohort_id.in_(cohort_ids))
        .order_by(USERS.c.id)
    )
    for row in db.execute(query):
        teachers.setdefault(row.cohort_id, []).append(
            person_name(row.display_name, row.name, row.id)
        )
    counts_query = (
        select(MEMBERS.c.cohort_id, func.count())
        .where(MEMBERS.c.cohort_id.in_(cohort_ids), MEMBERS.c.left_at.is_(None))
        .group_by(MEMBERS.c.cohort_id)
    )
    counts = {int(row[0]): int(row[1]) for row in db.execute(counts_query)}
    rows = db.execute(
        select(COHORTS.c.id, COHORTS.c.name, COHORTS.c.invite_code, COHORTS.c.closed_at)
        .where(COHORTS.c.id.in_(cohort_ids))
        .order_by(COHORTS.c.id)
    )
    return [
        CohortRow(
            r.id,
            r.name,
            r.invite_code,
            teachers.get(r.id, []),
            counts.get(r.id, 0),
            r.closed_at is not None,
        )
        for r in rows
    ]


# ---- membership and sharing -------------------------------------------------------------------
def join_cohort(db: UnitOfWork, cohort_id: int, user_id: int, now: datetime) -> bool:
    """Record consent; True when they were not a current member. Rejoining clears `left_at`."""
    row = db.execute(
        select(MEMBERS.c.id, MEMBERS.c.left_at).where(
            MEMBERS.c.cohort_id == cohort_id, MEMBERS.c.user_id == user_id
        )
    ).first()
    if row is None:
        db.execute(insert(MEMBERS).values(cohort_id=cohort_id, user_id=user_id, consented_at=now))
        return True
    if row.left_at is None:
        return False
    db.execute(update(MEMBERS).where(MEMBERS.c.id == row.id).values(consented_at=now, left_at=None))
    return True


def leave_cohort(
    db: UnitOfWork, cohort_id: int, user_id: int, now: datetime, withdraw: bool
) -> None:
    """End membership; with `withdraw` also unshare every session shared with the cohort."""
    db.execute(
        update(MEMBERS)
        .where(
            MEMBERS.c.cohort_id == cohort_id,
            MEMBERS.c.user_id == user_id,
            MEMBERS.c.left_at.is_(None),
        )
        .values(left_at=now)
    )
    if withdraw:
        own = select(SESSIONS.c.id).where(SESSIONS.c.user_id == user_id)
        db.execute(
            delete(SHARES).where(SHARES.c.cohort_id == cohort_id, SHARES.c.session_id.in_(own))
        )


def is_member(db: UnitOfWork, cohort_id: int, user_id: int) -> bool:
    """A current member (has not left)."""
    query = select(MEMBERS.c.id).where(
        MEMBERS.c.cohort_id == cohort_id,
        MEMBERS.c.user_id == user_id,
        MEMBERS.c.left_at.is_(None),
    )
    return db.execute(query).first() is not None


def current_cohorts(db: UnitOfWork, user_id: int) -> list[int]:
    """The cohorts the user is a current member of (new sessions are shared with these)."""
    query = (
        select(MEMBERS.c.cohort_id)
        .where(MEMBERS.c.user_id == user_id, MEMBERS.c.left_at.is_(None))
        .order_by(MEMBERS.c.cohort_id)
    )
    return [int(row.cohort_id) for row in db.execute(query)]


def memberships(db: UnitOfWork, user_id: int) -> list[tuple[int, str, datetime, datetime | None]]:
    """(cohort id, name, consented at, left at) for every cohort the user ever joined."""
    query = (
        select(COHORTS.c.id, COHORTS.c.name, MEMBERS.c.consented_at, MEMBERS.c.left_at)
        .join(COHORTS, COHORTS.c.id == MEMBERS.c.cohort_id)
        .where(MEMBERS.c.user_id == user_id)
        .order_by(MEMBERS.c.consented_at, COHORTS.c.id)
    )
    return [(int(r.id), str(r.name), r.consented_at, r.left_at) for r in db.execute(query)]


def share_session(db: UnitOfWork, session_id: int, cohort_id: int, how: str, now: datetime) -> bool:
    """Share one session with a cohort; False when it already was."""
    already = db.execute(
        select(SHARES.c.session_id).where(
            SHARES.c.session_id == session_id, SHARES.c.cohort_id == cohort_id
        )
    ).first()
    if already is not None:
        return False
    db.execute(
        insert(SHARES).values(session_id=session_id, cohort_id=cohort_id, how=how, shared_at=now)
    )
    return True


def shared_sessions_of(db: UnitOfWork, user_id: int) -> list[tuple[int, int, str]]:
    """(cohort id, session id, title) of the user's shared sessions."""
    query = (
        select(SHARES.c.cohort_id, SESSIONS.c.id, SESSIONS.c.title)
        .join(SESSIONS, SESSIONS.c.id == SHARES.c.session_id)
        .where(SESSIONS.c.user_id == user_id)
        .order_by(SHARES.c.cohort_id, SESSIONS.c.id)
    )
    return [(int(r[0]), int(r[1]), str(r[2])) for r in db.execute(query)]


def session_owner(db: UnitOfWork, session_id: int) -> int | None:
    query = select(SESSIONS.c.user_id).where(SESSIONS.c.id == session_id)
    found = db.execute(query).scalar_one_or_none()
    return None if found is None else int(found)


def session_shared_with(db: UnitOfWork, session_id: int, instructor_id: int) -> bool:
    """Is the session shared with a cohort this user instructs? (one indexed query)"""
    query = select(
        exists().where(
            and_(
                SHARES.c.session_id == session_id,
                COHORT_INSTRUCTORS.c.cohort_id == SHARES.c.cohort_id,
                COHORT_INSTRUCTORS.c.user_id == instructor_id,
            )
        )
    )
    return bool(db.execute(query).scalar())
