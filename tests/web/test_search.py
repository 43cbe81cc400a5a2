"""Issue 14 item 7: transcript search finds whole words, says which question each hit answered,
filters by a lesson's level, and says before searching that what it shows is logged."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from bot.courses.pages import question_in_short
from bot.engine.content import Content
from tests.web import seed
from tests.web.conftest import World, sign_in

Client = tuple[TestClient, str]


@pytest.fixture(params=["world", "postgres_world"], ids=["sqlite", "postgresql"])
def on_both(request: pytest.FixtureRequest) -> tuple[World, Client]:
    """The world on SQLite and on PostgreSQL (the LIKE pre-filter differs: LIKE and ILIKE),
    with Iris signed in."""
    world: World = request.getfixturevalue(request.param)
    client = world.client()
    return world, (client, sign_in(world, client, world.iris))


def said(page: str) -> list[str]:
    """The matching lines as shown, marks and all."""
    return re.findall(r'<p class="said">(.*?)</p>', page)


def search(client: TestClient, world: World, **params: str) -> str:
    return client.get(f"/cohorts/{world.cohort_iris}/search", params=params).text


def test_a_word_is_found_whole_not_inside_a_longer_word(on_both: tuple[World, Client]) -> None:
    world, (client, _csrf) = on_both
    # A second lease whose issues hold "current" (which contains "rent") and nothing else of it.
    second = seed.coach(
        world.coach,
        world.sofia,
        "lease_single_issue",
        {"package_issues": "the current deposit", "topic": "Moving out of my flat"},
        first=False,
    )
    seed.join_and_share(world.sessions, world.sofia.user_id, world.cohort_iris, [second])

    rent = said(search(client, world, q="RENT"))
    assert rent and all("<mark>" in line for line in rent)
    assert not any("current" in line for line in rent)
    assert any("<mark>rent</mark>" in line for line in rent)
    current = said(search(client, world, q="current"))
    assert current == ["the <mark>current</mark> deposit"]
    assert "0 lines found" in search(client, world, q="curr")
    # A phrase is found as a whole too, spaces typed around and between its words ignored.
    assert said(search(client, world, q="  current   deposit ")) == [
        "the <mark>current deposit</mark>"
    ]


def test_each_hit_says_in_short_which_question_it_answered(
    world: World, iris_client: Client, content: Content
) -> None:
    client, _csrf = iris_client
    page = search(client, world, q="sister")
    asked = question_in_short(content, "power_walkaway_what")
    assert asked and len(asked) <= 80 and "{{" not in asked
    hit = page[page.index('<li class="hit">') :].split("</li>")[0]
    assert f'<span class="question">{asked}</span>' in hit
    assert "<mark>sister</mark>" in hit
    # A choice question is named by its `short`, not its whole prompt.
    stakes = search(client, world, q="four")
    assert question_in_short(content, "opening_lines") in stakes
    assert question_in_short(content, "stakes") == "what is at stake"


def test_the_search_filters_by_a_lessons_level(on_both: tuple[World, Client]) -> None:
    world, (client, _csrf) = on_both
    calm = seed.Student(1004, "Aaron")
    calm_session = seed.coach(world.coach, calm, "salary_well_prepared")
    seed.join_and_share(world.sessions, calm.user_id, world.cohort_iris, [calm_session])

    def students(**params: str) -> set[str]:
        page = search(client, world, q="I", **params)
        return set(re.findall(r"</a> · ([^·]+) · student", page))

    assert students() == {"Sofia", "Aaron"}
    assert students(lesson="power", level="risk") == {"Sofia"}
    assert students(lesson="power", level="clear") == {"Aaron"}
    assert students(level="risk") == {"Sofia"}  # any lesson at risk
    assert students(lesson="evil", level="nonsense") == {"Sofia", "Aaron"}  # unknown: ignored
    page = search(client, world, q="I", lesson="power", level="risk")
    assert '<option value="power" selected>' in page and '<option value="risk" selected>' in page


def test_the_access_log_note_is_shown_before_searching(world: World, iris_client: Client) -> None:
    client, _csrf = iris_client
    blank = search(client, world)
    assert "recorded in its student's access log" in blank
    assert not world.courses.access_log_for(world.sofia.user_id)  # nothing shown, nothing logged
    overview = client.get(f"/cohorts/{world.cohort_iris}").text
    assert "recorded in its student's access log" in overview
