"""An instructor uses the review site in real headless Chromium, next to the real bot process
on the fake Telegram, all on one SQLite file: sign in with a link from `web-login`, open the
cohort, open the session, annotate, send feedback, and the student receives it in Telegram.
The same pages are then checked at a phone's width."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from bot.courses.service import CourseService
from bot.engine.content import load_content
from bot.wiring import coach_service
from storage.database import open_database
from storage.schema import OutboxMessage, utcnow
from tests.e2e.console_process import REPO, bot_env
from tests.e2e.site_process import free_port, review_site
from tests.e2e.telegram_process import ParleyProcess, fake_bot_api
from tests.fakes import FakeBotApi
from tests.web import seed

pytestmark = pytest.mark.timeout(180)
SECRET = "browser-test-secret-key-of-32-chars-or-more"
FEEDBACK = "Good preparation, Sofia. Before Friday, price your sister's room as a real option."


@dataclass
class Course:
    database: Path
    site: str
    cohort_id: int
    session_id: int


def seed_course(database: Path) -> tuple[int, int]:
    """Iris teaches "Negotiation 101"; Sofia (Telegram 1001) shared one coached session."""
    content = load_content()
    sessions = open_database(f"sqlite:///{database}")
    coach = coach_service(sessions, content)
    try:
        courses = CourseService(sessions, content, frozenset())
        cohort_id = seed.instructor_with_cohort(courses, 7001, "Iris", "Negotiation 101")
        sofia = seed.Student(1001, "Sofia")
        overrides = {"topic": seed.HOSTILE_TOPIC}
        session_id = seed.coach(coach, sofia, "lease_single_issue", overrides)
        seed.join_and_share(sessions, sofia.user_id, cohort_id, [session_id])
        with sessions.begin() as db:  # the coaching replies were "sent" long ago
            db.execute(update(OutboxMessage).values(delivered_at=utcnow()))
    finally:
        coach.close()
        sessions.dispose()
    return cohort_id, session_id


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBotApi]:
    with fake_bot_api() as server:
        yield server


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory, fake: FakeBotApi) -> Iterator[Course]:
    """The seeded database, the bot on the fake Telegram and the site, all running."""
    database = tmp_path_factory.mktemp("browser") / "parley.db"
    cohort_id, session_id = seed_course(database)
    fake.user(1001, "Sofia")
    bot = ParleyProcess(fake, database)
    bot.start()
    log_file = database.parent / "web.log"
    try:
        with review_site(database, log_file, free_port(), WEB_SECRET_KEY=SECRET) as site:
            yield Course(database, site, cohort_id, session_id)
    finally:
        bot.stop()
        print("site output:\n" + log_file.read_text()[-5000:] + "\n" + bot.output(80))


def login_link(course: Course, telegram_id: int = 7001) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "web-login", str(telegram_id)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=bot_env(course.database, WEB_SECRET_KEY=SECRET, WEB_BASE_URL=course.site),
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def watch(page: Any) -> list[str]:
    """Collect what must never happen: dialogs (a script ran) and console errors (e.g. CSP)."""
    problems: list[str] = []

    def on_dialog(dialog: Any) -> None:
        problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def on_console(message: Any) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    page.on("dialog", on_dialog)
    page.on("console", on_console)
    return problems


def test_an_instructor_reviews_a_session_and_the_student_receives_the_feedback(
    chromium: Any, course: Course, fake: FakeBotApi
) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = watch(page)

    page.goto(login_link(course))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{course.site}/")
    assert page.get_by_role("heading", name="Your cohorts").is_visible()
    cookie = next(c for c in context.cookies() if c["name"] == "parley_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    page.get_by_role("link", name="Negotiation 101").click()
    page.wait_for_url(f"{course.site}/cohorts/{course.cohort_id}")
    assert page.locator("table.grid tbody tr").filter(has_text="Sofia").count() == 1
    assert page.locator("td .level-risk").count() >= 1

    page.get_by_role("link", name="Sofia").click()
    page.locator(f'a[href="/sessions/{course.session_id}"]').click()
    page.wait_for_url(f"{course.site}/sessions/{course.session_id}")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == seed.HOSTILE_TOPIC  # shown as text; the <script> inside never ran

    answer = page.locator("article.row").filter(has=page.locator("p.said", has_text="They do"))
    assert "power.them-needs-it-more" in answer.locator("aside").inner_text()
    answer.locator(".bubble").click()  # one Annotate control follows the selected answer
    page.locator("#annotate-follow").click()
    form = answer.locator("#annotate-form")
    form.locator("select[name=lesson_id]").select_option("power")
    form.get_by_label("Note on this answer").fill("She assumes the landlord needs her; ask why.")
    form.get_by_role("button", name="Save note").click()
    assert page.get_by_role("status").inner_text() == "Annotation saved. The student sees it."
    answer = page.locator("article.row").filter(has=page.locator("p.said", has_text="They do"))
    assert "ask why" in answer.locator(".note").inner_text()

    power = page.locator("#lesson-power")
    power.locator("summary", has_text="Disagree").click()
    power.get_by_label("The level it should have").select_option("watch")
    power.get_by_label("Why, in a sentence").fill("Her sister's room is a real alternative.")
    power.get_by_role("button", name="Disagree").click()
    assert page.get_by_role("status").inner_text() == "Your verdict is saved."
    assert "Iris: disagrees" in page.locator("#lesson-power").inner_text()
    assert "Iris suggests WATCH" in page.locator("#lesson-power").inner_text()

    page.get_by_label("Message (sent to the student in Telegram)").fill(FEEDBACK)
    page.get_by_role("button", name="Send feedback").click()
    assert "Feedback queued" in page.get_by_role("status").inner_text()
    assert FEEDBACK in page.locator("#report").inner_text()

    # The running bot's outbox sweep (every 15 s) delivers it to the student's chat.
    received = fake.user(1001, "Sofia").wait_for_text(FEEDBACK, timeout=40)
    assert "Iris" in received.shown
    assert problems == []
    context.close()


def test_the_pages_fit_a_phone_screen(chromium: Any, course: Course) -> None:
    context = chromium.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    problems = watch(page)
    page.goto(login_link(course))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{course.site}/")
    for path in ("/", f"/cohorts/{course.cohort_id}", f"/sessions/{course.session_id}"):
        page.goto(course.site + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width}px wide on a 375px screen"
    # The wide lesson table scrolls inside its own box instead of widening the page.
    page.goto(f"{course.site}/cohorts/{course.cohort_id}")
    box = page.locator("div.scroll").first.bounding_box()
    assert box is not None and box["width"] <= 375
    page.goto(f"{course.site}/sessions/{course.session_id}")
    send = page.get_by_role("button", name="Send feedback")
    send.scroll_into_view_if_needed()
    button = send.bounding_box()
    assert button is not None and button["x"] >= 0 and button["x"] + button["width"] <= 375
    font = page.evaluate("getComputedStyle(document.querySelector('p.said')).fontSize")
    assert float(font.removesuffix("px")) >= 14
    assert problems == []
    context.close()


def test_a_student_reads_her_own_session_on_a_phone(chromium: Any, course: Course) -> None:
    context = chromium.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    problems = watch(page)
    page.goto(login_link(course, telegram_id=1001))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{course.site}/")
    assert page.get_by_role("heading", name="My sessions", level=1).is_visible()
    assert "Shared with Negotiation 101" in page.locator("ul.cards").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.locator(f'a[href="/sessions/{course.session_id}"]').first.click()
    page.wait_for_url(f"{course.site}/sessions/{course.session_id}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.locator("form[method=post][action^='/sessions']").count() == 0
    chart = page.locator("img.chart")
    alt = chart.get_attribute("alt") or ""
    assert alt.startswith("Chart of the five lessons") and "risk" in alt
    # The width and height attributes give the box its 4:3 shape before the picture arrives
    # (Chromium maps them to aspect-ratio), so nothing below it jumps when it loads.
    ratio = page.evaluate("getComputedStyle(document.querySelector('img.chart')).aspectRatio")
    assert ratio == "auto 800 / 600"
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert abs(box["height"] - box["width"] * 0.75) <= 2
    assert page.evaluate("document.querySelector('img.chart').naturalWidth") == 800
    assert problems == []
    context.close()
