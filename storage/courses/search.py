"""Search over what a cohort's students wrote (issue 4; whole words, the question each hit
answered and the lesson/level filter: issue 14). The caller has already asked
`bot.courses.access` about the cohort.

Whole words the same way on SQLite and PostgreSQL: a LIKE on the text picks the candidates
(both databases do it with the same escaped pattern), then `whole_words` checks each candidate
in Python, where "rent" no longer matches "current". Neither database's word-boundary syntax is
the other's (PostgreSQL's `\\m...\\M`, none in SQLite's LIKE), so the check lives here once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select

from storage.courses.cohorts import SESSIONS, SHARES, USERS
from storage.courses.review import FINDINGS, LINES, like_pattern
from storage.uow import UnitOfWork

STREAM_BATCH = 500


def whole_words(text: str) -> re.Pattern[str]:
    """`text` as a case-insensitive pattern that matches it only between word boundaries: not
    inside a longer word on either side ("rent" finds "the rent," and "Rent" but not
    "current" or "rented"). Spaces in `text` match any run of spaces."""
    words = r"\s+".join(re.escape(part) for part in text.split())
    return re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)


def _candidates(
    db: UnitOfWork, cohort_id: int, text: str, lesson: str = "", level: str = ""
) -> Any:
    """Lines of the cohort's shared sessions containing `text`, case-insensitively, as the
    LIKE pre-filter of `whole_words`; with `lesson` and/or `level`, only sessions whose finding
    for that lesson (any lesson, without one) is at that level (any level, without one).

    `session_id IN (shared sessions)` rather than a join lets SQLite walk the lines newest
    first and stop at the page's end. Case: PostgreSQL's ILIKE; SQLite's own LIKE, which
    ignores ASCII case as `lower()` does there (measured: `lower(text) LIKE` doubled the scan
    of 120,000 lines). Both take the escaped pattern from `like_pattern`."""
    shared = select(SHARES.c.session_id).where(SHARES.c.cohort_id == cohort_id)
    if lesson or level:
        judged = select(FINDINGS.c.session_id).where(FINDINGS.c.session_id.in_(shared))
        if lesson:
            judged = judged.where(FINDINGS.c.lesson_id == lesson)
        if level:
            judged = judged.where(FINDINGS.c.level == level)
        shared = judged
    pattern = like_pattern(text)
    if db.dialect == "postgresql":
        matches = LINES.c.text.ilike(pattern, escape="\\")
    else:
        matches = LINES.c.text.like(pattern, escape="\\")
    # What students wrote: the bot's questions are the same for everyone and would drown it.
    return (LINES.c.session_id.in_(shared), LINES.c.sender == "user", matches)


def matching_ids(
    db: UnitOfWork, cohort_id: int, text: str, cap: int, lesson: str = "", level: str = ""
) -> list[int]:
    """The ids of the lines holding `text` as whole words, newest first, no more than `cap`
    (the page says "cap or more" and pages within them). The candidates are read newest first
    and the reading stops at the `cap`-th match: a common word costs no more than a rare one."""
    query = (
        select(LINES.c.id, LINES.c.text)
        .where(*_candidates(db, cohort_id, text, lesson, level))
        .order_by(LINES.c.id.desc())
    )
    if db.dialect == "postgresql":
        # Streamed in batches (a server-side cursor): "a" is in nearly every line, and the
        # reading stops after `cap` hits rather than fetch all of them first. SQLite's cursor
        # steps through the rows as they are read anyway.
        query = query.execution_options(yield_per=STREAM_BATCH)
    pattern = whole_words(text)
    found: list[int] = []
    rows = db.execute(query)
    try:
        for line_id in _hits(rows, pattern):
            found.append(line_id)
            if len(found) >= cap:
                break
    finally:
        rows.close()
    return found


def _hits(rows: Any, pattern: re.Pattern[str]) -> Iterator[int]:
    for line_id, line in rows:
        if pattern.search(line):
            yield int(line_id)


def lines_by_id(db: UnitOfWork, ids: list[int]) -> list[Any]:
    """The lines `ids`, newest first: (line id, session id, user id, display name, title, at,
    sender, text, question id). The question is the one the line answered: that of the bot's
    last question line before it in its session (a student's line carries none itself)."""
    if not ids:
        return []
    asked = LINES.alias("asked")
    last_question = (
        select(func.max(asked.c.id))
        .where(
            asked.c.session_id == LINES.c.session_id,
            asked.c.id < LINES.c.id,
            asked.c.question_id.is_not(None),
        )
        .correlate(LINES)
        .scalar_subquery()
    )
    question = select(asked.c.question_id).where(asked.c.id == last_question).scalar_subquery()
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
            question,
        )
        .join(SESSIONS, SESSIONS.c.id == LINES.c.session_id)
        .join(USERS, USERS.c.id == SESSIONS.c.user_id)
        .where(LINES.c.id.in_(ids))
        .order_by(LINES.c.id.desc())
    )
    return [tuple(r) for r in db.execute(details)]
