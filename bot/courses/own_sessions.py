"""A person's own data for the review site's "My sessions" page: their sessions, where each is
shared, and who has read them (the access log `/privacy` shows in Telegram).

Everyone may see their own data, student or instructor. The page lists only sessions
`bot.courses.access.may_read_session` lets the viewer read, and reading your own session writes nothing
to the access log. A debrief is listed with the preparation it looks back on, not on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.courses import access, cohorts
from bot.courses.access import Viewer
from bot.courses.types import AccessEntry, Membership
from storage import debriefs as debrief_store
from storage import repository as repo
from storage.courses import review as review_store
from storage.uow import Database, UnitOfWork

ACCESS_LOG_LIMIT = 50


@dataclass(frozen=True)
class OwnSession:
    """One of the viewer's own preparation sessions, as their list shows it."""

    id: int
    title: str
    status: str
    started_at: datetime
    completed_at: datetime | None
    levels: dict[str, str]
    cohorts: list[tuple[str, bool]]
    """(name, True if they left it) of each cohort it is shared with."""
    debrief_id: int | None = None
    debrief_status: str = ""


@dataclass(frozen=True)
class OwnData:
    sessions: list[OwnSession] = field(default_factory=list)
    """Newest first."""
    memberships: list[Membership] = field(default_factory=list)
    access_log: list[AccessEntry] = field(default_factory=list)
    """Newest first, at most ACCESS_LOG_LIMIT entries."""


def own_data(db: UnitOfWork, viewer: Viewer) -> OwnData:
    """The viewer's sessions, cohorts and access log, read in the caller's transaction."""
    current = access.viewer_of(db, viewer.user_id, frozenset())
    if current is None or current.external_id != viewer.external_id:
        return OwnData()  # the account was deleted (/forget) since the page was signed in
    rows = [
        row
        for row in repo.sessions_of(db, viewer.user_id)
        if access.may_read_session(db, current, row.id)
    ]
    debrief_of = {
        prepared: debrief
        for debrief, prepared in debrief_store.links_of(db, viewer.user_id).items()
    }
    debriefs = set(debrief_of.values())
    by_id = {row.id: row for row in rows}
    levels: dict[int, dict[str, str]] = {}
    for session_id, lesson, level in review_store.levels_of(db, [row.id for row in rows]):
        levels.setdefault(session_id, {})[lesson] = level
    memberships = cohorts.memberships(db, viewer.user_id)
    shared: dict[int, list[tuple[str, bool]]] = {}
    for m in memberships:
        for session_id, _title in m.shared:
            shared.setdefault(session_id, []).append((m.cohort_name, m.left_at is not None))
    sessions = []
    for row in reversed(rows):
        if row.id in debriefs:
            continue
        debrief = by_id.get(debrief_of.get(row.id, 0))
        sessions.append(
            OwnSession(
                id=row.id,
                title=row.title,
                status=row.status,
                started_at=row.started_at,
                completed_at=row.completed_at,
                levels=levels.get(row.id, {}),
                cohorts=shared.get(row.id, []),
                debrief_id=debrief.id if debrief is not None else None,
                debrief_status=debrief.status if debrief is not None else "",
            )
        )
    return OwnData(
        sessions=sessions,
        memberships=memberships,
        access_log=cohorts.access_log_for(db, viewer.user_id, ACCESS_LOG_LIMIT),
    )


def load_own_data(database: Database, viewer: Viewer) -> OwnData:
    """`own_data` in a transaction of its own (what the review site calls)."""
    with database.begin() as db:
        return own_data(db, viewer)
