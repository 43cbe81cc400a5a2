"""A debrief started after the student left the cohort (keeping earlier shares), or after the
cohort was closed, stays private: the shared preparation's page, its JSON and HTML exports and
the search show the instructor nothing of it, and the access log records nothing about it."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from bot.courses import cohorts
from storage import debriefs
from tests.web import seed
from tests.web.conftest import World
from tests.web.test_review import DEBRIEF

SECRET_ANSWER = "A bigger landlord wouldn't bother"


def leave_keeping_shares(world: World) -> None:
    with world.sessions.begin() as db:
        cohorts.leave(db, world.sofia.user_id, world.cohort_iris, False, world.clock())


def close_the_cohort(world: World) -> None:
    world.courses.close_cohort(world.cohort_iris)


@pytest.mark.parametrize(
    "privately", [leave_keeping_shares, close_the_cohort], ids=["left", "closed"]
)
def test_a_debrief_started_after_leaving_or_closing_stays_private_on_every_path(
    world: World, iris_client: tuple[TestClient, str], privately: Callable[[World], None]
) -> None:
    client, _csrf = iris_client
    privately(world)
    for text in DEBRIEF:
        seed.say(world.coach, world.sofia.telegram_id, world.sofia.name, text)
    with world.sessions.begin() as db:
        debrief_id = debriefs.debrief_of(db, world.sofia_session)
    assert debrief_id is not None
    before = world.courses.access_log_for(world.sofia.user_id)

    assert client.get(f"/sessions/{debrief_id}").status_code == 404
    page = client.get(f"/sessions/{world.sofia_session}")
    assert page.status_code == 200
    assert 'id="debrief"' not in page.text and "I should have walked" not in page.text
    data = json.loads(client.get(f"/sessions/{world.sofia_session}/export.json").text)
    assert data["debrief"] is None
    as_html = client.get(f"/sessions/{world.sofia_session}/export.html").text
    assert "I should have walked" not in as_html and "bigger landlord" not in as_html
    found = client.get(f"/cohorts/{world.cohort_iris}/search", params={"q": "landlord"})
    assert "bigger landlord" not in found.text

    review = world.courses.session_review(
        world.courses.viewer(world.iris), world.sofia_session, "telegram"
    )  # type: ignore[arg-type]
    assert review is not None and review.export["debrief"] is None
    after = world.courses.access_log_for(world.sofia.user_id)
    assert {entry.session_id for entry in after[: len(after) - len(before)]} == {
        world.sofia_session
    }


def test_a_shared_debrief_shown_beside_its_preparation_is_logged_as_read(
    world: World, iris_client: tuple[TestClient, str]
) -> None:
    client, _csrf = iris_client
    for text in DEBRIEF:
        seed.say(world.coach, world.sofia.telegram_id, world.sofia.name, text)
    page = client.get(f"/sessions/{world.sofia_session}").text
    assert SECRET_ANSWER.replace("'", "&#39;") in page
    read = {entry.session_id for entry in world.courses.access_log_for(world.sofia.user_id)}
    assert world.sofia_session in read and len(read) == 2
