"""What the session page shows of a review (issue 14, item 3): each transcript line with the
rules it fired, the notes on it and what it answered; the report's lines left out of the
transcript (the report has its own section); and the compact modes an instructor reads faster:
the answers only, or only the answers that fired a rule or carry a note.

The modes are links (`?view=answers`, `?view=flagged`), so they need no script and can be
bookmarked; an unknown mode shows everything.
"""

from __future__ import annotations

from typing import Any

from bot.coach.reports import REPORT_LINE
from bot.courses.evidence import answer_contexts, unanswered
from bot.courses.types import AnnotationInfo, SessionReview
from bot.engine.content import Content

MODES = ("", "answers", "flagged")
"""Everything, the student's answers only, the answers that fired a rule or carry a note."""


def _rules(review: SessionReview) -> dict[str, dict[str, Any]]:
    rules: dict[str, dict[str, Any]] = {}
    for lesson in review.export.get("lessons", []):
        for rule in lesson.get("rules", []):
            rules[str(rule.get("id"))] = {
                "id": rule.get("id"),
                "lesson_title": lesson.get("title", ""),
                "level": review.levels.get(lesson.get("id"), lesson.get("level", "")),
                "explain": rule.get("explain", ""),
                "advice": rule.get("advice", ""),
                "said": rule.get("said", ""),
            }
    return rules


def session_view(
    content: Content, review: SessionReview, viewer_id: int, mode: str, annotate: int | None
) -> dict[str, Any]:
    """The template's transcript: `lines` (each with `fired`, `notes`, `answer`: what it
    answered, `annotating`: the line whose note form is open without script), the notes on
    the whole session, the report lines left out, the mode and the gaps per lesson."""
    mode = mode if mode in MODES else ""
    rules = _rules(review)
    notes: dict[int | None, list[AnnotationInfo]] = {}
    for note in review.annotations:
        notes.setdefault(note.line_id, []).append(note)
    answers = answer_contexts(content, review.export, review.lines)
    lines = []
    report_lines = 0
    for line in review.lines:
        if line.sender == "bot" and line.question_id == REPORT_LINE:
            report_lines += 1
            if report_lines == 1 and not mode:  # where the report was sent: a pointer to it
                lines.append({"line": line, "report": True})
            continue
        item = {
            "line": line,
            "fired": [rules[r] for r in line.rules if r in rules],
            "notes": notes.get(line.id, []),
            "answer": answers.get(line.id),
            "annotating": annotate == line.id,
            "report": False,
        }
        if mode and (line.sender != "user" or item["answer"] is None):
            continue
        if mode == "flagged" and not (item["fired"] or item["notes"]):
            continue
        lines.append(item)
    return {
        "lines": lines,
        "general_notes": notes.get(None, []),
        "report_lines": report_lines,
        "mode": mode,
        "gaps": unanswered(content, review.export),
        "viewer_id": viewer_id,
        "form_placed": any(item.get("annotating") for item in lines),
    }
