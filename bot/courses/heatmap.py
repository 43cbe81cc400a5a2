"""The levels an instructor reads, and the cohort heatmap's sorting and filters (issue 14).

A stored finding says clear both for a lesson the student handled well and for one that does
not apply to their negotiation (the engine's `applies:`, e.g. no mediator), and an unfinished
session's live report says clear for lessons it never asked about. Neither is clear: the site
shows "n/a" and "not reached", and asks for no verdict on them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.courses.types import StudentRow
from bot.engine.content import Content

NOT_APPLICABLE = "n/a"
NOT_REACHED = "not reached"
JUDGED = ("risk", "watch", "gap", "clear")
"""Levels the bot judged: the ones an instructor can agree or disagree with."""
RANK = {"risk": 0, "watch": 1, "gap": 2, "clear": 3, NOT_APPLICABLE: 4, NOT_REACHED: 5, "": 6}
AT_RISK = {"risk": 3, "watch": 2, "gap": 1}
"""How much a level weighs in "most at risk first"."""
SORTS = ("name", "risk")
SHOWS = ("", "review", "none")
"""Everyone, students with sessions new to this instructor, students with no session yet."""


def not_applicable(content: Content, values: Mapping[str, Any]) -> set[str]:
    """Lessons whose `applies:` condition does not hold for these answers (only once the
    questions it reads are answered: before that nobody knows)."""
    return {
        lesson
        for lesson, cond in content.script.applies.items()
        if cond.questions() <= values.keys() and not cond.holds(values)
    }


def shown_levels(
    content: Content, stored: Mapping[str, str], values: Mapping[str, Any]
) -> dict[str, str]:
    """A completed session's stored levels with "n/a" for lessons that do not apply."""
    skip = not_applicable(content, values)
    return {lesson: NOT_APPLICABLE if lesson in skip else lvl for lesson, lvl in stored.items()}


def unfinished_levels(
    content: Content, live: Mapping[str, str], values: Mapping[str, Any]
) -> dict[str, str]:
    """An unfinished session's live levels: a lesson none of whose questions was answered is
    "not reached" (unasked is not clear); one that does not apply is "n/a"."""
    asked = {q.lesson for q in content.script.questions if q.lesson and q.id in values}
    skip = not_applicable(content, values)
    return {
        lesson: NOT_APPLICABLE if lesson in skip else lvl if lesson in asked else NOT_REACHED
        for lesson, lvl in live.items()
    }


def _risk(row: StudentRow) -> int:
    return sum(AT_RISK.get(level, 0) for level in row.levels.values())


def arrange(
    rows: Sequence[StudentRow], sort: str, lesson: str, level: str, show: str
) -> list[StudentRow]:
    """The heatmap's rows filtered and sorted as asked; names break ties, so the order holds
    from page to page. `sort` is "name", "risk" (most at risk first) or a lesson id."""
    kept = [
        row
        for row in rows
        if (show != "review" or row.new_sessions > 0)
        and (show != "none" or row.session_count == 0)
        and (not level or _has_level(row, lesson, level))
    ]
    by_name = sorted(kept, key=lambda row: (row.name.casefold(), row.user_id))
    if sort == "risk":
        return sorted(by_name, key=lambda row: -_risk(row))
    if sort in RANK or sort == "name" or not sort:
        return by_name
    return sorted(by_name, key=lambda row: RANK.get(row.levels.get(sort, ""), 6))


def _has_level(row: StudentRow, lesson: str, level: str) -> bool:
    if lesson:
        return row.levels.get(lesson, "") == level
    return level in row.levels.values()
