"""Changing who runs a course and ending it, inside a transaction the caller owns: revoking the
instructor role, adding a co-instructor to a cohort, closing a cohort, listing instructors.

The Telegram commands (`bot.courses.setup_commands`) and `CourseService` (the CLI) both call
these. Students agreed to a list of readers when they joined, so whenever that list grows each
of them is told, by a message queued in the outbox in the same transaction: it is sent if and
only if the change commits. Closing a cohort deletes nothing; it only stops new sharing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.coach import ids
from bot.courses import access, cohorts
from bot.courses.access import Viewer
from bot.courses.review import CHANNEL_FORMATS
from bot.courses.types import CohortInfo, CourseError, InvalidInputError, NotAnInstructorError
from bot.engine.content import Content
from storage import repository as repo
from storage.courses import admin as admin_store
from storage.courses import cohorts as store
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


class CohortNotFoundError(CourseError):
    """No such cohort, or (for an instructor) not one of theirs: the same answer for both."""


@dataclass(frozen=True)
class Revoked:
    name: str
    telegram_id: int
    cohorts: list[CohortInfo]
    """The cohorts they instructed."""
    orphaned: list[CohortInfo]
    """Of those, the ones left with no instructor: nobody can read their shares now."""


@dataclass(frozen=True)
class CoInstructor:
    cohort: CohortInfo
    name: str
    added: bool
    """False when they already instructed the cohort (nobody is told again)."""
    told: int
    """How many students were sent a message naming the new reader."""


@dataclass(frozen=True)
class Closed:
    cohort: CohortInfo
    closed: bool
    """False when it was already closed (nobody is told again)."""
    told: int


@dataclass(frozen=True)
class InstructorListing:
    telegram_id: int | None
    name: str
    granted_by: str | None
    granted_at: datetime
    cohorts: list[tuple[int, str]]


def _instructor_user(db: UnitOfWork, telegram_id: int) -> tuple[int, str]:
    """(user id, shown name) of the instructor with this Telegram id, else NotAnInstructorError."""
    if not 0 < telegram_id < 2**53:
        raise InvalidInputError("a Telegram user id is a positive number")
    user = repo.user_by_external_id(db, ids.external_id("telegram", telegram_id))
    role = store.instructor_name(db, user.id) if user is not None else None
    if user is None or role is None:
        raise NotAnInstructorError(f"Telegram user {telegram_id} is not an instructor")
    return user.id, store.person_name(user.display_name, role, user.id)


def _cohort(db: UnitOfWork, cohort_id: int, by: Viewer | None) -> CohortInfo:
    """The cohort, if it exists and `by` (None: the operator) instructs it."""
    if not ids.is_row_id(cohort_id) or not admin_store.cohort_exists(db, cohort_id):
        raise CohortNotFoundError(f"there is no cohort #{cohort_id}")
    if by is not None and not access.may_manage_cohort(db, by, cohort_id):
        raise CohortNotFoundError(f"there is no cohort #{cohort_id}")
    [info] = cohorts.cohort_infos(db, [cohort_id])
    return info


def notify(db: UnitOfWork, content: Content, user_id: int, key: str, **ctx: Any) -> bool:
    """Queue one message to a student's chat (the bot's outbox sweep sends it); False for a
    user on no chat channel or who blocked the bot."""
    user = repo.user_by_id(db, user_id)
    if user is None or not user.active:
        return False
    channel, chat = ids.split_external_id(user.external_id)
    fmt = CHANNEL_FORMATS.get(channel)
    if fmt is None:
        return False
    payload = {"text": content.say(key, fmt, **ctx), "kind": "info", "format": fmt}
    repo.add_outbox(db, user.id, channel, chat, [payload])
    return True


def revoke_instructor(db: UnitOfWork, telegram_id: int) -> Revoked:
    """Remove the role and every cohort it gave; access stops at once (roles are read fresh
    on every request). Students' shares stay: a cohort left with no instructor is readable
    by nobody until the operator adds one (`cohorts add-instructor`)."""
    user_id, name = _instructor_user(db, telegram_id)
    taught = admin_store.revoke_instructor(db, user_id) or []
    orphaned = set(admin_store.without_instructor(db, taught))
    infos = cohorts.cohort_infos(db, taught)
    log.info("instructor role revoked user=%s cohorts=%d", user_id, len(taught))
    return Revoked(name, telegram_id, infos, [c for c in infos if c.id in orphaned])


def add_cohort_instructor(
    db: UnitOfWork,
    content: Content,
    cohort_id: int,
    telegram_id: int,
    by: Viewer | None,
) -> CoInstructor:
    """Make an instructor (they must hold the role) a reader of the cohort, and tell every
    student whose transcripts they can now read."""
    cohort = _cohort(db, cohort_id, by)
    user_id, name = _instructor_user(db, telegram_id)
    if not admin_store.add_cohort_instructor(db, cohort_id, user_id):
        return CoInstructor(cohort, name, added=False, told=0)
    told = 0
    for student in admin_store.readers_concerned(db, cohort_id):
        if student == user_id:
            continue
        told += notify(
            db,
            content,
            student,
            "course_reader_added",
            instructor=name,
            cohort=cohort.name,
            by=by.name if by is not None else "",
            member=store.is_member(db, cohort_id, student),
        )
    [info] = cohorts.cohort_infos(db, [cohort_id])
    log.info("cohort instructor added cohort=%s user=%s told=%d", cohort_id, user_id, told)
    return CoInstructor(info, name, added=True, told=told)


def close_cohort(
    db: UnitOfWork, content: Content, cohort_id: int, by: Viewer | None, now: datetime
) -> Closed:
    """The invite code stops working and new sessions stop being shared; each current member
    is told that what they shared stays readable until they /leave (withdrawing) or /forget."""
    cohort = _cohort(db, cohort_id, by)
    if not admin_store.close_cohort(db, cohort_id, now):
        return Closed(cohort, closed=False, told=0)
    told = 0
    for student in admin_store.current_members(db, cohort_id):
        count = sum(1 for c, _s, _t in store.shared_sessions_of(db, student) if c == cohort_id)
        told += notify(
            db,
            content,
            student,
            "course_closed_notice",
            cohort=cohort.name,
            by=by.name if by is not None else "",
            count=count,
        )
    [info] = cohorts.cohort_infos(db, [cohort_id])
    log.info("cohort closed cohort=%s told=%d", cohort_id, told)
    return Closed(info, closed=True, told=told)


def instructors(db: UnitOfWork) -> list[InstructorListing]:
    return [
        InstructorListing(
            telegram_id=ids.telegram_id_of(row.external_id),
            name=store.person_name(row.display_name, row.name, row.user_id),
            granted_by=row.granted_by,
            granted_at=row.granted_at,
            cohorts=row.cohorts,
        )
        for row in admin_store.all_instructors(db)
    ]
