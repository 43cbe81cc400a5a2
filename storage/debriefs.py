"""Queries for debriefs: which debrief session looks back on which preparation.

A debrief is an ordinary coaching session (script `debrief`) plus one `debriefs` row linking it
to the prepared session; the unique `prepared_session_id` keeps it to one debrief per
preparation. Same conventions as storage.repository: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, insert, select

from storage import repository as repo
from storage.records import SessionRecord
from storage.schema import CoachingSession, LessonFinding
from storage.schema.followups import Debrief
from storage.uow import UnitOfWork

DEBRIEFS = cast(Table, Debrief.__table__)
FINDINGS = cast(Table, LessonFinding.__table__)
SESSIONS = cast(Table, CoachingSession.__table__)


@dataclass
class Negotiation:
    """One completed preparation, its verdicts, and its debrief session if there is one."""

    prepared_id: int
    title: str
    levels: dict[str, str]
    debrief: SessionRecord | None


def link(db: UnitOfWork, debrief_id: int, prepared_id: int) -> None:
    db.execute(insert(DEBRIEFS).values(session_id=debrief_id, prepared_session_id=prepared_id))


def debrief_of(db: UnitOfWork, prepared_id: int) -> int | None:
    """The debrief session of a preparation, if one was started."""
    query = select(DEBRIEFS.c.session_id).where(DEBRIEFS.c.prepared_session_id == prepared_id)
    found = db.execute(query).scalar_one_or_none()
    return int(found) if found is not None else None


def prepared_of(db: UnitOfWork, debrief_id: int) -> int | None:
    """The preparation a debrief session looks back on (None: not a debrief)."""
    query = select(DEBRIEFS.c.prepared_session_id).where(DEBRIEFS.c.session_id == debrief_id)
    found = db.execute(query).scalar_one_or_none()
    return int(found) if found is not None else None


def links_of(db: UnitOfWork, user_id: int) -> dict[int, int]:
    """debrief session id -> prepared session id, for one user's sessions."""
    query = (
        select(DEBRIEFS.c.session_id, DEBRIEFS.c.prepared_session_id)
        .join(SESSIONS, SESSIONS.c.id == DEBRIEFS.c.session_id)
        .where(SESSIONS.c.user_id == user_id)
    )
    return {row.session_id: row.prepared_session_id for row in db.execute(query)}


def latest_undebriefed(db: UnitOfWork, user_id: int, script_ids: Sequence[str]) -> int | None:
    """The user's most recently completed preparation (of these scripts) with no debrief."""
    query = (
        select(SESSIONS.c.id)
        .outerjoin(DEBRIEFS, DEBRIEFS.c.prepared_session_id == SESSIONS.c.id)
        .where(
            SESSIONS.c.user_id == user_id,
            SESSIONS.c.status == "completed",
            SESSIONS.c.script_id.in_(list(script_ids)),
            DEBRIEFS.c.session_id.is_(None),
        )
        .order_by(SESSIONS.c.completed_at.desc(), SESSIONS.c.id.desc())
        .limit(1)
    )
    found = db.execute(query).scalar_one_or_none()
    return int(found) if found is not None else None


def levels_of(db: UnitOfWork, session_id: int) -> dict[str, str]:
    """The stored verdicts of a completed session: lesson id -> level."""
    query = select(FINDINGS.c.lesson_id, FINDINGS.c.level).where(
        FINDINGS.c.session_id == session_id
    )
    return {row.lesson_id: row.level for row in db.execute(query)}


def negotiations(db: UnitOfWork, user_id: int, script_ids: Sequence[str]) -> list[Negotiation]:
    """The user's completed preparations (of these scripts), oldest first, each with its
    verdicts and its debrief session (any status; the caller decides what counts)."""
    query = (
        select(
            SESSIONS.c.id,
            SESSIONS.c.title,
            FINDINGS.c.lesson_id,
            FINDINGS.c.level,
            DEBRIEFS.c.session_id.label("debrief_id"),
        )
        .join(FINDINGS, FINDINGS.c.session_id == SESSIONS.c.id)
        .outerjoin(DEBRIEFS, DEBRIEFS.c.prepared_session_id == SESSIONS.c.id)
        .where(
            SESSIONS.c.user_id == user_id,
            SESSIONS.c.status == "completed",
            SESSIONS.c.script_id.in_(list(script_ids)),
        )
        .order_by(SESSIONS.c.completed_at, SESSIONS.c.id)
    )
    found: dict[int, tuple[Negotiation, int | None]] = {}
    for row in db.execute(query):
        entry = found.setdefault(row.id, (Negotiation(row.id, row.title, {}, None), row.debrief_id))
        entry[0].levels[row.lesson_id] = row.level
    result = []
    for negotiation, debrief_id in found.values():
        if debrief_id is not None:
            negotiation.debrief = repo.get_session(db, debrief_id)
        result.append(negotiation)
    return result
