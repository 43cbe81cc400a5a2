"""The cohort queries on a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set):
membership and sharing facts, the grouped cohort aggregates, search with literal wildcards,
verdict disagreement per rule and the CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest

from bot.engine.content import Content
from storage.courses import cohorts as store
from storage.courses.review import like_pattern
from storage.schema import utcnow
from storage.uow import Database
from tests.conftest import Clock
from tests.courses.classroom import ANA, BEN, RIVERA, Classroom, tg


@pytest.fixture
def school(sessions: Database, content: Content, clock: Clock) -> Iterator[Classroom]:
    room = Classroom(sessions, content, clock)
    yield room
    room.close()


def test_like_patterns_take_wildcards_literally() -> None:
    assert like_pattern("50%_off\\") == "%50\\%\\_off\\\\%"
    assert like_pattern("Hello") == "%hello%"


def test_joining_again_after_leaving_restores_membership_without_a_second_row(
    sessions: Database, content: Content, clock: Clock
) -> None:
    with sessions.begin() as db:
        from storage import repository as repo

        teacher = repo.get_or_create_user(db, "telegram:1", "telegram", "T")
        student = repo.get_or_create_user(db, "telegram:2", "telegram", "S")
        cohort = store.create_cohort(db, "C", "code-1", teacher.id, utcnow())
        assert store.join_cohort(db, cohort, student.id, utcnow()) is True
        assert store.join_cohort(db, cohort, student.id, utcnow()) is False
        store.leave_cohort(db, cohort, student.id, utcnow(), withdraw=False)
        assert store.current_cohorts(db, student.id) == []
        assert store.join_cohort(db, cohort, student.id, utcnow()) is True
        assert store.current_cohorts(db, student.id) == [cohort]
        assert len(store.memberships(db, student.id)) == 1


def test_a_session_is_shared_once_per_cohort_and_only_its_instructors_see_it(
    school: Classroom, sessions: Database
) -> None:
    session_id = school.session_of(ANA)
    rivera, ben, ana = (school.user_id(who) for who in (RIVERA, BEN, ANA))
    with sessions.begin() as db:
        spring = store.cohorts_instructed(db, rivera)[0]
        assert store.share_session(db, session_id, spring, "chosen", utcnow()) is False
        assert store.session_shared_with(db, session_id, rivera) is True
        assert store.session_shared_with(db, session_id, ben) is False
        assert store.session_owner(db, session_id) == ana
        assert store.session_owner(db, 987654) is None


def test_the_cohort_overview_aggregates_levels_per_student_and_for_the_cohort(
    school: Classroom,
) -> None:
    Classroom.complete(school.ana, "salary_well_prepared")  # Ana's second, all clear
    carla = tg(school.coach, 202, "carla")
    Classroom.join(carla, school.spring_code)
    rivera = school.viewer(RIVERA)
    overview = school.courses.cohort_overview(rivera, school.cohort_id(RIVERA))
    assert overview is not None
    assert overview.total_students == 2 and overview.pages == 1
    ana, carla_row = overview.students  # ordered by name, case-insensitively
    assert (ana.name, carla_row.name) == ("Ana", "carla")
    assert ana.session_count == 2 and carla_row.session_count == 1
    # No one in the middle of Ana's salary talk: the mediator lesson does not apply (not clear).
    assert ana.levels == dict.fromkeys(["power", "time", "forum", "package"], "clear") | {
        "mediator": "n/a"
    }
    assert carla_row.levels == dict.fromkeys(ana.levels, "") and carla_row.completed_count == 0
    assert overview.lesson_totals["package"] == {"risk": 1, "clear": 1}
    assert [lesson_id for lesson_id, _title in overview.lessons] == list(ana.levels)


def test_the_overview_pages_and_filters_students_by_name(school: Classroom) -> None:
    for n in range(5):
        Classroom.join(tg(school.coach, 300 + n, f"Student {n} 50%"), school.spring_code)
    rivera = school.viewer(RIVERA)
    spring = school.cohort_id(RIVERA)
    page = school.courses.cohort_overview(rivera, spring, page=2, per_page=4)
    assert page is not None
    assert (page.page, page.pages, page.total_students) == (2, 2, 6)
    assert [s.name for s in page.students] == ["Student 3 50%", "Student 4 50%"]
    found = school.courses.cohort_overview(rivera, spring, query="0%")
    assert found is not None and found.total_students == 5
    none = school.courses.cohort_overview(rivera, spring, query="_")
    assert none is not None and none.total_students == 0
    beyond = school.courses.cohort_overview(rivera, spring, page=99, per_page=4)
    assert beyond is not None and beyond.page == 2


def test_search_finds_lines_case_insensitively_in_shared_sessions_only(
    school: Classroom,
) -> None:
    rivera = school.viewer(RIVERA)
    spring = school.cohort_id(RIVERA)
    school.ana.says("/new")
    school.ana.says("1")
    school.ana.says("A 100% RENT cut, under_score")
    result = school.courses.search(rivera, spring, "100% rent")
    assert result is not None and result.total == 1
    [hit] = result.hits
    assert (hit.student_name, hit.sender, hit.text) == (
        "Ana",
        "user",
        "A 100% RENT cut, under_score",
    )
    assert hit.session_id == school.session_of(ANA)
    wildcard = school.courses.search(rivera, spring, "0_ rent")
    assert wildcard is not None and wildcard.total == 0
    empty = school.courses.search(rivera, spring, "   ")
    assert empty is not None and empty.hits == []
    # Ben answered the same persona, but his sessions are not Spring's.
    lease = school.courses.search(rivera, spring, "lease")
    assert lease is not None and {h.student_name for h in lease.hits} == {"Ana"}
    paged = school.courses.search(rivera, spring, "a", page=2, per_page=3)  # whole words: 6 hits
    assert paged is not None and paged.page == 2 and len(paged.hits) == 3


def test_review_lines_carry_the_rules_each_answer_fired(school: Classroom) -> None:
    review = school.courses.session_review(school.viewer(RIVERA), school.session_of(ANA), "web")
    assert review is not None
    fired = {rule for line in review.lines for rule in line.rules}
    expected = {rule["id"] for lesson in review.export["lessons"] for rule in lesson["rules"]}
    assert fired == expected and expected
    assert all(line.sender == "user" for line in review.lines if line.rules)
    assert review.levels["package"] == "risk"


def test_disagreement_rate_per_rule_counts_instructor_verdicts(school: Classroom) -> None:
    rivera = school.viewer(RIVERA)
    session_id = school.session_of(ANA)
    assert school.courses.set_verdict(rivera, session_id, "package", True)
    # Disagreeing needs the level it should be and why (issue 14); then it replaces the first.
    assert not school.courses.set_verdict(rivera, session_id, "package", False)
    assert school.courses.set_verdict(
        rivera, session_id, "package", False, "clear", "Two issues are on the table."
    )
    assert school.courses.set_verdict(rivera, session_id, "power", True)
    overview = school.courses.cohort_overview(rivera, school.cohort_id(RIVERA))
    assert overview is not None
    package = [d for d in overview.disagreements if d.lesson_id == "package"]
    assert package and all((d.verdicts, d.disagreements, d.rate) == (1, 1, 1.0) for d in package)
    assert overview.disagreements[0].lesson_id == "package"
    review = school.courses.session_review(rivera, session_id, "web")
    assert review is not None
    assert review.verdicts["package"] == [("Dr Rivera", False)]
    assert review.my_verdicts == {"package": False, "power": True}
    assert review.verdict_reasons["package"] == [
        ("Dr Rivera", "clear", "Two issues are on the table.")
    ]


def test_the_cohort_csv_has_one_row_per_shared_session_and_is_formula_safe(
    school: Classroom,
) -> None:
    eve = tg(school.coach, 204, "=HYPERLINK(1)")
    Classroom.join(eve, school.spring_code)
    eve.says("1")
    eve.says("@SUM(A1) lease")
    text = school.courses.cohort_csv(school.viewer(RIVERA), school.cohort_id(RIVERA))
    assert text is not None
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "student", "session_id", "title", "status", "completed_at",
        "power", "time", "forum", "package", "mediator",
    ]  # fmt: skip
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Ana", "'=HYPERLINK(1)"}
    assert by_name["Ana"][3] == "completed" and by_name["Ana"][8] == "risk"
    assert by_name["'=HYPERLINK(1)"][2] == "'@SUM(A1) lease"
    assert by_name["'=HYPERLINK(1)"][5:] == [""] * 5
