"""Transcript review on Telegram: /students, /review, /feedback and /web for instructors.

Every id typed or pressed goes through `bot.access` (via bot.review / bot.cohort_pages); a
session or student that is not shared with the instructor gets the same polite "can't find
that" as one that does not exist. What an instructor is shown of a student is never copied
into the instructor's own transcript, and every review is written to the student's access log.
"""

from __future__ import annotations

from typing import ClassVar

from bot import access, callbacks, cohort_pages, review
from bot.attachments import file_payload
from bot.callbacks import Callback
from bot.course_commands import CourseCommands, parse_id
from bot.web_login import issue_login_url
from storage import courses as store
from storage import repository as repo

LIST_AT_MOST = 30
FEEDBACK_PENDING = "feedback:"


class ReviewCommands(CourseCommands):
    """The instructor's review commands (listed before CourseCommands' tables in the MRO)."""

    COMMANDS: ClassVar[dict[str, str]] = {
        "/students": "_students",
        "/review": "_review_command",
        "/feedback": "_feedback",
        "/web": "_web",
        "/cancel": "_cancel",
    }
    PRIVATE_COMMANDS: ClassVar[frozenset[str]] = frozenset(
        {"/students", "/review", "/feedback", "/web", "/cancel"}
    )
    """What an instructor types about students stays out of their own coaching transcript."""
    BUTTONS: ClassVar[dict[str, str]] = {"cu": "_student_pressed", "cv": "_review_pressed"}

    def _instructor(self) -> bool:
        """Instructors only; everyone else is told how to become one."""
        if self._viewer().is_instructor:
            return True
        self._info("course_instructors_only")
        return False

    def _students(self, _args: str) -> None:
        if not self._instructor():
            return
        viewer = self._viewer()
        mine = store.cohorts_instructed(self.db, viewer.user_id)
        if not mine:
            self._info("course_cohort_none")
            return
        for cohort_id in mine:
            page = cohort_pages.cohort_overview(
                self.db, self.content, viewer, cohort_id, per_page=LIST_AT_MOST
            )
            if page is None:
                continue
            if not page.students:
                self._private("course_students_none", cohort=page.cohort.name)
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
            self._private(
                "course_students",
                buttons=buttons,
                cohort=page.cohort.name,
                more=page.total_students > len(page.students),
                shown=len(page.students),
                total=page.total_students,
            )

    def _student_pressed(self, pressed: Callback) -> None:
        cohort_id, student_id = int(pressed.args[0]), int(pressed.args[1])
        sessions = cohort_pages.student_sessions(self.db, self._viewer(), cohort_id, student_id)
        student = repo.user_by_id(self.db, student_id) if sessions is not None else None
        if sessions is None or student is None:
            self.pressed = "refused"
            self._info("course_not_found")
            return
        self.pressed = "accepted"
        [cohort] = store.cohort_rows(self.db, [cohort_id])
        name = store.person_name(student.display_name, None, student.id)
        if not sessions:
            self._private("course_student_no_sessions", student=name, cohort=cohort.name)
            return
        buttons = [
            [(f"#{s.id} {s.title or '(untitled)'} · {s.status}"[:48], callbacks.make("cv", s.id))]
            for s in sessions[:LIST_AT_MOST]
        ]
        self._private("course_student_sessions", buttons=buttons, student=name, cohort=cohort.name)

    def _review_command(self, args: str) -> None:
        if not self._instructor():
            return
        session_id = parse_id(args)
        if session_id is None:
            self._info("course_review_usage")
            return
        self._review(session_id)

    def _review_pressed(self, pressed: Callback) -> None:
        self.pressed = "accepted" if self._review(int(pressed.args[0])) else "refused"

    def _review(self, session_id: int) -> bool:
        """The summary (levels with evidence) and the full transcript as an HTML file."""
        found = review.session_review(
            self.db, self.content, self._viewer(), session_id, "telegram", self.now
        )
        if found is None or found.student_user_id == self.user.id:
            self._info("course_not_found")
            return False
        title = found.title or f"session #{found.session_id}"
        self._private(
            "course_review_summary",
            title=title,
            student=found.student_name,
            session_id=found.session_id,
            status=found.status,
            lessons=found.export.get("lessons", []),
            feedback=len(found.feedback),
        )
        page = review.review_document(self.content, found).encode()
        caption = self.content.say(
            "course_review_caption",
            self.fmt,
            title=title,
            student=found.student_name,
            session_id=found.session_id,
        )
        name = f"parley-review-{found.session_id}.html"
        alt = f"[{name}: the full transcript of session #{found.session_id}]"
        self.outgoing.append(file_payload("document", name, page, caption, self.fmt, alt=alt))
        return True

    def _feedback(self, args: str) -> None:
        """`/feedback ID NOTE` sends at once; `/feedback ID` asks for the note, and the next
        text message is it (see `_claim_message`)."""
        if not self._instructor():
            return
        ident, _, note = args.partition(" ")
        session_id = parse_id(ident)
        if session_id is None:
            self._info("course_feedback_usage")
            return
        if note.strip():
            self._send_feedback(session_id, note)
            return
        if not access.may_review_session(self.db, self._viewer(), session_id):
            self._info("course_not_found")
            return
        row = repo.get_session(self.db, session_id)
        student = repo.user_by_id(self.db, row.user_id) if row is not None else None
        if row is None or student is None:
            self._info("course_not_found")
            return
        self.user.pending_action = f"{FEEDBACK_PENDING}{session_id}"
        title = row.title or f"session #{row.id}"
        self._private("course_feedback_ask", student=review.student_name(student), title=title)

    def _send_feedback(self, session_id: int, note: str, waiting: bool = False) -> bool:
        """False when the note is too long (the instructor may send a shorter one)."""
        if len(note.strip()) > review.MAX_FEEDBACK:
            self._private(
                "course_feedback_too_long",
                limit=review.MAX_FEEDBACK,
                length=len(note.strip()),
                waiting=waiting,
            )
            return False
        if not review.send_feedback(
            self.db, self.content, self._viewer(), session_id, note, self.now
        ):
            self._info("course_not_found")
            return True
        row = repo.get_session(self.db, session_id)
        student = repo.user_by_id(self.db, row.user_id) if row is not None else None
        name = review.student_name(student) if student is not None else ""
        self._private("course_feedback_sent", student=name)
        return True

    def _claim_message(self) -> bool:
        """While `/feedback ID` waits for its note, the next text message is the note. A
        command (or a button) abandons it and then runs as usual; `/cancel` only abandons."""
        if super()._claim_message():
            return True
        pending = self.user.pending_action or ""
        if not pending.startswith(FEEDBACK_PENDING):
            return False
        text = (self.inbound.text or "").strip()
        if self.inbound.button is None and (self.inbound.media is not None or not text):
            self._private("course_feedback_text_only")
            return True  # still waiting for the note
        self.user.pending_action = None
        if self.inbound.button is not None or text.startswith("/"):
            command = text.split(maxsplit=1)[0].split("@", 1)[0].lower() if text else ""
            self._private("course_feedback_cancelled")
            return command == "/cancel"
        session_id = parse_id(pending.removeprefix(FEEDBACK_PENDING))
        if session_id is None:
            return False
        if not self._send_feedback(session_id, text, waiting=True):
            self.user.pending_action = pending  # too long: still waiting for a shorter note
        return True

    def _cancel(self, _args: str) -> None:
        self._info("nothing_to_cancel")

    def _web(self, _args: str) -> None:
        """A sign-in link for everyone: a student reads their own sessions on the site."""
        if not self.courses.web_secret:
            self._info("course_web_unavailable")
            return
        url = issue_login_url(
            self.db, self.user.id, self.courses.web_base_url, self.courses.web_secret, self.now
        )
        self._private("course_web_link", url=url)
