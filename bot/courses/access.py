"""Who may see and do what: the one place access is decided (issue 4).

Telegram commands, the review site and the CLI all ask these functions; none of them decides on
its own. The rules:

- a student reads only their own sessions;
- an instructor reads a session only when it is shared with a cohort they instruct (and they
  still hold the instructor role);
- an admin (a Telegram id in PARLEY_ADMIN_IDS) grants the instructor role but reads no
  transcript unless they are themselves an instructor of the cohort it is shared with.

Callers answer "not found" for anything refused here, so a refusal never reveals whether the
object exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.coach.ids import is_row_id, telegram_id_of
from storage import repository as repo
from storage.courses import admin as admin_store
from storage.courses import cohorts as store
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Viewer:
    """A person looking at course data, with the roles they hold right now."""

    user_id: int
    external_id: str
    name: str
    is_admin: bool
    is_instructor: bool


def is_admin(external_id: str, admin_ids: frozenset[int]) -> bool:
    telegram_id = telegram_id_of(external_id)
    return telegram_id is not None and telegram_id in admin_ids


def viewer_of(db: UnitOfWork, user_id: int, admin_ids: frozenset[int]) -> Viewer | None:
    """The viewer for a user id (None when no such user): roles are read fresh every time,
    so a role granted or removed takes effect on the next request."""
    user = repo.user_by_id(db, user_id) if is_row_id(user_id) else None
    if user is None:
        return None
    instructor = store.instructor_name(db, user_id)
    return Viewer(
        user_id=user.id,
        external_id=user.external_id,
        name=store.person_name(user.display_name, instructor, user.id),
        is_admin=is_admin(user.external_id, admin_ids),
        is_instructor=instructor is not None,
    )


def may_grant(viewer: Viewer) -> bool:
    """Only admins make instructors."""
    return viewer.is_admin


def may_create_cohort(viewer: Viewer) -> bool:
    return viewer.is_instructor


def may_manage_cohort(db: UnitOfWork, viewer: Viewer, cohort_id: int) -> bool:
    """Read the cohort's shared sessions, annotate, export: its instructors only. Being an
    admin gives nothing here."""
    return (
        viewer.is_instructor
        and is_row_id(cohort_id)
        and store.instructs(db, viewer.user_id, cohort_id)
    )


def may_read_session(db: UnitOfWork, viewer: Viewer, session_id: int) -> bool:
    """The owner, or an instructor of a cohort the session is shared with."""
    owner = store.session_owner(db, session_id) if is_row_id(session_id) else None
    if owner is None:
        return False
    if owner == viewer.user_id:
        return True
    return viewer.is_instructor and store.session_shared_with(db, session_id, viewer.user_id)


def may_review_session(db: UnitOfWork, viewer: Viewer, session_id: int) -> bool:
    """Instructor actions on a session (annotate, verdicts, feedback): someone else's session
    shared with a cohort they instruct. A student does not annotate their own transcript."""
    owner = store.session_owner(db, session_id) if is_row_id(session_id) else None
    if owner is None or owner == viewer.user_id:
        return False
    return viewer.is_instructor and store.session_shared_with(db, session_id, viewer.user_id)


def may_share_session(db: UnitOfWork, user_id: int, session_id: int, cohort_id: int) -> bool:
    """A student shares only their own session, only with a cohort they currently belong to
    that is not closed (a closed course takes nothing new)."""
    if not (is_row_id(session_id) and is_row_id(cohort_id)):
        return False
    return (
        store.session_owner(db, session_id) == user_id
        and cohort_id in store.current_cohorts(db, user_id)
        and not admin_store.is_closed(db, cohort_id)
    )
