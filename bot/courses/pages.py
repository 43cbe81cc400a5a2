"""A cohort as its instructors see it: students with their levels, search, the CSV export.

Refusals return None (the site answers 404): a cohort the viewer does not instruct looks
exactly like one that does not exist. The aggregates come from a fixed number of grouped
queries per page, whatever the number of students or sessions.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from datetime import datetime
from typing import Any

from bot.coach import ids
from bot.courses import access, heatmap
from bot.courses.access import Viewer
from bot.courses.cohorts import cohort_infos
from bot.courses.types import (
    Arrangement,
    CohortOverview,
    RuleDisagreement,
    SearchHit,
    SearchPage,
    StudentRow,
    StudentSession,
)
from bot.engine.content import Content
from storage.courses import cohorts as store
from storage.courses import notes as notes_store
from storage.courses import queue as queue_store
from storage.courses import review as review_store
from storage.courses import search as search_store
from storage.uow import UnitOfWork

MAX_QUERY = 200
MAX_PER_PAGE = 200
MAX_COUNTED = 1000  # beyond this the page says "1000 or more"; counting on is a full scan


def _paging(total: int, page: int, per_page: int) -> tuple[int, int, int]:
    """(page clamped to what exists, pages, offset)."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    pages = max(1, math.ceil(total / per_page))
    page = max(1, min(page, pages))
    return page, pages, (page - 1) * per_page


def _disagreements(db: UnitOfWork, cohort_id: int) -> list[RuleDisagreement]:
    counts: dict[tuple[str, str], list[int]] = {}
    for lesson, agree, rules in review_store.verdict_evidence(db, cohort_id):
        ids = [str(r.get("id")) for r in rules if isinstance(r, dict)] or [""]
        for rule_id in ids:
            tally = counts.setdefault((rule_id, lesson), [0, 0])
            tally[0] += 1
            tally[1] += 0 if agree else 1
    found = [
        RuleDisagreement(rule, lesson, total, against, against / total)
        for (rule, lesson), (total, against) in counts.items()
    ]
    return sorted(found, key=lambda d: (-d.rate, -d.verdicts, d.rule_id))


def cohort_overview(
    db: UnitOfWork,
    content: Content,
    viewer: Viewer,
    cohort_id: int,
    page: int = 1,
    per_page: int = 50,
    query: str = "",
    arranged: Arrangement | None = None,
) -> CohortOverview | None:
    """The heatmap: every student's latest levels, sorted and filtered as asked, one page of
    it. The whole cohort is read in a fixed number of grouped queries (sorting by a lesson
    needs every student's level), then cut to the page."""
    if not access.may_manage_cohort(db, viewer, cohort_id):
        return None
    infos = cohort_infos(db, [cohort_id])
    if not infos:
        return None
    query = query.strip()[:MAX_QUERY]
    total = review_store.count_students(db, cohort_id, query)
    found = review_store.students_page(db, cohort_id, query, 0, total or 1)
    counts = review_store.session_counts(db, cohort_id, None)
    latest = review_store.latest_levels(db, cohort_id, None)
    answers = review_store.answers_on_path(db, [sid for sid, _levels in latest.values()])
    new = queue_store.new_by_student(db, viewer.user_id, cohort_id)
    totals: dict[str, dict[str, int]] = {}
    for _none, lesson, level, n in review_store.level_counts(db, cohort_id, None):
        totals.setdefault(lesson, {})[level] = n
    lessons = [(lesson.id, lesson.title) for lesson in content.book.lessons]
    rows = []
    for user_id, name, member in found:
        session_id, stored = latest.get(user_id, (None, {}))
        shown = heatmap.shown_levels(content, stored, answers.get(session_id or 0, {}))
        rows.append(
            StudentRow(
                user_id=user_id,
                name=store.person_name(name, None, user_id),
                session_count=counts.get(user_id, (0, 0))[0],
                levels={lid: shown.get(lid, "") for lid, _t in lessons},
                level_counts={},
                member=member,
                completed_count=counts.get(user_id, (0, 0))[1],
                latest_session_id=session_id,
                new_sessions=new.get(user_id, 0),
            )
        )
    arranged = arranged or Arrangement()
    kept = heatmap.arrange(rows, arranged.sort, arranged.lesson, arranged.level, arranged.show)
    page, pages, offset = _paging(len(kept), page, per_page)
    return CohortOverview(
        cohort=infos[0],
        students=kept[offset : offset + max(1, min(per_page, MAX_PER_PAGE))],
        lesson_totals=totals,
        disagreements=_disagreements(db, cohort_id),
        page=page,
        pages=pages,
        total_students=len(kept),
        query=query,
        lessons=lessons,
        sort=arranged.sort,
        lesson_filter=arranged.lesson,
        level_filter=arranged.level,
        show=arranged.show,
        left_count=sum(1 for row in rows if not row.member),
    )


