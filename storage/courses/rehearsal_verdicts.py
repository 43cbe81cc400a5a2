"""Instructors' verdicts on the feedback a rehearsal reply got (issue 15): which session a reply
belongs to (for the access check), one verdict per instructor and reply, and a session's
verdicts with their authors' names.

The caller has already asked `bot.courses.access` whether the viewer may review the session.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select, update

from storage.courses.cohorts import INSTRUCTORS, USERS
from storage.schema.rehearsals import Rehearsal, RehearsalReply, RehearsalVerdict
from storage.uow import UnitOfWork

REHEARSALS = cast(Table, Rehearsal.__table__)
REPLIES = cast(Table, RehearsalReply.__table__)
VERDICTS = cast(Table, RehearsalVerdict.__table__)


def reply_session(db: UnitOfWork, reply_id: int) -> int | None:
    """The preparation a rehearsal reply belongs to (None for an unknown reply)."""
    query = (
        select(REHEARSALS.c.session_id)
        .join(REPLIES, REPLIES.c.rehearsal_id == REHEARSALS.c.id)
        .where(REPLIES.c.id == reply_id)
    )
    found = db.execute(query).scalar_one_or_none()
    return None if found is None else int(found)


def set_verdict(
    db: UnitOfWork, reply_id: int, author_id: int, agree: bool, now: datetime, reason: str | None
) -> None:
    """One verdict per instructor and reply; a second one replaces the first."""
    changed = db.execute(
        update(VERDICTS)
        .where(VERDICTS.c.reply_id == reply_id, VERDICTS.c.author_id == author_id)
        .values(agree=agree, created_at=now, reason=reason)
    ).rowcount
    if not changed:
        db.execute(
            insert(VERDICTS).values(
                reply_id=reply_id, author_id=author_id, agree=agree, created_at=now, reason=reason
            )
        )


def verdicts_of(db: UnitOfWork, session_id: int) -> list[tuple[Any, ...]]:
    """(reply id, agree, reason, author id, display name, instructor name) for every reply of
    the preparation's rehearsals, in the order given."""
    query = (
        select(
            VERDICTS.c.reply_id,
            VERDICTS.c.agree,
            VERDICTS.c.reason,
            USERS.c.id,
            USERS.c.display_name,
            INSTRUCTORS.c.name,
        )
        .join(REPLIES, REPLIES.c.id == VERDICTS.c.reply_id)
        .join(REHEARSALS, REHEARSALS.c.id == REPLIES.c.rehearsal_id)
        .join(USERS, USERS.c.id == VERDICTS.c.author_id)
        .outerjoin(INSTRUCTORS, INSTRUCTORS.c.user_id == VERDICTS.c.author_id)
        .where(REHEARSALS.c.session_id == session_id)
        .order_by(VERDICTS.c.id)
    )
    return [tuple(r) for r in db.execute(query)]
