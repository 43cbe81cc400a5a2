"""A review site over a real SQLite file, with two instructors, two students and an admin.

Instructor Iris (cohort "Negotiation 101") has student Sofia, whose shared session contains
`<script>`, `{{ 7*7 }}` and `javascript:` text. Instructor Victor (cohort "Evening class") has
student Tom. Ada is an admin who instructs nothing. Every one of them can sign in; what each
may see is what the tests check.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from bot.coach.service import CoachService
from bot.courses import web_login
from bot.courses.service import CourseService
from bot.engine.content import Content
from bot.web.app import create_app
from bot.wiring import coach_service
from storage.database import open_database
from storage.schema import OutboxMessage, TranscriptLine
from storage.schema.courses import Annotation, Feedback, LevelVerdict
from storage.uow import Database
from tests.conftest import Clock
from tests.postgres import reset_schema
from tests.web import seed

SECRET = "test-secret-key-for-the-review-site"
BASE_URL = "http://testserver"
ADMIN_TELEGRAM_ID = 9000
NONCE_RE = re.compile(r'name="nonce" value="([^"]+)"')
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class World:
    sessions: Database
    coach: CoachService
    courses: CourseService
    clock: Clock
    iris: int  # user ids
    victor: int
    ada: int
    sofia: seed.Student
    tom: seed.Student
    cohort_iris: int
    cohort_victor: int
    sofia_session: int
    tom_session: int

    def client(self) -> TestClient:
        app = create_app(self.courses, self.sessions, SECRET, BASE_URL, self.clock)
        return TestClient(app, base_url=BASE_URL, follow_redirects=False)

    def link(self, user_id: int) -> str:
        with self.sessions.begin() as db:
            return web_login.issue_login_url(db, user_id, BASE_URL, SECRET, self.clock())


def user_id_of(courses: CourseService, telegram_id: int) -> int:
    viewer = courses.viewer_for_telegram(telegram_id)
    assert viewer is not None
    return viewer.user_id


@pytest.fixture
def world(tmp_path: Path, content: Content) -> Iterator[World]:
    yield from build_world(f"sqlite:///{tmp_path / 'parley.db'}", content)


@pytest.fixture
def postgres_world(content: Content) -> Iterator[World]:
    """The same world on PostgreSQL (TEST_DATABASE_URL), for what only PostgreSQL refuses."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL variant skipped")
    reset_schema(url)
    yield from build_world(url, content)


def build_world(url: str, content: Content) -> Iterator[World]:
    clock = Clock(datetime(2026, 11, 25, 9, 0, 0))
    sessions = open_database(url)
    coach = coach_service(sessions, content, clock=clock)
    courses = CourseService(sessions, content, frozenset({ADMIN_TELEGRAM_ID}), clock)
    cohort_iris = seed.instructor_with_cohort(courses, 7001, "Iris", "Negotiation 101")
    cohort_victor = seed.instructor_with_cohort(courses, 7002, "Victor", "Evening class")
    sofia, tom = seed.Student(1001, "Sofia"), seed.Student(1002, "Tom")
    overrides = {"topic": seed.HOSTILE_TOPIC, "other_side": seed.HOSTILE_OTHER_SIDE}
    sofia_session = seed.coach(coach, sofia, "lease_single_issue", overrides)
    tom_session = seed.coach(coach, tom, "salary_well_prepared")
    seed.join_and_share(sessions, sofia.user_id, cohort_iris, [sofia_session])
    seed.join_and_share(sessions, tom.user_id, cohort_victor, [tom_session])
    seed.say(coach, ADMIN_TELEGRAM_ID, "Ada", "/start")
    yield World(
        sessions=sessions,
        coach=coach,
        courses=courses,
        clock=clock,
        iris=user_id_of(courses, 7001),
        victor=user_id_of(courses, 7002),
        ada=user_id_of(courses, ADMIN_TELEGRAM_ID),
        sofia=sofia,
        tom=tom,
        cohort_iris=cohort_iris,
        cohort_victor=cohort_victor,
        sofia_session=sofia_session,
        tom_session=tom_session,
    )
    coach.close()
    sessions.dispose()


def sign_in(world: World, client: TestClient, user_id: int) -> str:
    """Open a fresh link, press Sign in; returns the page's CSRF token."""
    link = world.link(user_id)
    landing = client.get(link.removeprefix(BASE_URL))
    assert landing.status_code == 200, landing.text
    nonce = NONCE_RE.search(landing.text)
    assert nonce is not None
    token = unquote(link.partition("token=")[2])
    done = client.post("/login", data={"token": token, "nonce": nonce.group(1)})
    assert done.status_code == 303 and done.headers["location"] == "/", done.text
    return csrf_of(client)


def csrf_of(client: TestClient) -> str:
    home = client.get("/")
    found = CSRF_RE.search(home.text)
    assert found is not None, home.text
    return found.group(1)


@pytest.fixture
def iris_client(world: World) -> tuple[TestClient, str]:
    client = world.client()
    return client, sign_in(world, client, world.iris)


def review_counts(world: World) -> list[int]:
    """How many annotations, verdicts, feedback notes and outgoing messages exist."""
    with world.sessions.begin() as db:
        return [
            int(db.execute(select(func.count()).select_from(model)).scalar_one())
            for model in (Annotation, LevelVerdict, Feedback, OutboxMessage)
        ]


def a_line_of(world: World, session_id: int) -> int:
    """The id of a student line of the session (what the annotate form posts)."""
    with world.sessions.begin() as db:
        return int(
            db.execute(
                select(TranscriptLine.id)
                .where(TranscriptLine.session_id == session_id, TranscriptLine.sender == "user")
                .limit(1)
            ).scalar_one()
        )
