"""The query behind a cohort's weekly trend (issue 14, item 5): the risk and watch findings of
every completed preparation shared with the cohort, with its student and completion time.

One query, whatever the cohort's size; the grouping by ISO week happens in the feature (weeks
are computed the same way on SQLite and PostgreSQL there). Debriefs have no findings and are
left out like everywhere else on the review site.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from storage.courses import review
from storage.courses.cohorts import SESSIONS, SHARES
from storage.uow import UnitOfWork

FLAGGED = ("risk", "watch")


def flagged_findings(
    db: UnitOfWork, cohort_id: int
) -> list[tuple[int, int, datetime, str | None, str | None]]:
    """(student id, session id, completed at, lesson, level) for each risk or watch finding of
    a completed preparation shared with the cohort; a preparation with none comes once, with
    lesson and level None (it may be its student's latest of the week: all clear)."""
    query = (
        select(
            SESSIONS.c.user_id,
            SESSIONS.c.id,
            SESSIONS.c.completed_at,
            review.FINDINGS.c.lesson_id,
            review.FINDINGS.c.level,
        )
        .select_from(review._shared(cohort_id))  # the same sharing the heatmap reads
        .outerjoin(
            review.FINDINGS,
            (review.FINDINGS.c.session_id == SESSIONS.c.id) & review.FINDINGS.c.level.in_(FLAGGED),
        )
        .where(
            SHARES.c.cohort_id == cohort_id,
            SESSIONS.c.status == "completed",
            SESSIONS.c.completed_at.is_not(None),
            review._preparation(),
        )
    )
    return [(int(u), int(s), at, lesson, level) for u, s, at, lesson, level in db.execute(query)]
