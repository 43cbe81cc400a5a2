"""What only PostgreSQL refuses: a NUL character in text (psycopg's DataError) and ids beyond its
integer column. The site strips NUL where text enters and range-checks every id, so these are
ordinary requests there too, never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from storage.schema import OutboxMessage
from storage.schema.courses import Annotation, Feedback
from tests.web.conftest import World, a_line_of, sign_in


@pytest.fixture
def iris_on_postgres(postgres_world: World) -> tuple[TestClient, str]:
    client = postgres_world.client()
    return client, sign_in(postgres_world, client, postgres_world.iris)


def test_a_nul_in_search_the_student_filter_feedback_or_an_annotation_is_stripped(
    postgres_world: World, iris_on_postgres: tuple[TestClient, str]
) -> None:
    world = postgres_world
    client, csrf = iris_on_postgres
    cohort, session = world.cohort_iris, world.sofia_session
    found = client.get(f"/cohorts/{cohort}/search", params={"q": "re\x00nt"})
    assert found.status_code == 200, found.text
    filtered = client.get(f"/cohorts/{cohort}", params={"q": "So\x00fia"})
    assert filtered.status_code == 200 and "Sofia" in filtered.text
    line = a_line_of(world, session)
    noted = client.post(
        f"/sessions/{session}/annotations",
        data={"csrf": csrf, "line_id": str(line), "lesson_id": "power", "comment": "a\x00b"},
    )
    assert noted.status_code == 303, noted.text
    sent = client.post(f"/sessions/{session}/feedback", data={"csrf": csrf, "text": "Go\x00od"})
    assert sent.status_code == 303, sent.text
    with world.sessions.begin() as db:
        assert db.execute(select(Annotation.comment)).scalars().all() == ["ab"]
        assert db.execute(select(Feedback.text)).scalars().all() == ["Good"]
        [payload] = db.execute(select(OutboxMessage.payload)).scalars().all()[-1:]
        assert "\x00" not in payload["text"] and "Good" in payload["text"]


def test_a_line_id_beyond_the_integer_column_is_refused_not_a_500(
    postgres_world: World, iris_on_postgres: tuple[TestClient, str]
) -> None:
    client, csrf = iris_on_postgres
    for line_id in ("2147483648", "9223372036854775807"):
        response = client.post(
            f"/sessions/{postgres_world.sofia_session}/annotations",
            data={"csrf": csrf, "line_id": line_id, "lesson_id": "power", "comment": "x"},
        )
        assert response.status_code == 400, (line_id, response.status_code)
    for path in ("/sessions/2147483648", "/cohorts/2147483648?page=2147483648"):
        assert client.get(path).status_code == 404, path
