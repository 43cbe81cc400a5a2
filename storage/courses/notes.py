"""Queries for one session under review: its lines with ids, instructors' annotations and
verdicts on the bot's levels, feedback to the student, and the access log of who read it
(issue 4).

The caller has already asked `bot.courses.access` whether the viewer may see or change the session.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select, update

from storage.courses.cohorts import INSTRUCTORS, SESSIONS, USERS
from storage.messaging import values_of
from storage.schema import TranscriptLine
from storage.schema.courses import AccessLogEntry, Annotation, Feedback, LevelVerdict
from storage.statements import Statement
from storage.uow import UnitOfWork

LINES = cast(Table, TranscriptLine.__table__)
ANNOTATIONS = cast(Table, Annotation.__table__)
VERDICTS = cast(Table, LevelVerdict.__table__)
FEEDBACK = cast(Table, Feedback.__table__)
ACCESS_LOG = cast(Table, AccessLogEntry.__table__)
_LOG_ACCESS = Statement(
    insert(ACCESS_LOG).values(
        values_of(ACCESS_LOG, "student_id", "viewer_id", "viewer_name", "session_id", "via", "at")
    )
)


# ---- one session: lines, annotations, verdicts, feedback --------------------------------------
def lines_with_ids(
    db: UnitOfWork, session_id: int
) -> list[tuple[int, datetime, str, str | None, str]]:
    query = (
        select(LINES.c.id, LINES.c.at, LINES.c.sender, LINES.c.question_id, LINES.c.text)
        .where(LINES.c.session_id == session_id)
        .order_by(LINES.c.id)
    )
    return [tuple(r) for r in db.execute(query)]


def line_session(db: UnitOfWork, line_id: int) -> int | None:
    found = db.execute(select(LINES.c.session_id).where(LINES.c.id == line_id)).scalar_one_or_none()
    return None if found is None else int(found)


def _author() -> tuple[Any, Any, Any]:
    return USERS.c.id, USERS.c.display_name, INSTRUCTORS.c.name


def annotations_of(db: UnitOfWork, session_id: int, drafts: bool = True) -> list[tuple[Any, ...]]:
    """(id, line id, lesson, comment, created, author id, display name, instructor name,
    draft, edited); `drafts` False leaves drafts out (the student's own view)."""
    query = (
        select(
            ANNOTATIONS.c.id,
            ANNOTATIONS.c.line_id,
            ANNOTATIONS.c.lesson_id,
            ANNOTATIONS.c.comment,
            ANNOTATIONS.c.created_at,
            *_author(),
            ANNOTATIONS.c.draft,
            ANNOTATIONS.c.edited_at,
        )
        .outerjoin(USERS, USERS.c.id == ANNOTATIONS.c.author_id)
        .outerjoin(INSTRUCTORS, INSTRUCTORS.c.user_id == ANNOTATIONS.c.author_id)
        .where(ANNOTATIONS.c.session_id == session_id)
        .order_by(ANNOTATIONS.c.id)
    )
    if not drafts:
        query = query.where(ANNOTATIONS.c.draft.is_(False))
    return [tuple(r) for r in db.execute(query)]


def add_annotation(
    db: UnitOfWork, session_id: int, line_id: int | None, author_id: int, lesson: str, comment: str,
    now: datetime, draft: bool = False,
) -> None:  # fmt: skip
    db.execute(
        insert(ANNOTATIONS).values(
            session_id=session_id,
            line_id=line_id,
            author_id=author_id,
            lesson_id=lesson,
            comment=comment,
            created_at=now,
            draft=draft,
        )
    )


def _own_note(session_id: int, note_id: int, author_id: int) -> Any:
    return (
        (ANNOTATIONS.c.id == note_id)
        & (ANNOTATIONS.c.session_id == session_id)
        & (ANNOTATIONS.c.author_id == author_id)
    )


def edit_annotation(
    db: UnitOfWork, session_id: int, note_id: int, author_id: int, lesson: str, comment: str,
    draft: bool, now: datetime,
) -> bool:  # fmt: skip
    """Change a note its author wrote; False when it is not theirs or not on this session.
    A published note may go back to draft (the student stops seeing it)."""
    changed = db.execute(
        update(ANNOTATIONS)
        .where(_own_note(session_id, note_id, author_id))
        .values(lesson_id=lesson, comment=comment, draft=draft, edited_at=now)
    ).rowcount
    return bool(changed)


def delete_annotation(db: UnitOfWork, session_id: int, note_id: int, author_id: int) -> bool:
    return bool(
        db.execute(delete(ANNOTATIONS).where(_own_note(session_id, note_id, author_id))).rowcount
    )


def publish_drafts(db: UnitOfWork, session_id: int, author_id: int) -> int:
    """The author's draft notes on the session become visible to the student (their feedback
    was just sent); how many."""
    return int(
        db.execute(
            update(ANNOTATIONS)
            .where(
                ANNOTATIONS.c.session_id == session_id,
                ANNOTATIONS.c.author_id == author_id,
                ANNOTATIONS.c.draft.is_(True),
            )
            .values(draft=False)
        ).rowcount
        or 0
    )


def verdicts_of(db: UnitOfWork, session_id: int) -> list[tuple[Any, ...]]:
    """(lesson, agree, author id, display name, instructor name, suggested level, reason) in
    the order given."""
    query = (
        select(
            VERDICTS.c.lesson_id,
            VERDICTS.c.agree,
            *_author(),
            VERDICTS.c.suggested_level,
            VERDICTS.c.reason,
        )
        .join(USERS, USERS.c.id == VERDICTS.c.author_id)
        .outerjoin(INSTRUCTORS, INSTRUCTORS.c.user_id == VERDICTS.c.author_id)
        .where(VERDICTS.c.session_id == session_id)
        .order_by(VERDICTS.c.id)
    )
    return [tuple(r) for r in db.execute(query)]


def set_verdict(
    db: UnitOfWork,
    session_id: int,
    lesson: str,
    author_id: int,
    agree: bool,
    now: datetime,
    suggested: str | None = None,
    reason: str | None = None,
) -> None:
    """One verdict per instructor, session and lesson; a second one replaces the first. A
    disagreement carries the level the instructor suggests and why."""
    changed = db.execute(
        update(VERDICTS)
        .where(
            VERDICTS.c.session_id == session_id,
            VERDICTS.c.lesson_id == lesson,
            VERDICTS.c.author_id == author_id,
        )
        .values(agree=agree, created_at=now, suggested_level=suggested, reason=reason)
    ).rowcount
    if not changed:
        db.execute(
            insert(VERDICTS).values(
                session_id=session_id,
                lesson_id=lesson,
                author_id=author_id,
                agree=agree,
                created_at=now,
                suggested_level=suggested,
                reason=reason,
            )
        )


def feedback_of(db: UnitOfWork, session_id: int) -> list[tuple[int, str, str, datetime]]:
    query = (
        select(FEEDBACK.c.id, FEEDBACK.c.author_name, FEEDBACK.c.text, FEEDBACK.c.created_at)
        .where(FEEDBACK.c.session_id == session_id)
        .order_by(FEEDBACK.c.id)
    )
    return [tuple(r) for r in db.execute(query)]


def add_feedback(
    db: UnitOfWork, session_id: int, author_id: int, author_name: str, text: str, now: datetime
) -> None:
    db.execute(
        insert(FEEDBACK).values(
            session_id=session_id,
            author_id=author_id,
            author_name=author_name[:128],
            text=text,
            created_at=now,
        )
    )


# ---- access log -------------------------------------------------------------------------------
def log_access(
    db: UnitOfWork,
    student_id: int,
    viewer_id: int,
    viewer_name: str,
    session_id: int | None,
    via: str,
    now: datetime,
) -> None:
    db.execute(
        insert(ACCESS_LOG).values(
            student_id=student_id,
            viewer_id=viewer_id,
            viewer_name=viewer_name[:128],
            session_id=session_id,
            via=via[:16],
            at=now,
        )
    )


def log_accesses(
    db: UnitOfWork,
    viewer_id: int,
    viewer_name: str,
    sessions: Sequence[tuple[int, int]],
    via: str,
    now: datetime,
) -> None:
    """One access-log entry per (student id, session id), in one statement (a compiled one:
    the cohort CSV logs 2,000 sessions at once, and Core's per-row parameter building cost
    ~40 ms of the download, `make bench`)."""
    if not sessions:
        return
    rows = [
        {
            "student_id": student_id,
            "viewer_id": viewer_id,
            "viewer_name": viewer_name[:128],
            "session_id": session_id,
            "via": via[:16],
            "at": now,
        }
        for student_id, session_id in sessions
    ]
    db.run(_LOG_ACCESS, rows)


def access_log(
    db: UnitOfWork, student_id: int, limit: int = 50
) -> list[tuple[datetime, str, int | None, str, str]]:
    """(at, viewer name, session id, session title, via), newest first."""
    query = (
        select(
            ACCESS_LOG.c.at,
            ACCESS_LOG.c.viewer_name,
            ACCESS_LOG.c.session_id,
            SESSIONS.c.title,
            ACCESS_LOG.c.via,
        )
        .outerjoin(SESSIONS, SESSIONS.c.id == ACCESS_LOG.c.session_id)
        .where(ACCESS_LOG.c.student_id == student_id)
        .order_by(ACCESS_LOG.c.at.desc(), ACCESS_LOG.c.id.desc())
        .limit(limit)
    )
    return [
        (r.at, str(r.viewer_name), r.session_id, str(r.title or ""), str(r.via))
        for r in db.execute(query)
    ]
