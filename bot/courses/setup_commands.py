"""Setting up and running a course on Telegram: an admin's `/grant TELEGRAM_ID [NAME]` and
`/revoke TELEGRAM_ID`; an instructor's `/cohort` (list), `/cohort new NAME`, `/cohort add ID
TELEGRAM_ID` (a co-instructor) and `/cohort close ID`.

The work is done by `bot.courses.cohorts` and `bot.courses.admin` on the turn's transaction, so
the students' notices are queued in the same commit as the change. A cohort that is not the
instructor's gets the same answer as one that does not exist. What these commands show stays
out of the speaker's own coaching transcript (they are private).
"""

from __future__ import annotations

from bot.coach.ids import parse_number
from bot.coach.router import Router
from bot.coach.turn import Turn
from bot.courses import access, cohorts
from bot.courses import admin as cohort_admin
from bot.courses.access import Viewer
from bot.courses.admin import CohortNotFoundError
from bot.courses.replies import say_private, viewer
from bot.courses.types import CourseSettings, InvalidInputError, NotAnInstructorError

router: Router[Turn] = Router("course setup")


@router.command("/grant", private=True)
def grant(turn: Turn, args: str) -> None:
    person = viewer(turn)
    if not access.may_grant(person):
        turn.info("course_admin_only")
        return
    ident, _, name = args.partition(" ")
    telegram_id = parse_number(ident)
    if telegram_id is None:
        turn.info("course_grant_usage")
        return
    try:
        granted = cohorts.add_instructor(
            turn.db, telegram_id, name.strip() or None, person.external_id, turn.now
        )
    except InvalidInputError:
        turn.info("course_grant_usage")
        return
    turn.info(
        "course_granted",
        name=granted.name,
        telegram_id=telegram_id,
        created=granted.created,
    )


@router.command("/revoke", private=True)
def revoke(turn: Turn, args: str) -> None:
    person = viewer(turn)
    if not access.may_grant(person):
        turn.info("course_admin_only")
        return
    telegram_id = parse_number(args)
    if telegram_id is None:
        turn.info("course_revoke_usage")
        return
    try:
        revoked = cohort_admin.revoke_instructor(turn.db, telegram_id)
    except InvalidInputError:
        turn.info("course_revoke_usage")
        return
    except NotAnInstructorError:
        turn.info("course_revoke_not_instructor", telegram_id=telegram_id)
        return
    say_private(
        turn,
        "course_revoked",
        name=revoked.name,
        telegram_id=telegram_id,
        cohorts=[c.name for c in revoked.cohorts],
        orphaned=[{"id": c.id, "name": c.name} for c in revoked.orphaned],
    )


@router.command("/cohort", private=True)
def cohort(turn: Turn, args: str) -> None:
    """`/cohort` lists, `/cohort new NAME` creates, `/cohort add ID TELEGRAM_ID` adds a
    co-instructor, `/cohort close ID` closes."""
    person = viewer(turn)
    if not access.may_create_cohort(person):
        turn.info("course_instructors_only")
        return
    action, _, rest = args.partition(" ")
    verb = action.lower()
    if not action:
        _list_cohorts(turn, person)
    elif verb == "add":
        _cohort_add(turn, person, rest)
    elif verb == "close":
        _cohort_close(turn, person, rest)
    elif verb != "new" or not rest.strip():
        turn.info("course_cohort_usage")
    else:
        _cohort_new(turn, person, rest)


def _cohort_new(turn: Turn, person: Viewer, name: str) -> None:
    try:
        created = cohorts.create_cohort(turn.db, name, person, turn.now)
    except InvalidInputError:
        turn.info("course_cohort_bad_name")
        return
    link = cohorts.invite_link(turn.setting(CourseSettings).bot_username, created.invite_code)
    say_private(turn, "course_cohort_created", name=created.name, link=link)


def _list_cohorts(turn: Turn, person: Viewer) -> None:
    mine = cohorts.cohorts_for(turn.db, person)
    if not mine:
        turn.info("course_cohort_none")
        return
    listing = [
        {
            "name": c.name,
            "student_count": c.student_count,
            "id": c.id,
            "closed": c.closed,
            "link": cohorts.invite_link(turn.setting(CourseSettings).bot_username, c.invite_code),
        }
        for c in mine
    ]
    say_private(turn, "course_cohort_list", cohorts=listing)


def _cohort_add(turn: Turn, person: Viewer, args: str) -> None:
    parts = args.split()
    if len(parts) != 2:
        turn.info("course_cohort_add_usage")
        return
    cohort_id, telegram_id = parse_number(parts[0]), parse_number(parts[1])
    if cohort_id is None or telegram_id is None:
        turn.info("course_cohort_add_usage")
        return
    try:
        added = cohort_admin.add_cohort_instructor(
            turn.db, turn.content, cohort_id, telegram_id, person
        )
    except CohortNotFoundError:
        turn.info("course_cohort_unknown")
        return
    except NotAnInstructorError:
        turn.info("course_cohort_add_not_instructor", telegram_id=telegram_id)
        return
    except InvalidInputError:
        turn.info("course_cohort_add_usage")
        return
    say_private(
        turn,
        "course_cohort_instructor_added",
        name=added.name,
        cohort=added.cohort.name,
        added=added.added,
        told=added.told,
    )


def _cohort_close(turn: Turn, person: Viewer, args: str) -> None:
    cohort_id = parse_number(args)
    if cohort_id is None:
        turn.info("course_cohort_close_usage")
        return
    try:
        closed = cohort_admin.close_cohort(turn.db, turn.content, cohort_id, person, turn.now)
    except CohortNotFoundError:
        turn.info("course_cohort_unknown")
        return
    say_private(
        turn,
        "course_cohort_closed",
        cohort=closed.cohort.name,
        closed=closed.closed,
        told=closed.told,
    )
