"""Changing who runs a course, and ending it, on Telegram: an admin's `/revoke TELEGRAM_ID`, and
an instructor's `/cohort add ID TELEGRAM_ID` (a co-instructor) and `/cohort close ID`.

The work is done by `bot.cohort_admin` on the turn's transaction, so the students' notices are
queued in the same commit as the change. A cohort that is not the instructor's gets the same
answer as one that does not exist.
"""

from __future__ import annotations

from typing import ClassVar

from bot import access, cohort_admin
from bot.access import Viewer
from bot.cohort_admin import CohortNotFoundError
from bot.course_commands import CourseCommands, parse_id
from bot.course_types import InvalidInputError, NotAnInstructorError


class CourseAdminCommands(CourseCommands):
    """/revoke, and the `add` and `close` actions of /cohort (its other actions are
    CourseCommands')."""

    COMMANDS: ClassVar[dict[str, str]] = {"/revoke": "_revoke"}
    PRIVATE_COMMANDS: ClassVar[frozenset[str]] = frozenset({"/revoke"})

    def _revoke(self, args: str) -> None:
        viewer = self._viewer()
        if not access.may_grant(viewer):
            self._info("course_admin_only")
            return
        telegram_id = parse_id(args)
        if telegram_id is None:
            self._info("course_revoke_usage")
            return
        try:
            revoked = cohort_admin.revoke_instructor(self.db, telegram_id)
        except InvalidInputError:
            self._info("course_revoke_usage")
            return
        except NotAnInstructorError:
            self._info("course_revoke_not_instructor", telegram_id=telegram_id)
            return
        self._private(
            "course_revoked",
            name=revoked.name,
            telegram_id=telegram_id,
            cohorts=[c.name for c in revoked.cohorts],
            orphaned=[{"id": c.id, "name": c.name} for c in revoked.orphaned],
        )

    def _cohort(self, args: str) -> None:
        action, _, rest = args.partition(" ")
        verb = action.lower()
        if verb not in ("add", "close"):
            super()._cohort(args)
            return
        viewer = self._viewer()
        if not access.may_create_cohort(viewer):
            self._info("course_instructors_only")
            return
        if verb == "add":
            self._cohort_add(viewer, rest)
        else:
            self._cohort_close(viewer, rest)

    def _cohort_add(self, viewer: Viewer, args: str) -> None:
        parts = args.split()
        ids = [parse_id(part) for part in parts]
        if len(ids) != 2 or ids[0] is None or ids[1] is None:
            self._info("course_cohort_add_usage")
            return
        cohort_id, telegram_id = ids[0], ids[1]
        try:
            added = cohort_admin.add_cohort_instructor(
                self.db, self.content, cohort_id, telegram_id, viewer
            )
        except CohortNotFoundError:
            self._info("course_cohort_unknown")
            return
        except NotAnInstructorError:
            self._info("course_cohort_add_not_instructor", telegram_id=telegram_id)
            return
        except InvalidInputError:
            self._info("course_cohort_add_usage")
            return
        self._private(
            "course_cohort_instructor_added",
            name=added.name,
            cohort=added.cohort.name,
            added=added.added,
            told=added.told,
        )

    def _cohort_close(self, viewer: Viewer, args: str) -> None:
        cohort_id = parse_id(args)
        if cohort_id is None:
            self._info("course_cohort_close_usage")
            return
        try:
            closed = cohort_admin.close_cohort(self.db, self.content, cohort_id, viewer, self.now)
        except CohortNotFoundError:
            self._info("course_cohort_unknown")
            return
        self._private(
            "course_cohort_closed",
            cohort=closed.cohort.name,
            closed=closed.closed,
            told=closed.told,
        )
