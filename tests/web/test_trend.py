"""Issue 14, item 5: a cohort's trend per lesson by ISO week of completed preparations, as a
plain table an instructor (and only theirs) reads: how many students at risk and on watch."""

from __future__ import annotations

import re
from datetime import timedelta

from starlette.testclient import TestClient

from bot.courses import cohorts
from tests.web import seed
from tests.web.conftest import World, sign_in

Client = tuple[TestClient, str]


def cells(page: str, lesson_title: str) -> list[str]:
    row = page[page.index(f'<th scope="row">{lesson_title}</th>') :].split("</tr>")[0]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row)]


def test_the_trend_counts_students_at_risk_and_watch_per_lesson_and_iso_week(
    world: World,
) -> None:
    first_week = world.clock()  # Sofia's lease (power and package risk, mediator watch)
    aaron, noor = seed.Student(1011, "Aaron"), seed.Student(1012, "Noor")
    # Later the same week Sofia prepares again, well this time: she counts once, as clear.
    world.clock.now = first_week + timedelta(hours=30)
    again = seed.coach(world.coach, world.sofia, "salary_well_prepared", first=False)
    # A week later: Aaron has no plan (time at risk), Noor knows nothing yet (all gaps).
    world.clock.now = first_week + timedelta(days=7)
    aaron_session = seed.coach(world.coach, aaron, "job_candidate_no_plan")
    noor_session = seed.coach(world.coach, noor, "first_timer_dont_know")
    seed.join_and_share(world.sessions, aaron.user_id, world.cohort_iris, [aaron_session])
    seed.join_and_share(world.sessions, noor.user_id, world.cohort_iris, [noor_session])
    with world.sessions.begin() as db:
        cohorts.share(db, world.sofia.user_id, again, world.cohort_iris, world.clock())

    client = world.client()  # signed in now: a browser session does not last the week
    sign_in(world, client, world.iris)
    page = client.get(f"/cohorts/{world.cohort_iris}/trend").text
    year, week, _day = first_week.isocalendar()
    assert f"({year}-W{week:02d})" in page and f"({year}-W{week + 1:02d})" in page
    assert cells(page, "Power is not size") == ["none", "none"]  # Sofia's latest was clear
    assert cells(page, "Time cuts both ways") == ["none", "1 risk"]
    assert "2 (1 with a risk or watch)" in page  # Aaron and Noor completed in week two
    assert "1 (0 with a risk or watch)" in page  # Sofia, once, in week one

    cohort_page = client.get(f"/cohorts/{world.cohort_iris}").text
    assert f'href="/cohorts/{world.cohort_iris}/trend"' in cohort_page


def test_one_week_shows_each_lessons_risk_and_watch_counts_in_a_captioned_table(
    world: World, iris_client: Client
) -> None:
    client, _csrf = iris_client
    page = client.get(f"/cohorts/{world.cohort_iris}/trend").text
    assert "<caption>" in page and '<th scope="col">Lesson</th>' in page
    assert cells(page, "Power is not size") == ["1 risk"]
    assert cells(page, "A mediator is not your agent") == ["1 watch"]
    assert cells(page, "Trade across issues") == ["1 risk"]


def test_another_instructors_cohort_trend_is_not_found(world: World, iris_client: Client) -> None:
    client, _csrf = iris_client
    assert client.get(f"/cohorts/{world.cohort_victor}/trend").status_code == 404
    assert client.get("/cohorts/99999/trend").status_code == 404


def test_the_trend_and_a_draft_note_read_the_same_on_postgresql(postgres_world: World) -> None:
    """The outer join on flagged findings and the draft flag, on PostgreSQL (skipped without
    TEST_DATABASE_URL)."""
    world = postgres_world
    client = world.client()
    csrf = sign_in(world, client, world.iris)
    page = client.get(f"/cohorts/{world.cohort_iris}/trend").text
    assert cells(page, "Power is not size") == ["1 risk"]
    base = f"/sessions/{world.sofia_session}"
    line = re.findall(r'data-line="(\d+)"', client.get(base).text)[0]
    fields = {"csrf": csrf, "line_id": line, "lesson_id": "power", "comment": "Draft on PG."}
    assert client.post(f"{base}/annotations", data=fields | {"publish": "draft"}).status_code == 303
    assert "Draft on PG." in client.get(base).text
    sofia = world.client()
    sign_in(world, sofia, world.sofia.user_id)
    assert "Draft on PG." not in sofia.get(base).text
