"""One session under review: the transcript with the rules each answer fired, annotations,
verdicts on the bot's levels, feedback to the student, and the export (issue 4).

Every function asks `bot.courses.access` first and returns None/False when the viewer may not, without
saying whether the session exists. Every transcript read by someone other than its owner is
written to the access log, which the student sees in /privacy.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.coach import ids
from bot.coach.reports import REPORT_LINE, export_json
from bot.courses import access, heatmap
from bot.courses.access import Viewer
from bot.courses.types import AnnotationInfo, FeedbackInfo, ReviewLine, SessionReview
from bot.engine.content import Content
from bot.engine.render import Format
from storage import repository as repo
from storage.courses import cohorts as store
from storage.courses import notes as notes_store
from storage.courses import review as review_store
from storage.records import SessionRecord, UserRecord
from storage.uow import UnitOfWork

MAX_COMMENT = 2000
MAX_FEEDBACK = 2000
MAX_REASON = 300
CHANNEL_FORMATS: dict[str, Format] = {"telegram": "html", "console": "text"}


def clean_text(text: str, limit: int) -> str | None:
    cleaned = (text or "").strip()
    return cleaned if 0 < len(cleaned) <= limit else None


def student_name(user: UserRecord) -> str:
    return store.person_name(user.display_name, None, user.id)


def _rules_by_question(findings: list[tuple[int, str, str, list[Any]]]) -> dict[str, list[str]]:
    """question id -> ids of the rules whose evidence quotes the answer to it."""
    found: dict[str, list[str]] = {}
    for _sid, _lesson, _level, rules in findings:
        for rule in rules:
            if not isinstance(rule, dict):
                continue
            for evidence in rule.get("evidence") or []:
                question = evidence.get("question") if isinstance(evidence, dict) else None
                if question and rule.get("id") not in found.setdefault(question, []):
                    found[question].append(str(rule.get("id")))
    return found


def review_lines(
    raw: list[tuple[int, datetime, str, str | None, str]], rules: dict[str, list[str]]
) -> list[ReviewLine]:
    """Transcript lines with their ids. A user line answers the question the bot asked last;
    the last such answer to a question (the one that stood) carries the rules it fired."""
    asked: str | None = None
    answered: list[str | None] = []
    for _id, _at, sender, question, text in raw:
        if sender == "bot":
            asked = question if question and question != REPORT_LINE else asked
            answered.append(question)
        else:
            answered.append(asked if not text.startswith("/") else None)
    last = {q: i for i, (q, row) in enumerate(zip(answered, raw, strict=True)) if row[2] != "bot"}
    return [
        ReviewLine(
            id=line_id,
            at=at,
            sender=sender,
            text=text,
            question_id=answered[i],
            rules=list(rules.get(answered[i] or "", []))
            if sender != "bot" and answered[i] is not None and last.get(answered[i]) == i
            else [],
        )
        for i, (line_id, at, sender, _q, text) in enumerate(raw)
    ]


def session_review(
    db: UnitOfWork, content: Content, viewer: Viewer, session_id: int, via: str, now: datetime
) -> SessionReview | None:
    if not access.may_read_session(db, viewer, session_id):
        return None
    row = repo.get_session(db, session_id)
    owner = repo.user_by_id(db, row.user_id) if row is not None else None
    if row is None or owner is None:
        return None
    name = student_name(owner)
    findings = review_store.findings_of(db, [session_id])
    annotations = [
        AnnotationInfo(
            aid,
            line,
            lesson,
            comment,
            store.person_name(dn or "", iname, uid or 0),
            at,
            uid,
            bool(draft),
            edited,
        )
        for aid, line, lesson, comment, at, uid, dn, iname, draft, edited in (
            notes_store.annotations_of(db, session_id, drafts=owner.id != viewer.user_id)
        )
    ]
    verdicts: dict[str, list[tuple[str, bool]]] = {}
    reasons: dict[str, list[tuple[str, str, str]]] = {}
    mine: dict[str, bool] = {}
    for lesson, agree, uid, dn, iname, suggested, why in notes_store.verdicts_of(db, session_id):
        who = store.person_name(dn, iname, uid)
        verdicts.setdefault(lesson, []).append((who, bool(agree)))
        if not agree and suggested and why:
            reasons.setdefault(lesson, []).append((who, str(suggested), str(why)))
        if uid == viewer.user_id:
            mine[lesson] = bool(agree)
    feedback = [FeedbackInfo(*f) for f in notes_store.feedback_of(db, session_id)]
    export = _readable_export(db, content, viewer, row, name)
    if owner.id != viewer.user_id:
        notes_store.log_access(db, owner.id, viewer.user_id, viewer.name, session_id, via, now)
        shown = export.get("debrief")
        if isinstance(shown, dict) and shown.get("session_id") not in (None, row.id):
            # The preparation's page shows its debrief's answers: a read of that session too.
            debrief_id = int(shown["session_id"])
            notes_store.log_access(db, owner.id, viewer.user_id, viewer.name, debrief_id, via, now)
    stored = {lesson: level for _sid, lesson, level, _rules in findings}
    return SessionReview(
        session_id=row.id,
        student_user_id=owner.id,
        student_name=name,
        title=row.title,
        status=row.status,
        export=export,
        lines=review_lines(
            notes_store.lines_with_ids(db, session_id), _rules_by_question(findings)
        ),
        annotations=annotations,
        verdicts=verdicts,
        feedback=feedback,
        my_verdicts=mine,
        verdict_reasons=reasons,
        levels=stored,
        shown_levels=_shown_levels(content, row, export, stored),
        prepared_session_id=export.get("prepared_session_id"),
        full_title=_full_title(content, row),
    )


def _full_title(content: Content, row: SessionRecord) -> str:
    """The whole answer the title was cut from (the page heading is not short of room)."""
    source = content.for_script(row.script_id).script.title_from
    said = row.answer_map.get(source or "") if source else None
    return str(said[1]) if said and len(said) > 1 and said[1] else row.title


def _shown_levels(
    content: Content, row: SessionRecord, export: dict[str, Any], stored: dict[str, str]
) -> dict[str, str]:
    """What the page shows for each lesson: the stored level of a completed session, the live
    one of an unfinished session, "n/a" where the lesson does not apply and "not reached" for
    an unfinished session's lessons it never asked about (issue 14)."""
    route = {*row.path, row.state}
    values = {q: pair[0] for q, pair in row.answer_map.items() if q in route and pair}
    if row.status == "completed":
        return heatmap.shown_levels(content, stored, values)
    live = {str(lesson["id"]): str(lesson["level"]) for lesson in export.get("lessons", [])}
    return heatmap.unfinished_levels(content, live, values)


