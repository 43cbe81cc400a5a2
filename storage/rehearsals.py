"""Statements for rehearsals: the rehearsal of a preparation and each reply with its feedback.

Same conventions as storage.repository: the caller owns the transaction and its clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, insert, select, update

from storage.schema.rehearsals import Rehearsal, RehearsalReply
from storage.uow import UnitOfWork

REHEARSALS = cast(Table, Rehearsal.__table__)
REPLIES = cast(Table, RehearsalReply.__table__)


@dataclass
class RehearsalRecord:
    """A rehearsal row; the turn changes `status`, `position`, `attempt`, `phase`."""

    id: int
    user_id: int
    session_id: int
    status: str
    moments: list[str]
    position: int
    attempt: int
    phase: str
    started_at: datetime
    updated_at: datetime
    completed_at: datetime | None = None

    @property
    def moment_id(self) -> str | None:
        return self.moments[self.position] if self.position < len(self.moments) else None


@dataclass
class ReplyRecord:
    moment_id: str
    attempt: int
    text: str
    cues: list[dict[str, str]] = field(default_factory=list)
    traps: list[dict[str, str]] = field(default_factory=list)
    feedback: str = ""
    at: datetime | None = None
    id: int | None = None


def _record(row: Row[Any]) -> RehearsalRecord:
    return RehearsalRecord(
        id=row.id,
        user_id=row.user_id,
        session_id=row.session_id,
        status=row.status,
        moments=list(row.moments),
        position=row.position,
        attempt=row.attempt,
        phase=row.phase,
        started_at=row.started_at,
        updated_at=row.updated_at,
        completed_at=row.completed_at,
    )


def create(db: UnitOfWork, user_id: int, session_id: int, moments: list[str]) -> RehearsalRecord:
    now = db.now()
    values = {
        "user_id": user_id,
        "session_id": session_id,
        "status": "active",
        "moments": moments,
        "position": 0,
        "attempt": 0,
        "phase": "reply",
        "started_at": now,
        "updated_at": now,
    }
    new_id = db.execute(insert(REHEARSALS).values(**values).returning(REHEARSALS.c.id)).scalar_one()
    found = get(db, int(new_id))
    assert found is not None
    return found


def get(db: UnitOfWork, rehearsal_id: int) -> RehearsalRecord | None:
    row = db.execute(select(REHEARSALS).where(REHEARSALS.c.id == rehearsal_id)).first()
    return _record(row) if row is not None else None


def active_of_session(db: UnitOfWork, session_id: int) -> RehearsalRecord | None:
    """The rehearsal of a preparation still under way, if any (the newest)."""
    query = (
        select(REHEARSALS)
        .where(REHEARSALS.c.session_id == session_id, REHEARSALS.c.status == "active")
        .order_by(REHEARSALS.c.id.desc())
        .limit(1)
    )
    row = db.execute(query).first()
    return _record(row) if row is not None else None


def of_session(db: UnitOfWork, session_id: int) -> list[RehearsalRecord]:
    """Every rehearsal of a preparation, oldest first."""
    query = select(REHEARSALS).where(REHEARSALS.c.session_id == session_id)
    return [_record(row) for row in db.execute(query.order_by(REHEARSALS.c.id))]


def save(db: UnitOfWork, record: RehearsalRecord) -> None:
    record.updated_at = db.now()
    db.execute(
        update(REHEARSALS)
        .where(REHEARSALS.c.id == record.id)
        .values(
            status=record.status,
            position=record.position,
            attempt=record.attempt,
            phase=record.phase,
            updated_at=record.updated_at,
            completed_at=record.completed_at,
        )
    )


def add_reply(db: UnitOfWork, rehearsal_id: int, reply: ReplyRecord) -> None:
    reply.at = db.now()
    db.execute(
        insert(REPLIES).values(
            rehearsal_id=rehearsal_id,
            moment_id=reply.moment_id,
            attempt=reply.attempt,
            text=reply.text,
            cues=reply.cues,
            traps=reply.traps,
            feedback=reply.feedback,
            at=reply.at,
        )
    )


def replies_of(db: UnitOfWork, rehearsal_id: int) -> list[ReplyRecord]:
    query = select(REPLIES).where(REPLIES.c.rehearsal_id == rehearsal_id).order_by(REPLIES.c.id)
    return [
        ReplyRecord(
            r.moment_id, r.attempt, r.text, list(r.cues), list(r.traps), r.feedback, r.at, r.id
        )
        for r in db.execute(query)
    ]
