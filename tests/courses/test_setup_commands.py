"""Changing who runs a course and ending it, through the coach service and CourseService:
/revoke, co-instructors (and the students' notice naming the new reader), closing a cohort,
and /feedback in two steps."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.coach import callbacks
from bot.courses.admin import CohortNotFoundError
from bot.courses.service import NotAnInstructorError
from bot.engine.content import Content
from storage.uow import Database
from tests.conftest import Clock
from tests.courses.classroom import ANA, BEN, OKAFOR, RIVERA, Classroom, tg


@pytest.fixture
def school(sessions: Database, content: Content, clock: Clock) -> Iterator[Classroom]:
    room = Classroom(sessions, content, clock)
    yield room
    room.close()


def notices(school: Classroom, telegram_id: int, words: str) -> list[str]:
    """Messages queued for a user (outside their own turns) containing `words`."""
    return [m.text for m in school.coach.pending("telegram", str(telegram_id)) if words in m.text]


# ---- revoking the role --------------------------------------------------------------------------
def test_revoking_an_instructor_ends_their_access_at_once(school: Classroom) -> None:
    session_id = school.session_of(ANA)
    spring = school.cohort_id(RIVERA)
    looked_up_before = school.viewer(RIVERA)
    school.admin.says(f"/revoke {RIVERA}")
    text = school.admin.text()
    assert "Dr Rivera (Telegram id 100) is no longer an instructor" in text
    assert "no longer reads Spring" in text
    assert f"#{spring} “Spring”" in text and "cohorts add-instructor" in text
    assert school.courses.session_review(looked_up_before, session_id, "web") is None
    assert school.courses.cohort_overview(looked_up_before, spring) is None
    school.rivera.says(f"/review {session_id}")
    assert "That is for instructors" in school.rivera.text()
    school.ana.says("/privacy")
    assert "Cohort “Spring”, read by nobody." in school.ana.text()
    # The students and what they shared stay; the cohort is only unreadable.
    [membership] = school.courses.memberships(school.user_id(ANA))
    assert membership.left_at is None and len(membership.shared) == 1


def test_revoke_is_for_admins_and_answers_bad_ids_clearly(school: Classroom) -> None:
    school.rivera.says(f"/revoke {OKAFOR}")
    assert "Only admins can grant or remove" in school.rivera.text()
    assert school.viewer(OKAFOR).is_instructor
    school.admin.says("/revoke okafor")
    assert "Send /revoke followed by" in school.admin.text()
    school.admin.says("/revoke 99999999999999999999")
    assert "Send /revoke followed by" in school.admin.text()
    school.admin.says(f"/revoke {ANA}")
    assert f"Telegram id {ANA} is not an instructor" in school.admin.text()
    school.admin.says("/revoke 424242")  # never wrote to the bot: no user is created
    assert "not an instructor" in school.admin.text()
    assert school.courses.viewer_for_telegram(424242) is None
    with pytest.raises(NotAnInstructorError):
        school.courses.remove_instructor(ANA)


def test_the_operator_staffs_a_cohort_left_without_an_instructor_and_students_are_told(
    school: Classroom,
) -> None:
    spring = school.cohort_id(RIVERA)
    revoked = school.courses.remove_instructor(RIVERA)
    assert [c.name for c in revoked.orphaned] == ["Spring"]
    assert [c.instructors for c in school.courses.all_cohorts() if c.id == spring] == [[]]
    school.courses.add_instructor(555, "Dr Quinn", "cli")
    added = school.courses.add_cohort_instructor(spring, 555)
    assert added.added and added.told == 1 and added.cohort.instructors == ["Dr Quinn"]
    [notice] = notices(school, ANA, "Dr Quinn")
    assert notice.startswith("Dr Quinn is now also an instructor of “Spring” and can read")
    assert "/leave leaves the cohort" in notice
    quinn = school.viewer(555)
    assert school.courses.session_review(quinn, school.session_of(ANA), "web") is not None
    again = school.courses.add_cohort_instructor(spring, 555)
    assert not again.added and len(notices(school, ANA, "Dr Quinn")) == 1
    with pytest.raises(NotAnInstructorError):
        school.courses.add_cohort_instructor(spring, ANA)
    with pytest.raises(CohortNotFoundError):
        school.courses.add_cohort_instructor(987654, 555)
    assert notices(school, BEN, "Dr Quinn") == []


# ---- co-instructors -----------------------------------------------------------------------------
def test_an_instructor_adds_a_co_instructor_and_every_student_who_shared_is_told(
    school: Classroom,
) -> None:
    spring = school.cohort_id(RIVERA)
    autumn = school.cohort_id(OKAFOR)
    school.rivera.says(f"/cohort add {spring} {OKAFOR}")
    assert "Prof Okafor now also reads “Spring”. 1 student was told." in school.rivera.text()
    [notice] = notices(school, ANA, "Prof Okafor")
    assert "Prof Okafor is now also an instructor of “Spring” (added by Dr Rivera)" in notice
    okafor = school.viewer(OKAFOR)
    assert school.courses.session_review(okafor, school.session_of(ANA), "web") is not None
    # Ben left Autumn but kept his session shared: he is told who else can read it now.
    school.ben.says("/leave")
    school.ben.presses("Leave, keep them shared")
    school.okafor.says(f"/cohort add {autumn} {RIVERA}")
    [told] = notices(school, BEN, "Dr Rivera is now also")
    assert "can read the sessions you shared with it" in told and "/leave" not in told


def test_only_an_instructor_of_the_cohort_adds_to_it_and_only_instructors_are_added(
    school: Classroom,
) -> None:
    spring = school.cohort_id(RIVERA)
    autumn = school.cohort_id(OKAFOR)
    answers = set()
    for cohort in (autumn, 987654, 10**12):
        school.rivera.says(f"/cohort add {cohort} {RIVERA}")
        answers.add(school.rivera.text())
    assert answers == {
        "I can't find that cohort among yours. /cohort lists them with their numbers."
    }
    assert notices(school, BEN, "Dr Rivera") == []
    school.rivera.says(f"/cohort add {spring} {BEN}")
    assert f"Telegram id {BEN} is not an instructor" in school.rivera.text()
    school.rivera.says(f"/cohort add {spring}")
    assert "Send /cohort add, the cohort number" in school.rivera.text()
    school.rivera.says("/cohort add {{ 7*7 }} <b>")
    assert "Send /cohort add, the cohort number" in school.rivera.text()
    school.ana.says(f"/cohort add {spring} {ANA}")
    assert "That is for instructors" in school.ana.text()
    assert notices(school, ANA, "is now also") == []


# ---- closing a cohort ---------------------------------------------------------------------------
def test_closing_a_cohort_stops_the_invite_and_new_sharing_and_keeps_what_was_shared(
    school: Classroom,
) -> None:
    spring = school.cohort_id(RIVERA)
    shared = school.session_of(ANA)
    carla = tg(school.coach, 202, "Carla")
    carla.says(f"/start join-{school.spring_code}")  # opened before the course ended
    school.rivera.says(f"/cohort close {spring}")
    assert "“Spring” is closed: its invite link no longer works" in school.rivera.text()
    assert "1 student was told" in school.rivera.text()
    [notice] = notices(school, ANA, "has ended")
    assert notice.startswith("The course “Spring” has ended (Dr Rivera closed it).")
    assert "The 1 session you shared stays readable" in notice
    carla.presses("I agree, join")
    assert "The cohort “Spring” is closed: it no longer takes new students" in carla.text()
    assert school.courses.memberships(school.user_id(202)) == []
    dan = tg(school.coach, 203, "Dan")
    dan.says(f"/start join-{school.spring_code}")
    assert "is closed" in dan.text() and not dan.last[-1].options
    Classroom.complete(school.ana, "salary_well_prepared")
    rivera = school.viewer(RIVERA)
    assert school.courses.session_review(rivera, school.session_of(ANA), "web") is None
    assert school.courses.session_review(rivera, shared, "web") is not None
    school.rivera.says("/cohort")
    assert f"#{spring} “Spring” · 1 student · closed" in school.rivera.text()
    assert school.spring_code not in school.rivera.text()
    school.rivera.says(f"/cohort close {spring}")
    assert "“Spring” was already closed." in school.rivera.text()
    assert len(notices(school, ANA, "has ended")) == 1
    school.ana.says("/leave")  # a closed cohort can still be left
    school.ana.presses("Leave and withdraw them")
    assert school.courses.session_review(rivera, shared, "web") is None


def test_only_an_instructor_of_the_cohort_closes_it(school: Classroom) -> None:
    spring = school.cohort_id(RIVERA)
    school.okafor.says(f"/cohort close {spring}")
    assert "I can't find that cohort among yours" in school.okafor.text()
    school.ana.says(f"/cohort close {spring}")
    assert "That is for instructors" in school.ana.text()
    school.rivera.says("/cohort close spring")
    assert "Send /cohort close followed by the cohort number" in school.rivera.text()
    assert not [c for c in school.courses.all_cohorts() if c.closed]
    with pytest.raises(CohortNotFoundError):
        school.courses.close_cohort(987654)
    closed = school.courses.close_cohort(spring)
    assert closed.closed and closed.told == 1 and closed.cohort.closed
    assert "(Dr Rivera closed it)" not in notices(school, ANA, "has ended")[0]


# ---- /feedback in two steps ---------------------------------------------------------------------
def test_feedback_asks_for_the_note_and_the_next_message_is_sent_to_the_student(
    school: Classroom,
) -> None:
    session_id = school.session_of(ANA)
    school.rivera.says("/new")  # Rivera's own session is open: the note must not land there
    asked = school.rivera.question().question
    school.rivera.says(f"/feedback {session_id}")
    assert school.rivera.text().startswith("What would you like to tell Ana about “")
    school.rivera.says("Strong <b>alternatives</b> {{ 7*7 }}")
    assert "Sent to Ana" in school.rivera.text()
    [note] = notices(school, ANA, "Feedback from")
    assert "Strong &lt;b&gt;alternatives&lt;/b&gt; {{ 7*7 }}" in note
    school.rivera.says("/sessions")
    own = school.coach.export(school.session_of(RIVERA))
    assert own is not None
    texts = [line["text"] for line in own["transcript"]]
    assert not any("/feedback" in t or "alternatives" in t or "Sent to" in t for t in texts)
    assert "/sessions" in texts  # the instructor's own commands are still recorded
    assert own["session"]["state"] == asked  # the note was not taken as her own answer


def test_cancel_or_any_command_drops_the_waiting_feedback(school: Classroom) -> None:
    session_id = school.session_of(ANA)
    school.rivera.says(f"/feedback {session_id}")
    school.rivera.says("/cancel")
    assert school.rivera.text() == "Feedback not sent."
    school.rivera.says("Not feedback any more")
    assert "Sent to" not in school.rivera.text()
    school.rivera.says(f"/feedback {session_id}")
    school.rivera.says("/sessions")
    assert "Feedback not sent." in school.rivera.received[-3:], school.rivera.received[-3:]
    school.rivera.says(f"/feedback {session_id}")
    school.rivera.send(button=callbacks.make("cv", session_id))
    assert "Feedback not sent." in school.rivera.received
    assert "Review of" in school.rivera.text()  # the button still did its own work
    school.rivera.says("/cancel")
    assert school.rivera.text() == "There is nothing to cancel."
    assert notices(school, ANA, "Feedback from") == []


def test_waiting_feedback_copes_with_stickers_and_overlong_notes(school: Classroom) -> None:
    session_id = school.session_of(ANA)
    school.rivera.says(f"/feedback {session_id}")
    school.rivera.sends("sticker")
    assert "Feedback is text: type your note, or /cancel." in school.rivera.text()
    school.rivera.says("x" * 4000)
    assert "yours has 4000. Send a shorter note, or /cancel." in school.rivera.text()
    school.rivera.says("Shorter: price the alternative.")
    assert "Sent to Ana" in school.rivera.text()
    [note] = notices(school, ANA, "Feedback from")
    assert note.endswith("Shorter: price the alternative.")


def test_feedback_on_a_session_not_shared_with_you_never_waits(school: Classroom) -> None:
    for ident in (school.session_of(ANA), 987654):
        school.okafor.says(f"/feedback {ident}")
        assert "I can't find that" in school.okafor.text()
        school.okafor.says("hello")
        assert "Sent to" not in school.okafor.text()
    assert notices(school, ANA, "Feedback from") == []
    school.ana.says(f"/feedback {school.session_of(ANA)}")
    assert "That is for instructors" in school.ana.text()


def test_feedback_waiting_when_the_role_is_revoked_is_not_sent(school: Classroom) -> None:
    school.rivera.says(f"/feedback {school.session_of(ANA)}")
    school.admin.says(f"/revoke {RIVERA}")
    school.rivera.says("Too late")
    assert "I can't find that" in school.rivera.text()
    assert notices(school, ANA, "Feedback from") == []


def test_help_shows_the_new_commands_to_the_people_who_may_use_them(school: Classroom) -> None:
    school.rivera.says("/help")
    assert "/cohort close ID" in school.rivera.text() and "/revoke" not in school.rivera.text()
    school.admin.says("/help")
    assert "/revoke TELEGRAM_ID removes the role" in school.admin.text()
    school.ana.says("/help")
    assert "/cohort" not in school.ana.text()