def _readable_export(
    db: UnitOfWork, content: Content, viewer: Viewer, row: SessionRecord, name: str
) -> dict[str, Any]:
    """The session's export as this viewer may read it: a preparation's debrief is a session of
    its own, shared (or not) on its own. A student who left the cohort or whose cohort closed
    before the debrief keeps it private, so it is left out (`debrief`: null) for an instructor
    who may not read it, wherever the export is shown (page, downloads, /review)."""
    export = export_json(db, content, row, name)
    debrief = export.get("debrief")
    if not isinstance(debrief, dict) or debrief.get("session_id") in (None, row.id):
        return export
    if access.may_read_session(db, viewer, int(debrief["session_id"])):
        return export
    return export | {"debrief": None}


def session_export(
    db: UnitOfWork, content: Content, viewer: Viewer, session_id: int, now: datetime
) -> dict[str, Any] | None:
    """The JSON export for a viewer who may read the session; logged as an "export" view."""
    review = session_review(db, content, viewer, session_id, "export", now)
    return None if review is None else review.export


def annotate(
    db: UnitOfWork,
    content: Content,
    viewer: Viewer,
    session_id: int,
    line_id: int | None,
    lesson_id: str,
    comment: str,
    now: datetime,
    draft: bool = False,
) -> bool:
    """A comment tagged with a lesson, on the session or on one of its lines; a draft stays
    off the student's pages until its author sends feedback on the session."""
    text = clean_text(comment, MAX_COMMENT)
    if text is None or lesson_id not in {lesson.id for lesson in content.book.lessons}:
        return False
    if not access.may_review_session(db, viewer, session_id):
        return False
    if line_id is not None and notes_store.line_session(db, line_id) != session_id:
        return False
    notes_store.add_annotation(db, session_id, line_id, viewer.user_id, lesson_id, text, now, draft)
    return True


def set_verdict(
    db: UnitOfWork,
    content: Content,
    viewer: Viewer,
    session_id: int,
    lesson_id: str,
    agree: bool,
    now: datetime,
    suggested: str = "",
    reason: str = "",
) -> bool:
    """Agree, or disagree with the level the lesson should have had and a short reason (both
    shown to the student beside the bot's level)."""
    if lesson_id not in {lesson.id for lesson in content.book.lessons}:
        return False
    why = None if agree else clean_text(reason, MAX_REASON)
    if not agree and (why is None or suggested not in heatmap.JUDGED):
        return False
    if not access.may_review_session(db, viewer, session_id):
        return False
    notes_store.set_verdict(
        db, session_id, lesson_id, viewer.user_id, agree, now, suggested or None, why
    )
    return True


def send_feedback(
    db: UnitOfWork, content: Content, viewer: Viewer, session_id: int, text: str, now: datetime
) -> bool:
    """Keep the note, add it to the student's transcript and queue it to their chat, all in
    the caller's one transaction (the bot's outbox sweep sends it, even from the web site)."""
    note = clean_text(text, MAX_FEEDBACK)
    if note is None or not access.may_review_session(db, viewer, session_id):
        return False
    row = repo.get_session(db, session_id)
    student = repo.user_by_id(db, row.user_id) if row is not None else None
    if row is None or student is None:
        return False
    notes_store.add_feedback(db, session_id, viewer.user_id, viewer.name, note, now)
    notes_store.publish_drafts(db, session_id, viewer.user_id)
    line = content.say("feedback_transcript_line", "text", instructor=viewer.name, text=note)
    repo.add_line(db, session_id, "bot", line, None)
    channel, chat = ids.split_external_id(student.external_id)
    fmt = CHANNEL_FORMATS.get(channel)
    if fmt is not None and student.active:
        title = row.title or content.say("session_numbered", "text", ident=row.id)
        message = content.say(
            "feedback_received", fmt, instructor=viewer.name, title=title, text=note
        )
        payload = {"text": message, "kind": "info", "format": fmt}
        repo.add_outbox(db, student.id, channel, chat, [payload])
    return True


def review_document(content: Content, found: SessionReview) -> str:
    """The instructor's standalone HTML copy of a session (autoescaped, no scripts allowed by
    its Content-Security-Policy): levels with evidence, verdicts, feedback, the transcript
    with the rules each answer fired, and annotations under their lines."""
    notes: dict[int | None, list[AnnotationInfo]] = {}
    for note in found.annotations:
        notes.setdefault(note.line_id, []).append(note)
    return (
        content.renderer.file(
            "review.html.j2",
            "html",
            data=found.export,
            student=found.student_name,
            lines=found.lines,
            notes=notes,
            verdicts=found.verdicts,
            feedback=found.feedback,
        )
        + "\n"
    )
