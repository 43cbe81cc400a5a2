"""Each instructor's review queue (issue 14): a cohort's completed shared sessions are new to an
instructor until they mark one reviewed or send feedback on it. The session page says where the
session stands and leads to the previous and next new one; the home page counts what is new.

Access first, as everywhere: a viewer who may not review the session gets None / False.
"""

from __future__ import annotations

from datetime import datetime

from bot.courses import access
from bot.courses.access import Viewer
from bot.courses.cohorts import cohort_infos
from bot.courses.types import QueuePlace
from storage.courses import cohorts as store
from storage.courses import queue as queue_store
from storage.uow import UnitOfWork


def _cohort_of(db: UnitOfWork, viewer: Viewer, session_id: int) -> int | None:
    """The first cohort the session is shared with that this viewer instructs."""
    mine = set(store.cohorts_instructed(db, viewer.user_id))
    return next((c for c in queue_store.cohorts_sharing(db, session_id) if c in mine), None)


def place(db: UnitOfWork, viewer: Viewer, session_id: int) -> QueuePlace | None:
    if not access.may_review_session(db, viewer, session_id):
        return None
    cohort_id = _cohort_of(db, viewer, session_id)
    if cohort_id is None:
        return None
    state, previous_id, next_id, new_count = queue_store.neighbours(
        db, viewer.user_id, cohort_id, session_id
    )
    infos = cohort_infos(db, [cohort_id])
    return QueuePlace(
        cohort_id=cohort_id,
        cohort_name=infos[0].name if infos else "",
        state=state or "unfinished",
        previous_id=previous_id,
        next_id=next_id,
        new_count=new_count,
    )


def mark(db: UnitOfWork, viewer: Viewer, session_id: int, state: str, now: datetime) -> bool:
    """Mark the session reviewed (or feedback sent) for this instructor."""
    if not access.may_review_session(db, viewer, session_id):
        return False
    queue_store.mark(db, viewer.user_id, session_id, state, now)
    return True


def new_by_cohort(db: UnitOfWork, viewer: Viewer, cohort_ids: list[int]) -> dict[int, int]:
    """cohort id -> sessions new to this instructor (only cohorts they instruct)."""
    mine = [c for c in cohort_ids if access.may_manage_cohort(db, viewer, c)]
    return queue_store.new_by_cohort(db, viewer.user_id, mine)
