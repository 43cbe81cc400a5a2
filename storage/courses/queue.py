"""Each instructor's review queue over a cohort's completed shared sessions (issue 14).

A session is new to an instructor until they mark it reviewed or send feedback on it
(`review_marks`); sending feedback outranks a later "reviewed". Counts are grouped in SQL, one
query per page whatever the cohort's size.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, update

from storage.courses.cohorts import SESSIONS, SHARES
from storage.schema.triage import ReviewMark
from storage.uow import UnitOfWork

MARKS = cast(Table, ReviewMark.__table__)
STATES = ("reviewed", "feedback")


def mark(db: UnitOfWork, instructor_id: int, session_id: int, state: str, now: datetime) -> None:
    """Record that the instructor reviewed the session or sent feedback on it."""
    assert state in STATES
    key = (MARKS.c.instructor_id == instructor_id, MARKS.c.session_id == session_id)
    found = db.execute(select(MARKS.c.state).where(*key)).scalar_one_or_none()
    if found is None:
        db.execute(
            insert(MARKS).values(
                instructor_id=instructor_id, session_id=session_id, state=state, marked_at=now
            )
        )
    elif found != "feedback" or state == "feedback":
        db.execute(update(MARKS).where(*key).values(state=state, marked_at=now))


def _queued(cohort_id: int, instructor_id: int) -> Any:
    """The cohort's completed shared sessions with this instructor's mark (None: new)."""
    return (
        select(
            SESSIONS.c.id,
            SESSIONS.c.user_id,
            SESSIONS.c.completed_at,
            MARKS.c.state,
        )
        .select_from(
            SHARES.join(SESSIONS, SESSIONS.c.id == SHARES.c.session_id).outerjoin(
                MARKS,
                (MARKS.c.session_id == SESSIONS.c.id) & (MARKS.c.instructor_id == instructor_id),
            )
        )
        .where(SHARES.c.cohort_id == cohort_id, SESSIONS.c.status == "completed")
    )


def neighbours(
    db: UnitOfWork, instructor_id: int, cohort_id: int, session_id: int
) -> tuple[str | None, int | None, int | None, int]:
    """Where a session stands in the queue, in four small queries (a 2,000-session cohort is
    never read row by row): (its state, "new" when unmarked, None when it is not a completed
    shared session; the new session completed just before it; just after it; how many are
    new)."""
    found = db.execute(_queued(cohort_id, instructor_id).where(SESSIONS.c.id == session_id)).first()
    new = _queued(cohort_id, instructor_id).where(MARKS.c.state.is_(None)).subquery()
    count = int(db.execute(select(func.count()).select_from(new)).scalar_one())
    if found is None:
        return None, None, None, count
    at, here = found.completed_at, session_id
    earlier = (new.c.completed_at < at) | ((new.c.completed_at == at) & (new.c.id < here))
    later = (new.c.completed_at > at) | ((new.c.completed_at == at) & (new.c.id > here))
    before = db.execute(
        select(new.c.id).where(earlier).order_by(new.c.completed_at.desc(), new.c.id.desc())
    ).first()
    after = db.execute(select(new.c.id).where(later).order_by(new.c.completed_at, new.c.id)).first()
    return (
        str(found.state or "new"),
        int(before[0]) if before else None,
        int(after[0]) if after else None,
        count,
    )


def new_by_student(db: UnitOfWork, instructor_id: int, cohort_id: int) -> dict[int, int]:
    """user id -> their completed shared sessions still new to this instructor."""
    inner = _queued(cohort_id, instructor_id).where(MARKS.c.state.is_(None)).subquery()
    query = select(inner.c.user_id, func.count()).group_by(inner.c.user_id)
    return {int(r[0]): int(r[1]) for r in db.execute(query)}


def new_by_cohort(db: UnitOfWork, instructor_id: int, cohort_ids: Sequence[int]) -> dict[int, int]:
    """cohort id -> completed shared sessions new to this instructor."""
    if not cohort_ids:
        return {}
    query = (
        select(SHARES.c.cohort_id, func.count())
        .select_from(
            SHARES.join(SESSIONS, SESSIONS.c.id == SHARES.c.session_id).outerjoin(
                MARKS,
                (MARKS.c.session_id == SESSIONS.c.id) & (MARKS.c.instructor_id == instructor_id),
            )
        )
        .where(
            SHARES.c.cohort_id.in_(cohort_ids),
            SESSIONS.c.status == "completed",
            MARKS.c.state.is_(None),
        )
        .group_by(SHARES.c.cohort_id)
    )
    return {int(r[0]): int(r[1]) for r in db.execute(query)}


def cohorts_sharing(db: UnitOfWork, session_id: int) -> list[int]:
    """The cohorts a session is shared with (the session page's queue is one of them)."""
    query = select(SHARES.c.cohort_id).where(SHARES.c.session_id == session_id)
    return sorted(int(r[0]) for r in db.execute(query))
