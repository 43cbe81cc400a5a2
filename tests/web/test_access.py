"""Every access rule of the review site, with a second instructor, a second student and an
admin who must all be refused: 404 for what is not theirs (the same page as for what does not
exist), the sign-in explanation for anonymous visitors, and an access-log entry for every
instructor view of a transcript."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.web.conftest import World, a_line_of, review_counts, sign_in


def cohort_paths(world: World, cohort_id: int, student_id: int) -> list[str]:
    return [
        f"/cohorts/{cohort_id}",
        f"/cohorts/{cohort_id}?page=2&q=a",
        f"/cohorts/{cohort_id}/search?q=rent",
        f"/cohorts/{cohort_id}/students/{student_id}",
        f"/cohorts/{cohort_id}/levels.csv",
    ]


def session_paths(session_id: int) -> list[str]:
    return [
        f"/sessions/{session_id}",
        f"/sessions/{session_id}/export.json",
        f"/sessions/{session_id}/export.html",
    ]


def iris_paths(world: World) -> list[str]:
    return cohort_paths(world, world.cohort_iris, world.sofia.user_id) + session_paths(
        world.sofia_session
    )


def post_everything(client: TestClient, csrf: str, session_id: int, line_id: int) -> list[int]:
    """Annotate, judge and send feedback on a session; the status codes."""
    base = f"/sessions/{session_id}"
    return [
        client.post(
            f"{base}/annotations",
            data={"csrf": csrf, "line_id": str(line_id), "lesson_id": "power", "comment": "x"},
        ).status_code,
        client.post(
            f"{base}/verdicts",
            # A complete disagreement (a level and a reason), so only access can refuse it.
            data={
                "csrf": csrf,
                "lesson_id": "power",
                "agree": "no",
                "suggested_level": "watch",
                "reason": "x",
            },
        ).status_code,
        client.post(f"{base}/feedback", data={"csrf": csrf, "text": "Hello"}).status_code,
    ]


def test_anonymous_visitors_are_sent_to_the_sign_in_explanation(world: World) -> None:
    client = world.client()
    for path in ["/", *iris_paths(world)]:
        response = client.get(path)
        assert (response.status_code, response.headers["location"]) == (303, "/signin"), path
    explained = client.get("/signin")
    assert explained.status_code == 200
    assert "one-time link" in explained.text and "/web" in explained.text


def test_anonymous_posts_change_nothing(world: World) -> None:
    before = review_counts(world)
    codes = post_everything(world.client(), "", world.sofia_session, 1)
    assert codes == [303, 303, 303]
    assert review_counts(world) == before


def test_the_instructor_reads_her_cohort_and_its_shared_session(
    world: World, iris_client: tuple[TestClient, str]
) -> None:
    client, _csrf = iris_client
    for path in iris_paths(world):
        assert client.get(path).status_code == 200, path
    home = client.get("/").text
    assert "Negotiation 101" in home and "Evening class" not in home


def test_a_second_instructor_gets_404_for_everything_of_the_first(world: World) -> None:
    client = world.client()
    csrf = sign_in(world, client, world.victor)
    for path in iris_paths(world):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "not shared with you" in response.text
        assert "Sofia" not in response.text and "Negotiation 101" not in response.text
    before = review_counts(world)
    line = a_line_of(world, world.sofia_session)
    assert post_everything(client, csrf, world.sofia_session, line) == [404, 404, 404]
    assert review_counts(world) == before
    # ...while his own cohort and student are there for him.
    for path in cohort_paths(world, world.cohort_victor, world.tom.user_id) + session_paths(
        world.tom_session
    ):
        assert client.get(path).status_code == 200, path


def test_refusal_looks_exactly_like_a_missing_object(world: World) -> None:
    client = world.client()
    sign_in(world, client, world.victor)
    foreign = client.get(f"/sessions/{world.sofia_session}")
    missing = client.get("/sessions/999999")
    assert (foreign.status_code, missing.status_code) == (404, 404)
    assert foreign.text == missing.text
    foreign_cohort = client.get(f"/cohorts/{world.cohort_iris}")
    missing_cohort = client.get("/cohorts/999999")
    assert foreign_cohort.text == missing_cohort.text


def test_a_student_sees_only_her_own_session_and_cannot_review_it(world: World) -> None:
    client = world.client()
    csrf = sign_in(world, client, world.sofia.user_id)
    own = client.get(f"/sessions/{world.sofia_session}")
    assert own.status_code == 200
    assert "Save annotation" not in own.text and "Send feedback" not in own.text
    for path in session_paths(world.tom_session) + iris_paths(world)[:5]:
        assert client.get(path).status_code == 404, path
    before = review_counts(world)
    line = a_line_of(world, world.sofia_session)
    assert post_everything(client, csrf, world.sofia_session, line) == [404, 404, 404]
    assert review_counts(world) == before


def test_a_second_student_cannot_read_the_first_students_session(world: World) -> None:
    client = world.client()
    sign_in(world, client, world.tom.user_id)
    for path in session_paths(world.sofia_session):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/sessions/{world.tom_session}").status_code == 200


def test_an_admin_who_instructs_nothing_reads_no_transcript(world: World) -> None:
    client = world.client()
    sign_in(world, client, world.ada)
    assert "Negotiation 101" not in client.get("/").text
    for path in iris_paths(world) + session_paths(world.tom_session):
        assert client.get(path).status_code == 404, path


def test_every_instructor_view_of_a_transcript_is_in_the_students_access_log(
    world: World, iris_client: tuple[TestClient, str]
) -> None:
    client, _csrf = iris_client
    assert world.courses.access_log_for(world.sofia.user_id) == []
    client.get(f"/sessions/{world.sofia_session}")
    client.get(f"/sessions/{world.sofia_session}/export.json")
    victor = world.client()
    sign_in(world, victor, world.victor)
    victor.get(f"/sessions/{world.sofia_session}")  # refused: not a view
    entries = world.courses.access_log_for(world.sofia.user_id)
    assert sorted((e.viewer_name, e.via) for e in entries) == [("Iris", "export"), ("Iris", "web")]
    assert all(e.session_id == world.sofia_session for e in entries)


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "99999999999999999999", "1.5"])
def test_malformed_ids_in_addresses_are_404(
    world: World, iris_client: tuple[TestClient, str], bad: str
) -> None:
    client, _csrf = iris_client
    for path in (
        f"/sessions/{bad}",
        f"/cohorts/{bad}",
        f"/cohorts/{world.cohort_iris}/students/{bad}",
    ):
        assert client.get(path).status_code == 404, path
