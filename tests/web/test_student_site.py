"""A student on the review site: "My sessions" with where each is shared and who read it, and
each session read-only with the instructors' notes and feedback on it. Nothing of another
student's is reachable, and reading your own session is not logged."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from tests.web import seed
from tests.web.conftest import World, a_line_of, sign_in
from tests.web.test_review import DEBRIEF

NOTE = "Power: you assume the landlord needs you; ask what he loses without you."
FEEDBACK = "Good preparation. Price your sister's room as a real option."


def student(world: World, user_id: int) -> TestClient:
    client = world.client()
    sign_in(world, client, user_id)
    return client


def iris_reviews_sofia(world: World) -> None:
    """Iris reads Sofia's session, annotates a line and sends feedback, on the site."""
    iris = world.client()
    csrf = sign_in(world, iris, world.iris)
    base = f"/sessions/{world.sofia_session}"
    assert iris.get(base).status_code == 200
    line = a_line_of(world, world.sofia_session)
    fields = {"csrf": csrf, "line_id": str(line), "lesson_id": "power", "comment": NOTE}
    assert iris.post(f"{base}/annotations", data=fields).status_code == 303
    assert iris.post(f"{base}/feedback", data={"csrf": csrf, "text": FEEDBACK}).status_code == 303


def test_a_students_home_lists_her_sessions_with_levels_and_where_each_is_shared(
    world: World,
) -> None:
    second = seed.coach(world.coach, world.sofia, "supplier_waiting_game", first=False)
    client = student(world, world.sofia.user_id)
    home = client.get("/")
    assert home.status_code == 200
    page = home.text
    assert "<h1>My sessions</h1>" in page and "Your cohorts" not in page
    assert page.index(f'href="/sessions/{second}"') < page.index(
        f'href="/sessions/{world.sofia_session}"'
    )  # newest first; started while in the cohort, so shared with it too
    assert page.count("Shared with Negotiation 101") == 2
    assert "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt; Rent {{ 7*7 }}" in page
    assert 'class="level level-risk"' in page and "completed" in page
    assert "read by Iris" in page  # her cohort and who reads it
    assert f'href="/sessions/{world.tom_session}"' not in page and "Evening class" not in page
    assert client.get("/my").text == page


def test_a_session_of_someone_in_no_cohort_is_marked_private(world: World) -> None:
    lena = seed.Student(1003, "Lena")
    session = seed.coach(world.coach, lena, "salary_well_prepared")
    page = student(world, lena.user_id).get("/").text
    assert f'href="/sessions/{session}"' in page and "Private: only you can read it" in page
    assert "Shared with" not in page and "My cohorts" not in page


def test_a_student_reads_her_session_with_the_instructors_notes_but_no_forms(
    world: World,
) -> None:
    iris_reviews_sofia(world)
    client = student(world, world.sofia.user_id)
    page = client.get(f"/sessions/{world.sofia_session}").text
    assert NOTE.replace("'", "&#39;") in page
    assert FEEDBACK.replace("'", "&#39;") in page
    assert "Feedback from your instructors" in page and "Feedback to the student" not in page
    assert 'href="/my">My sessions</a>' in page
    assert not re.search(r'<form method="post" action="/sessions', page)
    assert "Annotate" not in page and "Agree</button>" not in page
    assert "Save annotation" not in page and "Send feedback" not in page


def test_reading_your_own_session_is_not_logged_and_the_instructors_reads_are_listed(
    world: World,
) -> None:
    client = student(world, world.sofia.user_id)
    for path in (
        f"/sessions/{world.sofia_session}",
        f"/sessions/{world.sofia_session}/export.json",
    ):
        assert client.get(path).status_code == 200
    assert world.courses.access_log_for(world.sofia.user_id) == []
    assert "No instructor has read your transcripts." in client.get("/").text
    iris_reviews_sofia(world)
    page = client.get("/").text
    log = page[page.index("Who has read my transcripts") :]
    assert "Iris" in log and "on the review site" in log
    assert f'href="/sessions/{world.sofia_session}"' in log


def test_another_students_session_is_not_found_and_not_listed(world: World) -> None:
    client = student(world, world.tom.user_id)
    mine = client.get("/").text
    assert f'href="/sessions/{world.tom_session}"' in mine and "Shared with Evening class" in mine
    assert "Negotiation 101" not in mine and "Rent" not in mine
    for path in (
        f"/sessions/{world.sofia_session}",
        f"/sessions/{world.sofia_session}/export.json",
        f"/sessions/{world.sofia_session}/export.html",
    ):
        refused = client.get(path)
        assert refused.status_code == 404 and "not shared with you" in refused.text, path
        assert "Sofia" not in refused.text and "Rent" not in refused.text


def test_the_debrief_is_listed_with_its_preparation_and_opens_read_only(world: World) -> None:
    for text in DEBRIEF:
        seed.say(world.coach, world.sofia.telegram_id, world.sofia.name, text)
    client = student(world, world.sofia.user_id)
    page = client.get("/").text
    found = re.search(r'<a href="/sessions/(\d+)">Debrief</a>', page)
    assert found is not None, page
    assert page.count('class="card-title"') == 1  # the debrief is not a session of its own
    debrief = client.get(f"/sessions/{found.group(1)}")
    assert debrief.status_code == 200 and "{{ 7*7 }} &lt;script&gt;alert(5)&lt;/script&gt;" in (
        debrief.text
    )
    prepared = client.get(f"/sessions/{world.sofia_session}").text
    assert '<h2 id="debrief">' in prepared and "Worse: I should have walked" in prepared


def test_an_instructor_also_finds_her_own_sessions_under_my_sessions(world: World) -> None:
    client = world.client()
    sign_in(world, client, world.iris)
    home = client.get("/").text
    assert "Your cohorts" in home and 'href="/my">My sessions</a>' in home
    mine = client.get("/my").text
    assert "You have no sessions yet." in mine and "No instructor has read" in mine


def test_the_chart_on_the_session_page_has_its_text_alternative_and_its_size(
    world: World,
) -> None:
    page = student(world, world.sofia.user_id).get(f"/sessions/{world.sofia_session}").text
    found = re.search(
        r'<img class="chart" src="[^"]+" width="(\d+)" height="(\d+)" alt="([^"]+)"', page
    )
    assert found is not None, page
    assert (found.group(1), found.group(2)) == ("800", "600")
    alt = found.group(3)
    assert alt.startswith("Chart of the five lessons on a scale from clear to watch to risk.")
    assert "Power is not size: risk." in alt
    assert alt.count(": ") == 5  # every lesson, in words


def test_a_lesson_that_does_not_apply_reads_not_applicable_on_the_session_page(
    world: World,
) -> None:
    omar = seed.Student(1007, "Omar")
    session = seed.coach(world.coach, omar, "one_issue_buyer")  # no one in the middle
    page = student(world, omar.user_id).get(f"/sessions/{session}").text
    mediator = page[page.index('id="lesson-mediator"') :]
    mediator = mediator[: mediator.index("</div>")]
    assert "not applicable" in mediator and "No one is in the middle" in mediator
    assert "level-clear" not in mediator and "–" not in mediator
