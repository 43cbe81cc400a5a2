"""Queries behind a cohort's review pages: the students, their grouped levels, verdict
disagreement, search and the CSV rows (issue 4; one session's notes are in course_notes).

Every query is scoped to one cohort's shared sessions or to one session; the caller has already
asked `bot.courses.access` whether the viewer may see that cohort or session. Cohort pages aggregate
in SQL (GROUP BY over the page's students), never one query per student: the review site must
answer a 200-student, 2,000-session cohort in well under 200 ms.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, case, func, literal, select, union

from storage.courses.cohorts import MEMBERS, SESSIONS, SHARES, USERS
from storage.schema import LessonFinding, TranscriptLine
from storage.schema.courses import LevelVerdict
from storage.schema.followups import Debrief
from storage.statements import Statement
from storage.uow import UnitOfWork

FINDINGS = cast(Table, LessonFinding.__table__)
LINES = cast(Table, TranscriptLine.__table__)
VERDICTS = cast(Table, LevelVerdict.__table__)
DEBRIEFS = cast(Table, Debrief.__table__)


def _preparation() -> Any:
    """Not a debrief: levels and counts come from preparations; a debrief belongs beside its
    preparation, never in its place (issue 14)."""
    return SESSIONS.c.id.not_in(select(DEBRIEFS.c.session_id))


def like_pattern(text: str) -> str:
    """`%text%` for a case-insensitive LIKE with `\\` as escape: the user's % and _ match
    themselves."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# ---- a cohort's students ----------------------------------------------------------------------
def _student_ids(cohort_id: int) -> Any:
    """Current members, and anyone whose sessions are still shared with the cohort."""
    members = select(MEMBERS.c.user_id).where(
        MEMBERS.c.cohort_id == cohort_id, MEMBERS.c.left_at.is_(None)
    )
    sharers = (
        select(SESSIONS.c.user_id)
        .join(SHARES, SHARES.c.session_id == SESSIONS.c.id)
        .where(SHARES.c.cohort_id == cohort_id)
    )
    return union(members, sharers).subquery()


def _students_query(cohort_id: int, query: str) -> Select[Any]:
    ids = _student_ids(cohort_id)
    statement = (
        select(USERS.c.id, USERS.c.display_name, MEMBERS.c.left_at, MEMBERS.c.id.label("member"))
        .join(ids, ids.c.user_id == USERS.c.id)
        .outerjoin(MEMBERS, (MEMBERS.c.user_id == USERS.c.id) & (MEMBERS.c.cohort_id == cohort_id))
    )
    if query:
        statement = statement.where(
            func.lower(USERS.c.display_name).like(like_pattern(query), escape="\\")
        )
    return statement


def count_students(db: UnitOfWork, cohort_id: int, query: str = "") -> int:
    inner = _students_query(cohort_id, query).subquery()
    return int(db.execute(select(func.count()).select_from(inner)).scalar_one())


def students_page(
    db: UnitOfWork, cohort_id: int, query: str, offset: int, limit: int
) -> list[tuple[int, str, bool]]:
    """(user id, display name, still a member) ordered by name."""
    statement = (
        _students_query(cohort_id, query)
        .order_by(func.lower(USERS.c.display_name), USERS.c.id)
        .offset(offset)
        .limit(limit)
    )
    return [
        (int(r.id), str(r.display_name), r.member is not None and r.left_at is None)
        for r in db.execute(statement)
    ]


def _shared(cohort_id: int) -> Any:
    return SHARES.join(SESSIONS, SESSIONS.c.id == SHARES.c.session_id)


def session_counts(
    db: UnitOfWork, cohort_id: int, user_ids: Sequence[int] | None
) -> dict[int, tuple[int, int]]:
    """user id -> (shared preparations, of which completed); debriefs are not counted, they
    belong beside their preparation. Every student of the cohort when `user_ids` is None."""
    completed = func.sum(case((SESSIONS.c.status == "completed", 1), else_=0))
    query = (
        select(SESSIONS.c.user_id, func.count(), completed)
        .select_from(_shared(cohort_id))
        .where(SHARES.c.cohort_id == cohort_id, _preparation())
        .group_by(SESSIONS.c.user_id)
    )
    if user_ids is not None:
        query = query.where(SESSIONS.c.user_id.in_(user_ids))
    return {int(r[0]): (int(r[1]), int(r[2] or 0)) for r in db.execute(query)}


