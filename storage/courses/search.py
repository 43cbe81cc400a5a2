"""Search over what a cohort's students wrote (issue 4; whole words and the question each hit
answered: issue 14). The caller has already asked `bot.courses.access` about the cohort."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from storage.courses.cohorts import SESSIONS, SHARES, USERS
from storage.courses.review import LINES, like_pattern
from storage.uow import UnitOfWork


def _matching(db: UnitOfWork, cohort_id: int, text: str) -> Any:
    """Lines of the cohort's shared sessions containing `text`, case-insensitively.

    `session_id IN (shared sessions)` rather than a join lets SQLite walk the lines newest
    first and stop at the page's end. Case: PostgreSQL's ILIKE; SQLite's own LIKE, which
    ignores ASCII case as `lower()` does there (measured: `lower(text) LIKE` doubled the scan
    of 120,000 lines). Both take the escaped pattern from `like_pattern`."""
    shared = select(SHARES.c.session_id).where(SHARES.c.cohort_id == cohort_id)
    pattern = like_pattern(text)
    if db.dialect == "postgresql":
        matches = LINES.c.text.ilike(pattern, escape="\\")
    else:
        matches = LINES.c.text.like(pattern, escape="\\")
    # What students wrote: the bot's questions are the same for everyone and would drown it.
    return (LINES.c.session_id.in_(shared), LINES.c.sender == "user", matches)


def count_matches(db: UnitOfWork, cohort_id: int, text: str, cap: int) -> int:
    """How many lines match, counting no further than `cap` (the page says "cap or more")."""
    hits = select(LINES.c.id).where(*_matching(db, cohort_id, text)).limit(cap).subquery()
    query = select(func.count()).select_from(hits)
    return int(db.execute(query).scalar_one())


def search_lines(db: UnitOfWork, cohort_id: int, text: str, offset: int, limit: int) -> list[Any]:
    """A page of matching lines, newest first: (line id, session id, user id, display name,
    title, at, sender, text). The page's ids first, then their details (20 rows, not all)."""
    page = (
        select(LINES.c.id)
        .where(*_matching(db, cohort_id, text))
        .order_by(LINES.c.id.desc())
        .offset(offset)
        .limit(limit)
    )
    ids = [int(row[0]) for row in db.execute(page)]
    if not ids:
        return []
    details = (
        select(
            LINES.c.id,
            LINES.c.session_id,
            SESSIONS.c.user_id,
            USERS.c.display_name,
            SESSIONS.c.title,
            LINES.c.at,
            LINES.c.sender,
            LINES.c.text,
        )
        .join(SESSIONS, SESSIONS.c.id == LINES.c.session_id)
        .join(USERS, USERS.c.id == SESSIONS.c.user_id)
        .where(LINES.c.id.in_(ids))
        .order_by(LINES.c.id.desc())
    )
    return [tuple(r) for r in db.execute(details)]
