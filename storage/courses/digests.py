"""Queries for instructors' digests of new work (issue 14 item 6).

Same conventions as storage.repository: the caller owns the transaction, nothing commits here.
Like a reminder, a digest is claimed (`claim`: due → not due, in one conditional UPDATE) in the
transaction that queues its message, so two timers, two processes or a restart send it once; the
news it tells are marked in that same transaction (`take_news`), so none is told twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, and_, exists, insert, select, update

from storage.courses.cohorts import COHORT_INSTRUCTORS, COHORTS, SESSIONS, SHARES, USERS
from storage.schema.digests import InstructorDigest, InstructorNews
from storage.uow import UnitOfWork

DIGESTS = cast(Table, InstructorDigest.__table__)
NEWS = cast(Table, InstructorNews.__table__)


@dataclass(frozen=True)
class NewsItem:
    """One piece of news as a digest lists it."""

    cohort_id: int
    cohort_name: str
    session_id: int
    kind: str
    student_user_id: int
    student_name: str
    title: str
    at: datetime


def enabled(db: UnitOfWork, user_id: int) -> bool:
    """Whether the instructor hears about new work (on until they say `/notify off`)."""
    query = select(DIGESTS.c.enabled).where(DIGESTS.c.user_id == user_id)
    found = db.execute(query).scalar_one_or_none()
    return True if found is None else bool(found)


def set_enabled(db: UnitOfWork, user_id: int, on: bool, now: datetime) -> None:
    """`/notify on|off`. Off also drops what was waiting (marked told now, never sent) and the
    digest planned for it: off means hearing nothing, and on starts from what comes next."""
    _ensure(db, user_id)
    values: dict[str, object] = {"enabled": on}
    if not on:
        values["due_at"] = None
        waiting = and_(NEWS.c.instructor_id == user_id, NEWS.c.digest_at.is_(None))
        db.execute(update(NEWS).where(waiting).values(digest_at=now))
    db.execute(update(DIGESTS).where(DIGESTS.c.user_id == user_id).values(**values))


def _ensure(db: UnitOfWork, user_id: int) -> None:
    found = db.execute(select(DIGESTS.c.user_id).where(DIGESTS.c.user_id == user_id)).first()
    if found is None:
        db.execute(insert(DIGESTS).values(user_id=user_id, enabled=True))


def record(
    db: UnitOfWork, session_id: int, kind: str, now: datetime, every: timedelta
) -> list[int]:
    """News of `session_id` (`kind`: "session" or "debrief") for each instructor of each cohort
    it is shared with who has not turned digests off and was not told of it already; each of
    them gets a digest planned, `every` after their last one at the earliest. Returns their ids."""
    readers = (
        select(SHARES.c.cohort_id, COHORT_INSTRUCTORS.c.user_id)
        .join(COHORT_INSTRUCTORS, COHORT_INSTRUCTORS.c.cohort_id == SHARES.c.cohort_id)
        .where(SHARES.c.session_id == session_id)
        .order_by(SHARES.c.cohort_id, COHORT_INSTRUCTORS.c.user_id)
    )
    planned: list[int] = []
    for cohort_id, instructor_id in db.execute(readers).all():
        if not enabled(db, instructor_id) or _told(db, instructor_id, cohort_id, session_id, kind):
            continue
        db.execute(
            insert(NEWS).values(
                instructor_id=instructor_id,
                cohort_id=cohort_id,
                session_id=session_id,
                kind=kind,
                at=now,
            )
        )
        _plan(db, int(instructor_id), now, every)
        planned.append(int(instructor_id))
    return sorted(set(planned))


def _told(db: UnitOfWork, instructor_id: int, cohort_id: int, session_id: int, kind: str) -> bool:
    """Already news for this instructor (a session shared again, a second completion)."""
    query = select(
        exists().where(
            NEWS.c.instructor_id == instructor_id,
            NEWS.c.cohort_id == cohort_id,
            NEWS.c.session_id == session_id,
            NEWS.c.kind == kind,
        )
    )
    return bool(db.execute(query).scalar())


def _plan(db: UnitOfWork, user_id: int, now: datetime, every: timedelta) -> None:
    """A digest planned for the instructor unless one is: now, or `every` after the last."""
    _ensure(db, user_id)
    row = db.execute(
        select(DIGESTS.c.due_at, DIGESTS.c.last_sent_at).where(DIGESTS.c.user_id == user_id)
    ).one()
    if row.due_at is not None:
        return
    due = now if row.last_sent_at is None else max(now, row.last_sent_at + every)
    db.execute(update(DIGESTS).where(DIGESTS.c.user_id == user_id).values(due_at=due))


def due_before(
    db: UnitOfWork, channel: str, until: datetime | None, limit: int = 1000
) -> list[tuple[int, datetime]]:
    """(instructor's user id, due) of planned digests of `channel`'s users due by `until`
    (all if None), soonest first."""
    query = (
        select(DIGESTS.c.user_id, DIGESTS.c.due_at)
        .join(USERS, USERS.c.id == DIGESTS.c.user_id)
        .where(DIGESTS.c.due_at.is_not(None), USERS.c.channel == channel)
        .order_by(DIGESTS.c.due_at)
        .limit(limit)
    )
    if until is not None:
        query = query.where(DIGESTS.c.due_at <= until)
    return [(int(row.user_id), row.due_at) for row in db.execute(query)]


def due_at(db: UnitOfWork, user_id: int) -> datetime | None:
    """When the instructor's next digest is planned (None: none is)."""
    query = select(DIGESTS.c.due_at).where(DIGESTS.c.user_id == user_id)
    found: datetime | None = db.execute(query).scalar_one_or_none()
    return found


def claim(db: UnitOfWork, user_id: int, now: datetime) -> bool:
    """Take a due digest: True only for the one caller that changed the row (not due yet,
    already sent or turned off: False). Run in the transaction that queues its message."""
    statement = (
        update(DIGESTS)
        .where(
            DIGESTS.c.user_id == user_id,
            DIGESTS.c.due_at.is_not(None),
            DIGESTS.c.due_at <= now,
            DIGESTS.c.enabled.is_(True),
        )
        .values(due_at=None, last_sent_at=now)
    )
    return int(db.execute(statement).rowcount) == 1


def take_news(db: UnitOfWork, user_id: int, now: datetime) -> list[NewsItem]:
    """The instructor's news not told yet, marked told now, oldest first: only what they may
    still read (the session still shared with a cohort they still teach); the rest is marked
    too, and dropped."""
    waiting = and_(NEWS.c.instructor_id == user_id, NEWS.c.digest_at.is_(None))
    # The ids first: news recorded while this digest is written (another process) wait for the
    # next one rather than be marked told unread.
    ids = [int(row[0]) for row in db.execute(select(NEWS.c.id).where(waiting))]
    if not ids:
        return []
    still_shared = exists().where(
        SHARES.c.session_id == NEWS.c.session_id, SHARES.c.cohort_id == NEWS.c.cohort_id
    )
    still_teaches = exists().where(
        COHORT_INSTRUCTORS.c.cohort_id == NEWS.c.cohort_id,
        COHORT_INSTRUCTORS.c.user_id == user_id,
    )
    query = (
        select(
            NEWS.c.id,
            NEWS.c.cohort_id,
            COHORTS.c.name,
            NEWS.c.session_id,
            NEWS.c.kind,
            SESSIONS.c.user_id,
            USERS.c.display_name,
            SESSIONS.c.title,
            NEWS.c.at,
        )
        .join(COHORTS, COHORTS.c.id == NEWS.c.cohort_id)
        .join(SESSIONS, SESSIONS.c.id == NEWS.c.session_id)
        .join(USERS, USERS.c.id == SESSIONS.c.user_id)
        .where(NEWS.c.id.in_(ids), still_shared, still_teaches)
        .order_by(NEWS.c.cohort_id, NEWS.c.id)
    )
    items = [
        NewsItem(
            int(r.cohort_id),
            r.name,
            int(r.session_id),
            r.kind,
            int(r.user_id),
            r.display_name or "",
            r.title or "",
            r.at,
        )
        for r in db.execute(query)
    ]
    db.execute(update(NEWS).where(NEWS.c.id.in_(ids)).values(digest_at=now))
    return items
