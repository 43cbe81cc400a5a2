"""A cohort's trend per lesson by week (issue 14, item 5): how many students were at risk or
on watch on each lesson, per ISO week in which their preparations were completed.

A student counts once per lesson and week, with the level of their latest preparation completed
that week (two attempts in one week are one student, as the heatmap shows one). Weeks with no
completed preparation are left out: the table reads as the course's weeks of work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.courses import access
from bot.courses.access import Viewer
from bot.courses.cohorts import cohort_infos
from bot.courses.types import CohortInfo
from bot.engine.content import Content
from storage.courses import trend as trend_store
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Week:
    label: str
    """The ISO week, "2026-W48"."""
    monday: date
    students: int
    """Students whose latest preparation completed that week has a risk or watch lesson."""
    completed: int = 0
    """Students who completed a preparation that week."""


@dataclass(frozen=True)
class CohortTrend:
    cohort: CohortInfo
    weeks: list[Week]
    lessons: list[tuple[str, str]]
    """(lesson id, title) in the book's order: the table's rows."""
    counts: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    """lesson id -> week label -> {"risk": n, "watch": n} (missing: none)."""


def _week_of(at: datetime) -> tuple[str, date]:
    year, week, weekday = at.isocalendar()
    return f"{year}-W{week:02d}", at.date() - timedelta(days=weekday - 1)


def cohort_trend(
    db: UnitOfWork, content: Content, viewer: Viewer, cohort_id: int
) -> CohortTrend | None:
    """None when the viewer does not instruct the cohort (the site answers 404)."""
    if not access.may_manage_cohort(db, viewer, cohort_id):
        return None
    infos = cohort_infos(db, [cohort_id])
    if not infos:
        return None
    latest: dict[tuple[str, int], tuple[datetime, int]] = {}
    levels: dict[int, dict[str, str]] = {}
    mondays: dict[str, date] = {}
    for user_id, session_id, completed_at, lesson, level in trend_store.flagged_findings(
        db, cohort_id
    ):
        week, monday = _week_of(completed_at)
        mondays[week] = monday
        key = (week, user_id)
        if key not in latest or (completed_at, session_id) > latest[key]:
            latest[key] = (completed_at, session_id)
        found = levels.setdefault(session_id, {})
        if lesson is not None and level is not None:
            found[lesson] = level
    counts: dict[str, dict[str, dict[str, int]]] = {}
    students: dict[str, int] = dict.fromkeys(mondays, 0)
    for (week, _user), (_at, session_id) in latest.items():
        students[week] += 1 if levels[session_id] else 0
        for lesson, level in levels[session_id].items():
            cell = counts.setdefault(lesson, {}).setdefault(week, {})
            cell[level] = cell.get(level, 0) + 1
    done: dict[str, int] = {}
    for week, _user in latest:
        done[week] = done.get(week, 0) + 1
    weeks = [Week(label, mondays[label], students[label], done[label]) for label in sorted(mondays)]
    lessons = [(lesson.id, lesson.title) for lesson in content.book.lessons]
    return CohortTrend(cohort=infos[0], weeks=weeks, lessons=lessons, counts=counts)
