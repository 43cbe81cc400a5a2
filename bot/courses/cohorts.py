"""Roles, cohorts, consent and sharing, inside a transaction the caller owns.

Both the Telegram commands (on the turn's connection) and `CourseService` (its own
transaction) call these, so joining, leaving and sharing behave the same everywhere. Access is
asked of `bot.courses.access`; nothing here decides it.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from bot.coach import ids
from bot.courses import access
from bot.courses.access import Viewer
from bot.courses.types import (
    AccessEntry,
    CohortInfo,
    InstructorInfo,
    InvalidInputError,
    Membership,
    NotAnInstructorError,
)
from storage import debriefs as debrief_store
from storage import repository as repo
from storage.courses import admin as admin_store
from storage.courses import cohorts as store
from storage.courses import notes as notes_store
from storage.records import UserRecord
from storage.uow import UnitOfWork

MAX_COHORT_NAME = 80
MAX_PERSON_NAME = 128


def invite_link(bot_username: str, code: str) -> str:
    """The deep link a student opens: Telegram passes `join-<code>` to /start."""
    return f"https://t.me/{bot_username or '<bot>'}?start=join-{code}"


def new_invite_code(db: UnitOfWork) -> str:
    """128 random bits, URL-safe (22 characters): unguessable, and fits a /start payload."""
    while True:
        code = secrets.token_urlsafe(16)
        if not store.code_taken(db, code):
            return code


def clean_name(name: str | None, limit: int, what: str) -> str:
    text = " ".join((name or "").split())
    if len(text) > limit:
        raise InvalidInputError(f"{what} must be at most {limit} characters")
    return text


def telegram_user(db: UnitOfWork, telegram_id: int) -> UserRecord:
    """The `telegram:<id>` user, created if they never wrote to the bot."""
    if not 0 < telegram_id < 2**53:
        raise InvalidInputError("a Telegram user id is a positive number")
    return repo.get_or_create_user(db, ids.external_id("telegram", telegram_id), "telegram", "")


def add_instructor(
    db: UnitOfWork, telegram_id: int, name: str | None, granted_by: str | None, now: datetime
) -> InstructorInfo:
    person = clean_name(name, MAX_PERSON_NAME, "the name")
    user = telegram_user(db, telegram_id)
    created = store.grant_instructor(db, user.id, person or None, granted_by, now)
    return InstructorInfo(
        user_id=user.id,
        telegram_id=telegram_id,
        name=store.person_name(user.display_name, store.instructor_name(db, user.id), user.id),
        granted_by=granted_by,
        created=created,
    )


def create_cohort(db: UnitOfWork, name: str, instructor: Viewer, now: datetime) -> CohortInfo:
    if not access.may_create_cohort(instructor):
        raise NotAnInstructorError(
            "only instructors can create a cohort; an admin grants the role first"
        )
    title = clean_name(name, MAX_COHORT_NAME, "a cohort name")
    if not title:
        raise InvalidInputError("a cohort needs a name")
    cohort_id = store.create_cohort(db, title, new_invite_code(db), instructor.user_id, now)
    [info] = cohort_infos(db, [cohort_id])
    return info


def cohort_infos(db: UnitOfWork, cohort_ids: list[int]) -> list[CohortInfo]:
    return [
        CohortInfo(r.id, r.name, r.invite_code, r.instructors, r.student_count, r.closed)
        for r in store.cohort_rows(db, cohort_ids)
    ]


def cohorts_for(db: UnitOfWork, viewer: Viewer) -> list[CohortInfo]:
    """The cohorts the viewer instructs (none for a student or an admin who teaches none)."""
    if not viewer.is_instructor:
        return []
    return cohort_infos(db, store.cohorts_instructed(db, viewer.user_id))


def cohort_by_code(db: UnitOfWork, code: str) -> CohortInfo | None:
    """What a student sees before agreeing to join: the name and who reads the transcripts."""
    if not code or len(code) > 32:
        return None
    cohort_id = store.cohort_by_code(db, code)
    return None if cohort_id is None else cohort_infos(db, [cohort_id])[0]


def join(db: UnitOfWork, user_id: int, cohort_id: int, now: datetime) -> bool:
    """Record the student's consent; sessions they start from now on are shared."""
    return store.join_cohort(db, cohort_id, user_id, now)


def leave(db: UnitOfWork, user_id: int, cohort_id: int, withdraw: bool, now: datetime) -> None:
    """Stop sharing new sessions; with `withdraw`, take back those already shared too."""
    store.leave_cohort(db, cohort_id, user_id, now, withdraw)


def share_new_session(db: UnitOfWork, user_id: int, session_id: int, now: datetime) -> list[int]:
    """A session started while in cohorts is shared with each of them (the student agreed),
    except cohorts that were closed: the course is over. A debrief whose preparation is not
    shared with a cohort is not shared with it either: the ids of those cohorts are returned,
    for the student to be asked."""
    joined = store.current_cohorts(db, user_id)
    closed = admin_store.closed_among(db, joined)
    prepared = debrief_store.prepared_of(db, session_id)
    with_prep = (
        {c for c, s, _t in store.shared_sessions_of(db, user_id) if s == prepared}
        if prepared is not None
        else set()
    )
    ask = []
    for cohort_id in (c for c in joined if c not in closed):
        if prepared is not None and cohort_id not in with_prep:
            ask.append(cohort_id)
            continue
        store.share_session(db, session_id, cohort_id, "joined", now)
    return ask


def share(db: UnitOfWork, user_id: int, session_id: int, cohort_id: int, now: datetime) -> bool:
    """Share an earlier session on the student's request; False when not theirs to share."""
    if not access.may_share_session(db, user_id, session_id, cohort_id):
        return False
    store.share_session(db, session_id, cohort_id, "chosen", now)
    return True


def current_cohorts(db: UnitOfWork, user_id: int) -> list[CohortInfo]:
    return cohort_infos(db, store.current_cohorts(db, user_id))


def unshared_sessions(db: UnitOfWork, user_id: int, cohort_id: int) -> list[tuple[int, str]]:
    """The student's own sessions not yet shared with the cohort: (id, title)."""
    shared = {s for c, s, _t in store.shared_sessions_of(db, user_id) if c == cohort_id}
    return [(s.id, s.title) for s in repo.sessions_of(db, user_id) if s.id not in shared]


def memberships(db: UnitOfWork, user_id: int) -> list[Membership]:
    """Every cohort the student joined, who reads it, and what is shared (for /privacy)."""
    rows = store.memberships(db, user_id)
    infos = {info.id: info for info in cohort_infos(db, [r[0] for r in rows])}
    shared: dict[int, list[tuple[int, str]]] = {}
    for cohort_id, session_id, title in store.shared_sessions_of(db, user_id):
        shared.setdefault(cohort_id, []).append((session_id, title))
    return [
        Membership(
            cohort_id=cohort_id,
            cohort_name=name,
            instructors=infos[cohort_id].instructors if cohort_id in infos else [],
            joined_at=joined,
            left_at=left,
            shared=shared.get(cohort_id, []),
        )
        for cohort_id, name, joined, left in rows
    ]


def access_log_for(db: UnitOfWork, student_user_id: int, limit: int = 50) -> list[AccessEntry]:
    return [
        AccessEntry(at=at, viewer_name=name, session_id=sid, session_title=title, via=via)
        for at, name, sid, title, via in notes_store.access_log(db, student_user_id, limit)
    ]