def student_sessions(
    db: UnitOfWork, viewer: Viewer, cohort_id: int, student_user_id: int
) -> list[StudentSession] | None:
    """A student's sessions shared with the cohort, newest first; None when the viewer does
    not instruct the cohort or the student is not one of its students."""
    if not access.may_manage_cohort(db, viewer, cohort_id) or not ids.is_row_id(student_user_id):
        return None
    rows = review_store.student_sessions(db, cohort_id, student_user_id)
    if not rows and not store.is_member(db, cohort_id, student_user_id):
        return None
    levels: dict[int, dict[str, str]] = {}
    for session_id, lesson, level in review_store.levels_of(db, [r[0] for r in rows]):
        levels.setdefault(session_id, {})[lesson] = level
    # A debrief is shown on its preparation's card, not as a card of its own.
    debriefs = {
        prepared: StudentSession(sid, title, status, started, completed, {}, how)
        for sid, title, status, started, completed, how, prepared in rows
        if prepared is not None
    }
    shared = {r[0] for r in rows}
    return [
        StudentSession(
            sid, title, status, started, completed, levels.get(sid, {}), how, debriefs.get(sid)
        )
        for sid, title, status, started, completed, how, prepared in rows
        if prepared is None or prepared not in shared
    ]


def search(
    db: UnitOfWork,
    content: Content,
    viewer: Viewer,
    cohort_id: int,
    query: str,
    now: datetime,
    page: int = 1,
    per_page: int = 20,
    lesson: str = "",
    level: str = "",
) -> SearchPage | None:
    """What students wrote holding `query` as whole words (case-insensitive; "rent" does not
    find "current") in the cohort's shared sessions, newest first, each with the question it
    answered; `lesson`/`level` keep the sessions where that lesson is at that level (unknown
    values are ignored). Every session shown is logged as viewed."""
    if not access.may_manage_cohort(db, viewer, cohort_id):
        return None
    lesson = lesson if lesson in {it.id for it in content.book.lessons} else ""
    level = level if level in heatmap.JUDGED else ""
    text = " ".join(query.split())[:MAX_QUERY]
    if not text:
        return SearchPage([], 1, 1, 0, "", lesson, level)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    found = search_store.matching_ids(db, cohort_id, text, MAX_COUNTED, lesson, level)
    page, pages, offset = _paging(len(found), page, per_page)
    rows = search_store.lines_by_id(db, found[offset : offset + per_page])
    hits = [
        SearchHit(
            lid,
            sid,
            uid,
            store.person_name(name, None, uid),
            title,
            at,
            sender,
            line,
            question_in_short(content, question),
        )
        for lid, sid, uid, name, title, at, sender, line, question in rows
    ]
    # A matching line is part of a transcript: each session shown is a view the student sees.
    for session_id, student_id in sorted({(hit.session_id, hit.student_user_id) for hit in hits}):
        notes_store.log_access(
            db, student_id, viewer.user_id, viewer.name, session_id, "search", now
        )
    return SearchPage(hits, page, pages, len(found), text, lesson, level)


SHORT_PROMPT = 80
PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


def question_in_short(content: Content, question_id: str | None) -> str:
    """A question as a hit's heading: its `short` ("what is at stake"), else the first
    sentence of its prompt (a placeholder shown as "…"), cut to a line; "" for a line that
    answered no known question. Any script of the family: a debrief's lines are searched too."""
    if not question_id:
        return ""
    for script_id in content.script_ids:
        for question in content.for_script(script_id).script.questions:
            if question.id != question_id:
                continue
            if question.short:
                return question.short
            prompt = PLACEHOLDER.sub("…", " ".join(question.prompt.split()))
            first = re.split(r"(?<=[.?!])\s", prompt)[0]
            return first if len(first) <= SHORT_PROMPT else first[: SHORT_PROMPT - 1] + "…"
    return ""


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _cell(value: Any) -> str:
    """Spreadsheet-safe: text a spreadsheet would run as a formula is quoted with `'`; also
    when it starts with a full-width `＝＋－＠` (or a space before one), which spreadsheets
    read as the ASCII sign."""
    text = "" if value is None else str(value)
    first = unicodedata.normalize("NFKC", text.lstrip()[:1])
    return "'" + text if text[:1] in FORMULA_STARTS or first in FORMULA_STARTS else text


def cohort_csv(
    db: UnitOfWork, content: Content, viewer: Viewer, cohort_id: int, now: datetime
) -> str | None:
    """One row per shared session with each lesson's level; None when not the viewer's. The
    download holds each session's title (the start of the student's first answer), so every
    session in it is written to its student's access log ("csv")."""
    if not access.may_manage_cohort(db, viewer, cohort_id):
        return None
    lesson_ids = [lesson.id for lesson in content.book.lessons]
    sessions = review_store.cohort_sessions(db, cohort_id)
    notes_store.log_accesses(
        db, viewer.user_id, viewer.name, [(s[1], s[2]) for s in sessions], "csv", now
    )
    levels: dict[int, dict[str, str]] = {}
    for session_id, lesson, level in review_store.cohort_levels(db, cohort_id):
        levels.setdefault(session_id, {})[lesson] = level
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "session_id", "title", "status", "completed_at", *lesson_ids])
    for name, user_id, session_id, title, status, completed in sessions:
        found = levels.get(session_id, {}) if status == "completed" else {}
        writer.writerow(
            [
                _cell(store.person_name(name, None, user_id)),
                session_id,
                _cell(title),
                status,
                completed.isoformat(timespec="seconds") + "Z" if completed else "",
                *(found.get(lid, "") for lid in lesson_ids),
            ]
        )
    return out.getvalue()