def level_counts(
    db: UnitOfWork, cohort_id: int, user_ids: Sequence[int] | None
) -> list[tuple[int | None, str, str, int]]:
    """(user id or None, lesson, level, sessions) over completed shared sessions; per user
    for `user_ids`, for the whole cohort when None."""
    by_user = user_ids is not None
    user_col = SESSIONS.c.user_id if by_user else literal(None)
    query = (
        select(user_col.label("uid"), FINDINGS.c.lesson_id, FINDINGS.c.level, func.count())
        .select_from(_shared(cohort_id).join(FINDINGS, FINDINGS.c.session_id == SESSIONS.c.id))
        .where(SHARES.c.cohort_id == cohort_id, SESSIONS.c.status == "completed")
    )
    if user_ids is not None:
        query = query.where(SESSIONS.c.user_id.in_(user_ids)).group_by(SESSIONS.c.user_id)
    query = query.group_by(FINDINGS.c.lesson_id, FINDINGS.c.level)
    return [
        (int(r[0]) if by_user else None, str(r[1]), str(r[2]), int(r[3])) for r in db.execute(query)
    ]


def latest_levels(
    db: UnitOfWork, cohort_id: int, user_ids: Sequence[int] | None
) -> dict[int, tuple[int, dict[str, str]]]:
    """user id -> (their latest completed shared preparation, its levels by lesson), for
    `user_ids` or every student of the cohort (None); two queries for the page. A debrief
    has no levels and is never the latest: the preparation it looks back on keeps its place."""
    query = (
        select(SESSIONS.c.user_id, SESSIONS.c.id, SESSIONS.c.completed_at)
        .select_from(_shared(cohort_id))
        .where(SHARES.c.cohort_id == cohort_id, SESSIONS.c.status == "completed", _preparation())
    )
    if user_ids is not None:
        query = query.where(SESSIONS.c.user_id.in_(user_ids))
    latest: dict[int, tuple[datetime, int]] = {}
    for user_id, session_id, completed_at in db.execute(query):
        key = (completed_at or datetime.min, session_id)
        if user_id not in latest or key > latest[user_id]:
            latest[user_id] = key
    owner = {session_id: user_id for user_id, (_at, session_id) in latest.items()}
    levels: dict[int, tuple[int, dict[str, str]]] = {
        user_id: (session_id, {}) for session_id, user_id in owner.items()
    }
    if owner:
        rows = db.execute(
            select(FINDINGS.c.session_id, FINDINGS.c.lesson_id, FINDINGS.c.level).where(
                FINDINGS.c.session_id.in_(list(owner))
            )
        )
        for session_id, lesson_id, level in rows:
            levels[owner[session_id]][1][lesson_id] = level
    return levels


def verdict_evidence(db: UnitOfWork, cohort_id: int) -> list[tuple[str, bool, list[Any]]]:
    """(lesson, agree, the finding's fired rules) for every verdict on a shared session."""
    query = (
        select(VERDICTS.c.lesson_id, VERDICTS.c.agree, FINDINGS.c.evidence)
        .join(SHARES, SHARES.c.session_id == VERDICTS.c.session_id)
        .outerjoin(
            FINDINGS,
            (FINDINGS.c.session_id == VERDICTS.c.session_id)
            & (FINDINGS.c.lesson_id == VERDICTS.c.lesson_id),
        )
        .where(SHARES.c.cohort_id == cohort_id)
    )
    return [(str(r.lesson_id), bool(r.agree), list(r.evidence or [])) for r in db.execute(query)]


