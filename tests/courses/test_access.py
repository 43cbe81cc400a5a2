"""Every access rule of issue 4, at the service the review site and Telegram share.

A second instructor (Okafor, who teaches another cohort), a second student (Ben) and an admin
who teaches nothing are refused every object that is not theirs: None / False, exactly as for
an object that does not exist (the site turns both into 404). Runs on SQLite, and on
PostgreSQL when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.courses.access import Viewer
from bot.engine.content import Content
from storage.uow import Database
from tests.conftest import Clock
from tests.courses.classroom import ADMIN, ANA, BEN, OKAFOR, RIVERA, Classroom


@pytest.fixture
def school(sessions: Database, content: Content, clock: Clock) -> Iterator[Classroom]:
    room = Classroom(sessions, content, clock)
    yield room
    room.close()


def refused_everything(school: Classroom, viewer: Viewer, cohort_id: int, session_id: int) -> None:
    """Assert `viewer` gets nothing of that cohort and session, and changes nothing."""
    courses = school.courses
    ana = school.user_id(ANA)
    review = courses.session_review(viewer, session_id, "web")
    line_id = None
    assert review is None
    assert courses.cohort_overview(viewer, cohort_id) is None
    assert courses.student_sessions(viewer, cohort_id, ana) is None
    assert courses.search(viewer, cohort_id, "the") is None
    assert courses.annotate(viewer, session_id, line_id, "power", "a note") is False
    assert courses.set_verdict(viewer, session_id, "power", False) is False
    assert courses.send_feedback(viewer, session_id, "well done") is False
    assert courses.session_export(viewer, session_id) is None
    assert courses.cohort_csv(viewer, cohort_id) is None


def test_an_instructor_reads_their_cohorts_shared_sessions(school: Classroom) -> None:
    rivera = school.viewer(RIVERA)
    spring = school.cohort_id(RIVERA)
    overview = school.courses.cohort_overview(rivera, spring)
    assert overview is not None
    assert [s.name for s in overview.students] == ["Ana"]
    review = school.courses.session_review(rivera, school.session_of(ANA), "web")
    assert review is not None
    assert review.student_name == "Ana"
    assert any(line.sender == "user" for line in review.lines)


def test_a_second_instructor_is_refused_everything_of_another_cohort(school: Classroom) -> None:
    okafor = school.viewer(OKAFOR)
    refused_everything(school, okafor, school.cohort_id(RIVERA), school.session_of(ANA))
    assert school.courses.access_log_for(school.user_id(ANA)) == []
    assert not any("Feedback" in m.text for m in school.coach.pending("telegram", str(ANA)))


def test_a_second_student_is_refused_another_students_session_and_every_cohort(
    school: Classroom,
) -> None:
    ben = school.viewer(BEN)
    refused_everything(school, ben, school.cohort_id(RIVERA), school.session_of(ANA))
    # Ben's own cohort is not his to manage either: students see only their own data.
    assert school.courses.cohort_overview(ben, school.cohort_id(OKAFOR)) is None
    assert school.courses.cohorts_for(ben) == []


def test_a_student_reads_their_own_session_without_an_access_log_entry(
    school: Classroom,
) -> None:
    ana = school.viewer(ANA)
    review = school.courses.session_review(ana, school.session_of(ANA), "web")
    assert review is not None and review.student_name == "Ana"
    assert school.courses.access_log_for(ana.user_id) == []
    # ...but she cannot annotate or judge her own transcript as if she were its instructor.
    assert school.courses.annotate(ana, school.session_of(ANA), None, "power", "hm") is False


def test_an_admin_who_teaches_nothing_reads_no_transcript(school: Classroom) -> None:
    admin = school.viewer(ADMIN)
    assert admin.is_admin and not admin.is_instructor
    refused_everything(school, admin, school.cohort_id(RIVERA), school.session_of(ANA))
    assert school.courses.cohorts_for(admin) == []


def test_an_admin_who_instructs_a_cohort_reads_only_that_cohort(school: Classroom) -> None:
    school.admin.says(f"/grant {ADMIN} Admin Teacher")
    school.admin.says("/cohort new Evening")
    code = school.admin.text().split("join-")[1].split()[0]
    Classroom.join(school.ben, code)
    school.complete(school.ben, "salary_well_prepared")
    admin = school.viewer(ADMIN)
    assert school.courses.session_review(admin, school.session_of(BEN), "web") is not None
    refused_everything(school, admin, school.cohort_id(RIVERA), school.session_of(ANA))


def test_a_missing_session_or_cohort_looks_exactly_like_a_foreign_one(school: Classroom) -> None:
    rivera = school.viewer(RIVERA)
    refused_everything(school, rivera, 987654, 987654)
    refused_everything(school, rivera, 10**12, 10**12)  # beyond a 32-bit id: still just absent
    assert school.courses.viewer(10**12) is None
    assert school.courses.session_review(rivera, school.session_of(BEN), "web") is None
    assert (
        school.courses.student_sessions(rivera, school.cohort_id(RIVERA), school.user_id(BEN))
        is None
    )


def test_every_instructor_view_is_logged_for_the_student(school: Classroom, clock: Clock) -> None:
    rivera = school.viewer(RIVERA)
    session_id = school.session_of(ANA)
    assert school.courses.session_review(rivera, session_id, "web") is not None
    assert school.courses.session_export(rivera, session_id) is not None
    log = school.courses.access_log_for(school.user_id(ANA))
    assert [(e.viewer_name, e.session_id, e.via) for e in log] == [
        ("Dr Rivera", session_id, "export"),
        ("Dr Rivera", session_id, "web"),
    ]
    assert all(e.at == clock.now for e in log)


def test_an_instructor_who_lost_the_role_loses_access_at_once(
    school: Classroom, sessions: Database
) -> None:
    from sqlalchemy import delete

    from storage.schema.courses import Instructor

    rivera = school.viewer(RIVERA)  # looked up while still an instructor
    with sessions.begin() as db:
        db.execute(delete(Instructor).where(Instructor.user_id == rivera.user_id))
    refused_everything(school, rivera, school.cohort_id(OKAFOR), school.session_of(ANA))


def test_annotations_refuse_unknown_lessons_bad_comments_and_other_sessions_lines(
    school: Classroom,
) -> None:
    rivera = school.viewer(RIVERA)
    ana_session = school.session_of(ANA)
    review = school.courses.session_review(rivera, ana_session, "web")
    assert review is not None
    own_line = review.lines[2].id
    okafor_review = school.courses.session_review(
        school.viewer(OKAFOR), school.session_of(BEN), "web"
    )
    assert okafor_review is not None
    bens_line = okafor_review.lines[2].id
    courses = school.courses
    assert courses.annotate(rivera, ana_session, own_line, "weather", "x") is False
    assert courses.annotate(rivera, ana_session, own_line, "power", "   ") is False
    assert courses.annotate(rivera, ana_session, own_line, "power", "x" * 2001) is False
    assert courses.annotate(rivera, ana_session, bens_line, "power", "x") is False
    assert courses.set_verdict(rivera, ana_session, "weather", True) is False
    assert courses.annotate(rivera, ana_session, own_line, "power", "x" * 2000) is True
    assert courses.annotate(rivera, ana_session, None, "time", "Overall: good") is True
    again = courses.session_review(rivera, ana_session, "web")
    assert again is not None
    assert [(a.line_id, a.lesson_id, a.author) for a in again.annotations] == [
        (own_line, "power", "Dr Rivera"),
        (None, "time", "Dr Rivera"),
    ]
