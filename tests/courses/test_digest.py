"""Issue 14 item 6: instructors hear about new work. Through the coach service with a clock the
test moves: a completed shared session, a completed session shared later and a debrief of a
shared preparation become one digest per instructor, at most one an hour, through the outbox,
once; `/notify off` and `/notify on`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.courses.digest import DigestService
from bot.courses.types import CourseSettings
from bot.engine.content import Content
from storage.courses import digests as store
from storage.uow import Database
from tests.conftest import Clock
from tests.courses.classroom import OKAFOR, RIVERA, Classroom, tg
from tests.web.test_review import DEBRIEF


@pytest.fixture
def school(sessions: Database, content: Content, clock: Clock) -> Iterator[Classroom]:
    room = Classroom(sessions, content, clock)
    yield room
    room.close()


@pytest.fixture
def digests(school: Classroom) -> DigestService:
    return DigestService(school.coach)


def fire_due(digests: DigestService) -> list[str | None]:
    """Fire every digest due by the clock's now; the chat each went to (None: nothing sent)."""
    return [digests.fire(user_id) for user_id, _ in digests.due("telegram", timedelta(0))]


def digest_text(school: Classroom, telegram_id: int) -> str:
    """The last message queued for the instructor's chat."""
    return school.coach.pending("telegram", str(telegram_id))[-1].text


def test_a_completed_shared_session_reaches_its_cohorts_instructor_once(
    school: Classroom, digests: DigestService
) -> None:
    # Ana (Spring, Dr Rivera's) and Ben (Autumn, Prof Okafor's) each completed a session.
    assert sorted(fire_due(digests)) == [str(RIVERA), str(OKAFOR)]
    ana_session = school.session_of(200)
    rivera = digest_text(school, RIVERA)
    assert "New work from your students" in rivera and "Spring" in rivera
    assert "Ana completed “Renewing my flat lease" in rivera
    assert f"/review {ana_session}" in rivera and "Ben" not in rivera
    assert "Ana" not in digest_text(school, OKAFOR) and "Ben" in digest_text(school, OKAFOR)
    # Sent is sent: firing again (a second timer, a restart) sends nothing.
    assert fire_due(digests) == [] and digests.fire(school.user_id(RIVERA)) is None


def test_news_within_the_hour_wait_for_one_digest_an_hour_after_the_last(
    school: Classroom, digests: DigestService, clock: Clock
) -> None:
    fire_due(digests)
    sent_at = clock.now
    clock.now = sent_at + timedelta(minutes=10)
    school.complete(school.ana, "supplier_waiting_game")
    second = school.session_of(200)
    rivera = school.user_id(RIVERA)
    assert digests.fire(rivera) is None  # not yet: the last digest was 10 minutes ago
    with school.coach.database.begin() as db:
        assert store.due_at(db, rivera) == sent_at + timedelta(hours=1)
    clock.now = sent_at + timedelta(minutes=40)
    school.complete(school.ana, "lease_single_issue")
    third = school.session_of(200)
    clock.now = sent_at + timedelta(minutes=59)
    assert fire_due(digests) == []
    clock.now = sent_at + timedelta(hours=1)
    assert fire_due(digests) == [str(RIVERA)]
    text = digest_text(school, RIVERA)
    assert f"/review {second}" in text and f"/review {third}" in text
    assert f"/review {school.session_of(200) - 2}" not in text  # told in the first digest
    assert text.count("Ana completed") == 2


def test_a_debrief_of_a_shared_preparation_is_news_too(
    school: Classroom, digests: DigestService, clock: Clock
) -> None:
    fire_due(digests)
    clock.now += timedelta(hours=2)
    prepared = school.session_of(200)
    for text in DEBRIEF:
        school.ana.says(text)
    debrief = school.session_of(200)
    assert debrief != prepared
    assert fire_due(digests) == [str(RIVERA)]
    text = digest_text(school, RIVERA)
    assert "Ana debriefed" in text and f"/review {debrief}" in text
    assert "completed" not in text.split("New work from your students:")[1].split("/notify")[0]


def test_an_earlier_session_shared_later_is_news_when_shared(
    school: Classroom, digests: DigestService, clock: Clock
) -> None:
    fire_due(digests)
    clock.now += timedelta(hours=2)
    cara = tg(school.coach, 202, "Cara")
    school.complete(cara, "lease_single_issue")  # before joining: private
    assert fire_due(digests) == []
    cara.says(f"/start join-{school.spring_code}")
    cara.presses("I agree, join")
    cara.says(f"/share {school.session_of(202)}")
    assert "shared" in cara.text().lower()
    assert fire_due(digests) == [str(RIVERA)]
    assert "Cara completed" in digest_text(school, RIVERA)


def test_notify_off_stops_the_digest_and_on_starts_it_again(
    school: Classroom, digests: DigestService, clock: Clock
) -> None:
    school.rivera.says("/notify")
    assert "You get a digest" in school.rivera.text()
    school.rivera.says("/notify off")
    assert "You get no digest" in school.rivera.text()
    assert fire_due(digests) == [str(OKAFOR)]  # Rivera's waiting digest was dropped
    clock.now += timedelta(hours=2)
    school.complete(school.ana, "supplier_waiting_game")
    assert fire_due(digests) == []
    school.rivera.says("/notify ON")
    assert "You get a digest" in school.rivera.text()
    school.complete(school.ana, "lease_single_issue")
    latest = school.session_of(200)
    assert fire_due(digests) == [str(RIVERA)]
    text = digest_text(school, RIVERA)
    assert f"/review {latest}" in text and f"/review {latest - 1}" not in text
    school.rivera.says("/notify sometimes")
    assert "/notify off" in school.rivera.text() and "/notify on" in school.rivera.text()


def test_notify_is_for_instructors_and_in_their_help(school: Classroom) -> None:
    school.ana.says("/notify off")
    assert "That is for instructors" in school.ana.text()
    school.ana.says("/help")
    assert "/notify" not in school.ana.text()
    school.rivera.says("/help")
    assert "/notify off" in school.rivera.text()


def test_the_digest_links_each_cohort_on_the_review_site_when_there_is_one(
    school: Classroom, digests: DigestService
) -> None:
    settings = school.coach.setting(CourseSettings)
    site = CourseSettings(
        admin_ids=settings.admin_ids,
        bot_username=settings.bot_username,
        web_base_url="https://review.example.org/",
        web_secret="s" * 32,
    )
    school.coach.configure(site)
    fire_due(digests)
    spring = school.cohort_id(RIVERA)
    assert f"https://review.example.org/cohorts/{spring}" in digest_text(school, RIVERA)


def test_no_site_no_link(school: Classroom, digests: DigestService) -> None:
    fire_due(digests)
    assert "review site" not in digest_text(school, RIVERA)


def test_a_session_no_longer_shared_is_not_told(school: Classroom, digests: DigestService) -> None:
    school.ana.says("/leave")
    school.ana.presses("Leave and withdraw them")
    sent = fire_due(digests)
    assert str(OKAFOR) in sent and str(RIVERA) not in sent  # Rivera: nothing left to tell
    assert "Ana" not in "".join(m.text for m in school.coach.pending("telegram", str(RIVERA)))
