"""Downloads from the review site: the cohort CSV is recorded in each student's access log like
every other read of their words, and none of its cells runs as a spreadsheet formula."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select
from starlette.testclient import TestClient

from storage.schema import OutboxMessage
from tests.web import seed
from tests.web.conftest import World, sign_in


def test_downloading_the_cohort_csv_is_in_each_students_access_log(
    world: World, iris_client: tuple[TestClient, str]
) -> None:
    client, _csrf = iris_client
    assert client.get(f"/cohorts/{world.cohort_iris}/levels.csv").status_code == 200
    [entry] = world.courses.access_log_for(world.sofia.user_id)
    assert (entry.viewer_name, entry.session_id, entry.via) == ("Iris", world.sofia_session, "csv")
    assert world.courses.access_log_for(world.tom.user_id) == []  # not in Iris's cohort
    sofia = world.client()
    sign_in(world, sofia, world.sofia.user_id)
    mine = sofia.get("/my").text
    assert "spreadsheet download" in mine
    seed.say(world.coach, world.sofia.telegram_id, "Sofia", "/privacy")
    with world.sessions.begin() as db:
        texts = [p["text"] for p in db.execute(select(OutboxMessage.payload)).scalars()]
    assert any("Iris" in t and "spreadsheet download" in t for t in texts)


def test_a_title_starting_with_a_full_width_formula_sign_is_neutralised_in_the_csv(
    world: World, iris_client: tuple[TestClient, str]
) -> None:
    client, _csrf = iris_client
    mallory = seed.Student(1003, '＝HYPERLINK("http://x")')
    overrides = {"topic": '＝HYPERLINK("http://evil.example","rent") my lease'}
    session_id = seed.coach(world.coach, mallory, "lease_single_issue", overrides)
    seed.join_and_share(world.sessions, mallory.user_id, world.cohort_iris, [session_id])
    rows = list(
        csv.reader(io.StringIO(client.get(f"/cohorts/{world.cohort_iris}/levels.csv").text))
    )
    by_id = {row[1]: row for row in rows[1:]}
    name, _sid, title = by_id[str(session_id)][:3]
    assert title.startswith("'＝HYPERLINK"), title
    assert name.startswith("'＝HYPERLINK"), name
    for row in rows[1:]:
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@", "＝", "＋", "－", "＠"), row
