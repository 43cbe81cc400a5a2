"""Transcript review on Telegram: /students, /review, /feedback and /web for instructors.

Every id typed or pressed goes through `bot.courses.access` (via bot.courses.review / bot.courses.pages); a
session or student that is not shared with the instructor gets the same polite "can't find
that" as one that does not exist. What an instructor is shown of a student is never copied
into the instructor's own transcript, and every review is written to the student's access log.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from bot.coach import callbacks
from bot.coach.attachments import file_payload
from bot.coach.callbacks import Callback
from bot.coach.ids import parse_number
from bot.coach.router import Router
from bot.coach.turn import Turn
from bot.courses import access, review
from bot.courses import pages as cohort_pages
from bot.courses.replies import say_private, viewer
from bot.courses.types import CourseSettings
from bot.courses.web_login import (
    LINK_PLACEHOLDER,
    LINK_REFERENCE,
    issue_login_reference,
    login_url_for_reference,
)
from storage import repository as repo
from storage.courses import cohorts as store

LIST_AT_MOST = 30
FEEDBACK_PENDING = "feedback:"
"""`user.pending_action` while `/feedback ID` waits for its note (the router's key)."""


router: Router[Turn] = Router("review")


def _instructor(turn: Turn) -> bool:
    """Instructors only; everyone else is told how to become one."""
    if viewer(turn).is_instructor:
        return True
    turn.info("course_instructors_only")
    return False


@router.command("/students", private=True)
def students(turn: Turn, _args: str) -> None:
    if not _instructor(turn):
        return
    person = viewer(turn)
    mine = store.cohorts_instructed(turn.db, person.user_id)
    if not mine:
        turn.info("course_cohort_none")
        return
    for cohort_id in mine:
        page = cohort_pages.cohort_overview(
            turn.db, turn.content, person, cohort_id, per_page=LIST_AT_MOST
        )
        if page is None:
            continue
        if not page.students:
            say_private(turn, "course_students_none", cohort=page.cohort.name)
            continue
        buttons = [
            [
                (
                    f"{s.name[:30]} ({s.session_count})",
                    callbacks.make("cu", cohort_id, s.user_id),
                )
            ]
            for s in page.students
        ]
        say_private(
            turn,
            "course_students",
            buttons=buttons,
            cohort=page.cohort.name,
            more=page.total_students > len(page.students),
            shown=len(page.students),
            total=page.total_students,
        )


@router.button("cu", arity=2)
def student_pressed(turn: Turn, pressed: Callback) -> None:
    cohort_id, student_id = int(pressed.args[0]), int(pressed.args[1])
    sessions = cohort_pages.student_sessions(turn.db, viewer(turn), cohort_id, student_id)
    student = repo.user_by_id(turn.db, student_id) if sessions is not None else None
    if sessions is None or student is None:
        turn.pressed = "refused"
        turn.info("course_not_found")
        return
    turn.pressed = "accepted"
    [cohort] = store.cohort_rows(turn.db, [cohort_id])
    name = store.person_name(student.display_name, None, student.id)
    if not sessions:
        say_private(turn, "course_student_no_sessions", student=name, cohort=cohort.name)
        return
    untitled = turn.content.say("untitled", "text")
    buttons = [
        [(f"#{s.id} {s.title or untitled} · {s.status}"[:48], callbacks.make("cv", s.id))]
        for s in sessions[:LIST_AT_MOST]
    ]
    say_private(turn, "course_student_sessions", buttons=buttons, student=name, cohort=cohort.name)


@router.command("/review", private=True)
def review_command(turn: Turn, args: str) -> None:
    if not _instructor(turn):
        return
    session_id = parse_number(args)
    if session_id is None:
        turn.info("course_review_usage")
        return
    _review(turn, session_id)


@router.button("cv", arity=1)
def review_pressed(turn: Turn, pressed: Callback) -> None:
    turn.pressed = "accepted" if _review(turn, int(pressed.args[0])) else "refused"


def _review(turn: Turn, session_id: int) -> bool:
    """The summary (levels with evidence) and the full transcript as an HTML file."""
    found = review.session_review(
        turn.db, turn.content, viewer(turn), session_id, "telegram", turn.now
    )
    if found is None or found.student_user_id == turn.user.id:
        turn.info("course_not_found")
        return False
    title = found.title or turn.content.say("session_numbered", "text", ident=found.session_id)
    say_private(
        turn,
        "course_review_summary",
        title=title,
        student=found.student_name,
        session_id=found.session_id,
        status=found.status,
        lessons=found.export.get("lessons", []),
        feedback=len(found.feedback),
    )
    page = review.review_document(turn.content, found).encode()
    caption = turn.content.say(
        "course_review_caption",
        turn.fmt,
        title=title,
        student=found.student_name,
        session_id=found.session_id,
    )
    name = f"parley-review-{found.session_id}.html"
    alt = turn.content.say("course_review_alt", "text", name=name, ident=found.session_id)
    turn.outgoing.append(file_payload("document", name, page, caption, turn.fmt, alt=alt))
    return True


@router.command("/feedback", private=True)
def feedback(turn: Turn, args: str) -> None:
    """`/feedback ID NOTE` sends at once; `/feedback ID` asks for the note, and the next
    text message is it (see `feedback_note`)."""
    if not _instructor(turn):
        return
    ident, _, note = args.partition(" ")
    session_id = parse_number(ident)
    if session_id is None:
        turn.info("course_feedback_usage")
        return
    if note.strip():
        _send_feedback(turn, session_id, note)
        return
    if not access.may_review_session(turn.db, viewer(turn), session_id):
        turn.info("course_not_found")
        return
    row = repo.get_session(turn.db, session_id)
    student = repo.user_by_id(turn.db, row.user_id) if row is not None else None
    if row is None or student is None:
        turn.info("course_not_found")
        return
    turn.user.pending_action = f"{FEEDBACK_PENDING}{session_id}"
    title = row.title or turn.content.say("session_numbered", "text", ident=row.id)
    say_private(turn, "course_feedback_ask", student=review.student_name(student), title=title)


def _send_feedback(turn: Turn, session_id: int, note: str, waiting: bool = False) -> bool:
    """False when the note is too long (the instructor may send a shorter one)."""
    if len(note.strip()) > review.MAX_FEEDBACK:
        say_private(
            turn,
            "course_feedback_too_long",
            limit=review.MAX_FEEDBACK,
            length=len(note.strip()),
            waiting=waiting,
        )
        return False
    if not review.send_feedback(turn.db, turn.content, viewer(turn), session_id, note, turn.now):
        turn.info("course_not_found")
        return True
    row = repo.get_session(turn.db, session_id)
    student = repo.user_by_id(turn.db, row.user_id) if row is not None else None
    name = review.student_name(student) if student is not None else ""
    say_private(turn, "course_feedback_sent", student=name)
    return True


@router.pending("feedback")
def feedback_note(turn: Turn) -> bool:
    """While `/feedback ID` waits for its note, the next text message is the note. A
    command (or a button) abandons it and then runs as usual; `/cancel` only abandons."""
    pending = turn.user.pending_action or ""
    if not pending.startswith(FEEDBACK_PENDING):
        return False
    text = (turn.inbound.text or "").strip()
    if turn.inbound.button is None and (turn.inbound.media is not None or not text):
        say_private(turn, "course_feedback_text_only")
        return True  # still waiting for the note
    turn.user.pending_action = None
    if turn.inbound.button is not None or text.startswith("/"):
        command = text.split(maxsplit=1)[0].split("@", 1)[0].lower() if text else ""
        say_private(turn, "course_feedback_cancelled")
        return command == "/cancel"
    session_id = parse_number(pending.removeprefix(FEEDBACK_PENDING))
    if session_id is None:
        return False
    if not _send_feedback(turn, session_id, text, waiting=True):
        turn.user.pending_action = pending  # too long: still waiting for a shorter note
    return True


@router.command("/cancel", private=True)
def cancel(turn: Turn, _args: str) -> None:
    turn.info("nothing_to_cancel")


@router.command("/web", private=True)
def web(turn: Turn, _args: str) -> None:
    """A sign-in link for everyone: a student reads their own sessions on the site."""
    site = turn.setting(CourseSettings)
    if not site.web_secret:
        turn.info("course_web_unavailable")
        return
    # The outbox keeps a reference, not the link: `sign_in_link` makes it as the reply is sent.
    reference = issue_login_reference(turn.db, turn.user.id, site.web_secret, turn.now)
    say_private(turn, "course_web_link", url=LINK_PLACEHOLDER)
    turn.outgoing[-1][LINK_REFERENCE] = reference


@router.on_send
def sign_in_link(settings: Mapping[type, object], payload: dict[str, Any]) -> dict[str, Any]:
    """A /web reply with its link, made from the stored reference just before it is sent."""
    reference = payload.get(LINK_REFERENCE)
    site = settings.get(CourseSettings)
    if not isinstance(reference, str) or not isinstance(site, CourseSettings):
        return payload
    url = login_url_for_reference(site.web_base_url, site.web_secret, reference)
    shown = html.escape(url) if payload.get("format") == "html" else url
    return payload | {"text": str(payload.get("text", "")).replace(LINK_PLACEHOLDER, shown)}
