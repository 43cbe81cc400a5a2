"""The instructor features as one transport-agnostic service (issue 4).

`CourseService` is what the review site and the CLI call: each method is one transaction, and
returns plain records from `bot.courses.types`. Methods that show something to a viewer return
None (or False) when it is missing *or* not theirs, so callers answer 404 in both cases. The
Telegram commands run inside the coach's own transaction and call the same functions
(`bot.courses.cohorts`, `bot.courses.review`, `bot.courses.pages`) on that transaction directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.coach import ids
from bot.courses import access, cohorts, notes, queue, rehearsal_review, review, trend
from bot.courses import admin as cohort_admin
from bot.courses import pages as cohort_pages
from bot.courses.access import Viewer
from bot.courses.types import (
    AccessEntry,
    Arrangement,
    CohortInfo,
    CohortOverview,
    CourseError,
    InstructorInfo,
    InvalidInputError,
    Membership,
    NotAnInstructorError,
    QueuePlace,
    SearchPage,
    SessionReview,
    StudentSession,
)
from bot.engine.content import Content
from storage import repository as repo
from storage.courses import cohorts as store
from storage.uow import Database, UnitOfWork

__all__ = [
    "AccessEntry",
    "CohortInfo",
    "CohortOverview",
    "CourseError",
    "CourseService",
    "InstructorInfo",
    "InvalidInputError",
    "NotAnInstructorError",
    "SearchPage",
    "SessionReview",
    "StudentSession",
    "Viewer",
]


class CourseService:
    """Instructors, cohorts and review, each call in its own transaction."""

    def __init__(
        self,
        database: Database,
        content: Content,
        admin_ids: frozenset[int],
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        # One clock: the units of work carry it, so what a call stores is dated by it too.
        self.database = database.with_clock(clock)
        self.clock = self.database.clock
        self.content = content
        self.admin_ids = admin_ids

    @contextmanager
    def _transaction(self) -> Iterator[UnitOfWork]:
        with self.database.begin() as db:
            yield db

    # ---- roles and cohorts ------------------------------------------------------------------
    def add_instructor(
        self, telegram_id: int, name: str | None = None, granted_by: str | None = None
    ) -> InstructorInfo:
        """Grant the role (creating the `telegram:<id>` user if they never wrote)."""
        with self._transaction() as db:
            return cohorts.add_instructor(db, telegram_id, name, granted_by, self.clock())

    def create_cohort(self, name: str, instructor_telegram_id: int) -> CohortInfo:
        """Raises NotAnInstructorError unless that Telegram user is an instructor."""
        with self._transaction() as db:
            user = repo.user_by_external_id(db, ids.external_id("telegram", instructor_telegram_id))
            viewer = access.viewer_of(db, user.id, self.admin_ids) if user else None
            if viewer is None or not viewer.is_instructor:
                raise NotAnInstructorError(
                    f"Telegram user {instructor_telegram_id} is not an instructor; "
                    "grant the role first (python -m bot instructors add ID)"
                )
            return cohorts.create_cohort(db, name, viewer, self.clock())

    def remove_instructor(self, telegram_id: int) -> cohort_admin.Revoked:
        """Revoke the role (operator). Raises NotAnInstructorError when they do not hold it."""
        with self._transaction() as db:
            return cohort_admin.revoke_instructor(db, telegram_id)

    def instructors(self) -> list[cohort_admin.InstructorListing]:
        with self._transaction() as db:
            return cohort_admin.instructors(db)

    def add_cohort_instructor(self, cohort_id: int, telegram_id: int) -> cohort_admin.CoInstructor:
        """The operator adds an instructor to any cohort (also one left with none); its
        students are told who now reads their transcripts, in the same transaction."""
        with self._transaction() as db:
            return cohort_admin.add_cohort_instructor(
                db, self.content, cohort_id, telegram_id, None
            )

    def close_cohort(self, cohort_id: int) -> cohort_admin.Closed:
        with self._transaction() as db:
            return cohort_admin.close_cohort(db, self.content, cohort_id, None, self.clock())

    def all_cohorts(self) -> list[CohortInfo]:
        """Every cohort, for the operator's CLI listing (names and counts, no transcripts)."""
        with self._transaction() as db:
            return cohorts.cohort_infos(db, store.all_cohort_ids(db))

    def viewer(self, user_id: int) -> Viewer | None:
        with self._transaction() as db:
            return access.viewer_of(db, user_id, self.admin_ids)

    def viewer_for_telegram(self, telegram_id: int) -> Viewer | None:
        with self._transaction() as db:
            user = repo.user_by_external_id(db, ids.external_id("telegram", telegram_id))
            return access.viewer_of(db, user.id, self.admin_ids) if user else None

    def cohorts_for(self, viewer: Viewer) -> list[CohortInfo]:
        with self._transaction() as db:
            return cohorts.cohorts_for(db, self._fresh(db, viewer))

    # ---- review -------------------------------------------------------------------------------
    def cohort_overview(
        self,
        viewer: Viewer,
        cohort_id: int,
        page: int = 1,
        per_page: int = 50,
        query: str = "",
        arranged: Arrangement | None = None,
    ) -> CohortOverview | None:
        """The heatmap, sorted and filtered as `arranged` asks (by name, everyone: None)."""
        with self._transaction() as db:
            return cohort_pages.cohort_overview(
                db, self.content, self._fresh(db, viewer), cohort_id, page, per_page, query,
                arranged or Arrangement(),
            )  # fmt: skip

    def cohort_trend(self, viewer: Viewer, cohort_id: int) -> trend.CohortTrend | None:
        with self._transaction() as db:
            return trend.cohort_trend(db, self.content, self._fresh(db, viewer), cohort_id)

    def student_sessions(
        self, viewer: Viewer, cohort_id: int, student_user_id: int
    ) -> list[StudentSession] | None:
        with self._transaction() as db:
            return cohort_pages.student_sessions(
                db, self._fresh(db, viewer), cohort_id, student_user_id
            )

    def session_review(self, viewer: Viewer, session_id: int, via: str) -> SessionReview | None:
        """The session for review; records the view in the student's access log."""
        with self._transaction() as db:
            fresh = self._fresh(db, viewer)
            found = review.session_review(db, self.content, fresh, session_id, via, self.clock())
            if found is None:
                return None
            verdicts, mine = rehearsal_review.reply_verdicts(db, fresh, session_id)
            return replace(found, reply_verdicts=verdicts, my_reply_verdicts=mine)

    def search(
        self,
        viewer: Viewer,
        cohort_id: int,
        query: str,
        page: int = 1,
        per_page: int = 20,
        lesson: str = "",
        level: str = "",
    ) -> SearchPage | None:
        with self._transaction() as db:
            return cohort_pages.search(
                db,
                self.content,
                self._fresh(db, viewer),
                cohort_id,
                query,
                self.clock(),
                page,
                per_page,
                lesson,
                level,
            )

    def annotate(
        self,
        viewer: Viewer,
        session_id: int,
        line_id: int | None,
        lesson_id: str,
        comment: str,
        draft: bool = False,
    ) -> bool:
        with self._transaction() as db:
            return review.annotate(
                db,
                self.content,
                self._fresh(db, viewer),
                session_id,
                line_id,
                lesson_id,
                comment,
                self.clock(),
                draft,
            )

    def edit_note(
        self, viewer: Viewer, session_id: int, note_id: int, lesson_id: str, comment: str,
        draft: bool,
    ) -> bool:  # fmt: skip
        """Change one's own note; False when it is not theirs (or not there)."""
        with self._transaction() as db:
            return notes.edit_note(
                db, self.content, self._fresh(db, viewer), session_id, note_id, lesson_id,
                comment, draft, self.clock(),
            )  # fmt: skip

    def delete_note(self, viewer: Viewer, session_id: int, note_id: int) -> bool:
        with self._transaction() as db:
            return notes.delete_note(db, self._fresh(db, viewer), session_id, note_id)

    def set_verdict(
        self,
        viewer: Viewer,
        session_id: int,
        lesson_id: str,
        agree: bool,
        suggested: str = "",
        reason: str = "",
    ) -> bool:
        """Agree, or disagree with a suggested level and a reason (False without them)."""
        with self._transaction() as db:
            return review.set_verdict(
                db, self.content, self._fresh(db, viewer), session_id, lesson_id, agree,
                self.clock(), suggested, reason,
            )  # fmt: skip

    def set_reply_verdict(
        self, viewer: Viewer, session_id: int, reply_id: int, agree: bool, reason: str = ""
    ) -> bool:
        """Agree, or disagree with a reason, with a rehearsal reply's feedback (False without
        the reason, or when the reply is not this session's or not the viewer's to review)."""
        with self._transaction() as db:
            return rehearsal_review.set_reply_verdict(
                db, self._fresh(db, viewer), session_id, reply_id, agree, reason, self.clock()
            )

    def send_feedback(self, viewer: Viewer, session_id: int, text: str) -> bool:
        """Store the note, add it to the transcript and queue it to the student's chat; the
        session leaves this instructor's review queue as "feedback sent"."""
        with self._transaction() as db:
            fresh = self._fresh(db, viewer)
            sent = review.send_feedback(db, self.content, fresh, session_id, text, self.clock())
            if sent:
                queue.mark(db, fresh, session_id, "feedback", self.clock())
            return sent

    # ---- the review queue ---------------------------------------------------------------------
    def queue_place(self, viewer: Viewer, session_id: int) -> QueuePlace | None:
        with self._transaction() as db:
            return queue.place(db, self._fresh(db, viewer), session_id)

    def mark_reviewed(self, viewer: Viewer, session_id: int) -> bool:
        with self._transaction() as db:
            return queue.mark(db, self._fresh(db, viewer), session_id, "reviewed", self.clock())

    def new_by_cohort(self, viewer: Viewer, cohort_ids: list[int]) -> dict[int, int]:
        with self._transaction() as db:
            return queue.new_by_cohort(db, self._fresh(db, viewer), cohort_ids)

    def session_export(self, viewer: Viewer, session_id: int) -> dict[str, Any] | None:
        with self._transaction() as db:
            return review.session_export(
                db, self.content, self._fresh(db, viewer), session_id, self.clock()
            )

    def cohort_csv(self, viewer: Viewer, cohort_id: int) -> str | None:
        with self._transaction() as db:
            return cohort_pages.cohort_csv(
                db, self.content, self._fresh(db, viewer), cohort_id, self.clock()
            )

    # ---- the student's side -----------------------------------------------------------------
    def access_log_for(self, student_user_id: int) -> list[AccessEntry]:
        with self._transaction() as db:
            return cohorts.access_log_for(db, student_user_id)

    def memberships(self, student_user_id: int) -> list[Membership]:
        with self._transaction() as db:
            return cohorts.memberships(db, student_user_id)

    def _fresh(self, db: UnitOfWork, viewer: Viewer) -> Viewer:
        """Roles as they are now, not as they were when the viewer was looked up (a revoked
        instructor loses access at once). A deleted user becomes a viewer with no roles."""
        current = access.viewer_of(db, viewer.user_id, self.admin_ids)
        if current is None or current.external_id != viewer.external_id:
            return Viewer(viewer.user_id, viewer.external_id, viewer.name, False, False)
        return current
