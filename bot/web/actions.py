"""What an instructor does on a session page (annotate, agree or disagree, send feedback) and
the downloads (session HTML/JSON, cohort CSV).

Forms arrive here only with a valid CSRF token (`auth.signed_in`). Input a person could get
wrong (an empty comment) is answered with 400 and a reason before the service is asked; after
that, False from the service means "not yours or not there": 404. Each action redirects back
to the session page (POST, redirect, GET), so reloading never sends feedback twice.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.coach.ids import parse_row_id
from bot.coach.reports import export_document
from bot.courses.heatmap import JUDGED
from bot.courses.review import MAX_COMMENT, MAX_FEEDBACK, MAX_REASON
from bot.web.auth import refused, signed_in
from bot.web.pages import lesson_titles, not_found, number
from bot.web.security import EXPORT_POLICY
from bot.web.site import Site, Visitor

log = logging.getLogger(__name__)


def _form(request: Request) -> dict[str, str]:
    form: dict[str, str] = request.scope["form"]
    return form


def _back(session_id: int, done: str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/sessions/{session_id}?done={done}{anchor}", status_code=303)


def _text_problem(site: Site, text: str, limit: int, what: str) -> str | None:
    """Why `text` can't be sent, in the site's words (`what`: "comment" or "message")."""
    cleaned = text.strip()
    if not cleaned:
        return site.say(f"{what}_empty")
    if len(cleaned) > limit:
        return site.say(f"{what}_too_long", length=len(cleaned), limit=limit)
    return None


@signed_in
async def annotate(request: Request, site: Site, visitor: Visitor) -> Response:
    session_id = number(request, "session_id")
    form = _form(request)
    if session_id is None:
        return not_found(site, request, visitor)
    line_text = form.get("line_id", "")
    line_id = parse_row_id(line_text) if not line_text.startswith("#") else None
    lesson_id = form.get("lesson_id", "")
    comment = form.get("comment", "")
    problem = _text_problem(site, comment, MAX_COMMENT, "comment")
    if lesson_id not in lesson_titles(site):
        problem = site.say("choose_lesson")
    if line_text and line_id is None:
        problem = site.say("no_such_line")
    if problem:
        return refused(site, request, visitor, 400, problem)
    draft = form.get("publish", "now") == "draft"
    done = await run_in_threadpool(
        site.courses.annotate, visitor.viewer, session_id, line_id, lesson_id, comment, draft
    )
    if not done:
        return not_found(site, request, visitor)
    notice = "drafted" if draft else "annotated"
    return _back(session_id, notice, f"#line-{line_id}" if line_id else "")


@signed_in
async def edit_note(request: Request, site: Site, visitor: Visitor) -> Response:
    """Change one's own note: its lesson, its text, published or draft. Another instructor's
    note is refused like a missing one (404)."""
    session_id, note_id = number(request, "session_id"), number(request, "note_id")
    form = _form(request)
    if session_id is None or note_id is None:
        return not_found(site, request, visitor)
    lesson_id, comment = form.get("lesson_id", ""), form.get("comment", "")
    problem = _text_problem(site, comment, MAX_COMMENT, "comment")
    if lesson_id not in lesson_titles(site):
        problem = site.say("choose_lesson")
    if problem:
        return refused(site, request, visitor, 400, problem)
    draft = form.get("publish", "now") == "draft"
    done = await run_in_threadpool(
        site.courses.edit_note, visitor.viewer, session_id, note_id, lesson_id, comment, draft
    )
    if not done:
        return not_found(site, request, visitor)
    return _back(session_id, "note_edited", f"#note-{note_id}")


@signed_in
async def delete_note(request: Request, site: Site, visitor: Visitor) -> Response:
    session_id, note_id = number(request, "session_id"), number(request, "note_id")
    if session_id is None or note_id is None:
        return not_found(site, request, visitor)
    done = await run_in_threadpool(site.courses.delete_note, visitor.viewer, session_id, note_id)
    if not done:
        return not_found(site, request, visitor)
    return _back(session_id, "note_deleted")


@signed_in
async def verdict(request: Request, site: Site, visitor: Visitor) -> Response:
    session_id = number(request, "session_id")
    form = _form(request)
    agree = {"yes": True, "no": False}.get(form.get("agree", ""))
    lesson_id = form.get("lesson_id", "")
    if session_id is None:
        return not_found(site, request, visitor)
    if agree is None or lesson_id not in lesson_titles(site):
        return refused(site, request, visitor, 400, site.say("choose_verdict"))
    suggested, reason = form.get("suggested_level", ""), form.get("reason", "")
    if not agree and (suggested not in JUDGED or not reason.strip()):
        return refused(site, request, visitor, 400, site.say("verdict_needs_reason"))
    if not agree and len(reason.strip()) > MAX_REASON:
        problem = site.say("reason_too_long", length=len(reason.strip()), limit=MAX_REASON)
        return refused(site, request, visitor, 400, problem)
    done = await run_in_threadpool(
        site.courses.set_verdict, visitor.viewer, session_id, lesson_id, agree, suggested, reason
    )
    if not done:
        return not_found(site, request, visitor)
    return _back(session_id, "verdict", f"#lesson-{lesson_id}")


@signed_in
async def reply_verdict(request: Request, site: Site, visitor: Visitor) -> Response:
    """Agree or disagree (with a reason) with the feedback one rehearsal reply got."""
    session_id, reply_id = number(request, "session_id"), number(request, "reply_id")
    form = _form(request)
    if session_id is None or reply_id is None:
        return not_found(site, request, visitor)
    agree = {"yes": True, "no": False}.get(form.get("agree", ""))
    if agree is None:
        return refused(site, request, visitor, 400, site.say("choose_verdict"))
    reason = form.get("reason", "").strip()
    if not agree and not reason:
        return refused(site, request, visitor, 400, site.say("reply_verdict_needs_reason"))
    if not agree and len(reason) > MAX_REASON:
        problem = site.say("reason_too_long", length=len(reason), limit=MAX_REASON)
        return refused(site, request, visitor, 400, problem)
    done = await run_in_threadpool(
        site.courses.set_reply_verdict, visitor.viewer, session_id, reply_id, agree, reason
    )
    if not done:
        return not_found(site, request, visitor)
    return _back(session_id, "verdict", f"#reply-{reply_id}")


@signed_in
async def feedback(request: Request, site: Site, visitor: Visitor) -> Response:
    session_id = number(request, "session_id")
    text = _form(request).get("text", "")
    if session_id is None:
        return not_found(site, request, visitor)
    problem = _text_problem(site, text, MAX_FEEDBACK, "message")
    if problem:
        return refused(site, request, visitor, 400, problem)
    done = await run_in_threadpool(site.courses.send_feedback, visitor.viewer, session_id, text)
    if not done:
        return not_found(site, request, visitor)
    log.info("web feedback queued session=%d by=%d", session_id, visitor.viewer.user_id)
    return _back(session_id, "feedback")


@signed_in
async def reviewed(request: Request, site: Site, visitor: Visitor) -> Response:
    """Mark reviewed, then go on to the next new session of the queue (or stay when none)."""
    session_id = number(request, "session_id")
    if session_id is None:
        return not_found(site, request, visitor)

    def mark() -> tuple[bool, Any]:
        done = site.courses.mark_reviewed(visitor.viewer, session_id)
        return done, site.courses.queue_place(visitor.viewer, session_id) if done else None

    done, place = await run_in_threadpool(mark)
    if not done:
        return not_found(site, request, visitor)
    if place is not None and place.next_id is not None:
        return RedirectResponse(f"/sessions/{place.next_id}?done=reviewed", status_code=303)
    return _back(session_id, "reviewed")


def _download(body: str, media: str, filename: str, policy: str | None = None) -> Response:
    headers = {"content-disposition": f'attachment; filename="{filename}"'}
    if policy:
        headers["content-security-policy"] = policy
    return Response(body, media_type=media, headers=headers)


async def _export(
    request: Request, site: Site, visitor: Visitor
) -> tuple[int, dict[str, Any]] | None:
    """The session's JSON export if the visitor may read it (logged as a view), else None."""
    session_id = number(request, "session_id")
    if session_id is None:
        return None
    data = await run_in_threadpool(site.courses.session_export, visitor.viewer, session_id)
    return None if data is None else (session_id, data)


@signed_in
async def export_json(request: Request, site: Site, visitor: Visitor) -> Response:
    found = await _export(request, site, visitor)
    if found is None:
        return not_found(site, request, visitor)
    session_id, data = found
    body = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return _download(body, "application/json", f"parley-session-{session_id}.json")


@signed_in
async def export_html(request: Request, site: Site, visitor: Visitor) -> Response:
    found = await _export(request, site, visitor)
    if found is None:
        return not_found(site, request, visitor)
    session_id, data = found
    body = export_document(site.courses.content, data, "html")
    return _download(body, "text/html", f"parley-session-{session_id}.html", EXPORT_POLICY)


@signed_in
async def cohort_csv(request: Request, site: Site, visitor: Visitor) -> Response:
    cohort_id = number(request, "cohort_id")
    body = (
        await run_in_threadpool(site.courses.cohort_csv, visitor.viewer, cohort_id)
        if cohort_id is not None
        else None
    )
    if body is None:
        return not_found(site, request, visitor)
    return _download(body, "text/csv", f"parley-cohort-{cohort_id}-levels.csv")