def student_sessions(
    db: UnitOfWork, cohort_id: int, user_id: int
) -> list[tuple[int, str, str, datetime, datetime | None, str, int | None]]:
    """(id, title, status, started, completed, how shared, the preparation it debriefs or
    None) of a student's shared sessions, newest first."""
    query = (
        select(
            SESSIONS.c.id,
            SESSIONS.c.title,
            SESSIONS.c.status,
            SESSIONS.c.started_at,
            SESSIONS.c.completed_at,
            SHARES.c.how,
            DEBRIEFS.c.prepared_session_id,
        )
        .select_from(_shared(cohort_id).outerjoin(DEBRIEFS, DEBRIEFS.c.session_id == SESSIONS.c.id))
        .where(SHARES.c.cohort_id == cohort_id, SESSIONS.c.user_id == user_id)
        .order_by(SESSIONS.c.started_at.desc(), SESSIONS.c.id.desc())
    )
    return [tuple(r) for r in db.execute(query)]


def findings_of(
    db: UnitOfWork, session_ids: Sequence[int]
) -> list[tuple[int, str, str, list[Any]]]:
    """(session id, lesson, level, fired rules) for the given sessions."""
    if not session_ids:
        return []
    query = select(
        FINDINGS.c.session_id, FINDINGS.c.lesson_id, FINDINGS.c.level, FINDINGS.c.evidence
    ).where(FINDINGS.c.session_id.in_(session_ids))
    return [(int(r[0]), str(r[1]), str(r[2]), list(r[3] or [])) for r in db.execute(query)]


def levels_of(db: UnitOfWork, session_ids: Sequence[int]) -> list[tuple[int, str, str]]:
    """(session id, lesson, level): findings without their evidence, for tables and CSV."""
    if not session_ids:
        return []
    query = select(FINDINGS.c.session_id, FINDINGS.c.lesson_id, FINDINGS.c.level).where(
        FINDINGS.c.session_id.in_(session_ids)
    )
    return [(int(r[0]), str(r[1]), str(r[2])) for r in db.execute(query)]


_COHORT_LEVELS = Statement(
    select(FINDINGS.c.session_id, FINDINGS.c.lesson_id, FINDINGS.c.level)
    .select_from(FINDINGS.join(SHARES, SHARES.c.session_id == FINDINGS.c.session_id))
    .where(SHARES.c.cohort_id == bindparam("key"))
)


def cohort_levels(db: UnitOfWork, cohort_id: int) -> list[tuple[int, str, str]]:
    """(session id, lesson, level) of every session shared with the cohort, for its CSV: one
    compiled statement joined on the shares, not `levels_of` with 2,000 ids bound one by one
    and 10,000 rows read through Core (~35 ms of the download, `make bench`)."""
    rows = db.run(_COHORT_LEVELS, {"key": cohort_id}).rows
    return [(int(r["session_id"]), str(r["lesson_id"]), str(r["level"])) for r in rows]


def cohort_sessions(db: UnitOfWork, cohort_id: int) -> list[tuple[Any, ...]]:
    """(student name, user id, session id, title, status, completed) of every shared
    preparation (a debrief has no levels: it would be an empty row)."""
    query = (
        select(
            USERS.c.display_name,
            USERS.c.id,
            SESSIONS.c.id,
            SESSIONS.c.title,
            SESSIONS.c.status,
            SESSIONS.c.completed_at,
        )
        .select_from(_shared(cohort_id).join(USERS, USERS.c.id == SESSIONS.c.user_id))
        .where(SHARES.c.cohort_id == cohort_id, _preparation())
        .order_by(func.lower(USERS.c.display_name), USERS.c.id, SESSIONS.c.id)
    )
    return [tuple(r) for r in db.execute(query)]


def answers_on_path(db: UnitOfWork, session_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """session id -> its answer values on the route taken (what the engine's `applies:`
    conditions read), for telling a lesson that does not apply from a clear one."""
    if not session_ids:
        return {}
    query = select(SESSIONS.c.id, SESSIONS.c.answer_map, SESSIONS.c.path, SESSIONS.c.state).where(
        SESSIONS.c.id.in_(session_ids)
    )
    found: dict[int, dict[str, Any]] = {}
    for session_id, answer_map, path, state in db.execute(query):
        route = {*(path or []), state}
        found[int(session_id)] = {
            qid: pair[0] for qid, pair in (answer_map or {}).items() if qid in route and pair
        }
    return found
