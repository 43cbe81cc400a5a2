"""Instructors agree or disagree with the feedback a rehearsal reply got (issue 15), as with
lesson levels: the student reads the verdict with the instructor's name on her own page; a form
without its CSRF token, another cohort's instructor and a forged reply id change nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from storage.schema import RehearsalVerdict
from tests.web import seed
from tests.web.conftest import World, sign_in

REPLIES = ("No. My rent stays where it is, take it or leave it.", "What would make you stay?")


def _rehearse(world: World) -> None:
    for text in ("/rehearse", *REPLIES, "stop"):
        seed.say(world.coach, world.sofia.telegram_id, world.sofia.name, text)


def _reply_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'/replies/(\d+)/verdicts"', page)][::2]


def _verdicts(world: World) -> int:
    with world.sessions.begin() as db:
        return int(db.execute(select(func.count()).select_from(RehearsalVerdict)).scalar_one())


def _iris(world: World) -> tuple[TestClient, str]:
    client = world.client()
    return client, sign_in(world, client, world.iris)


def _check_verdicts_reach_the_student(world: World) -> None:
    _rehearse(world)
    client = world.client()
    csrf = sign_in(world, client, world.iris)
    page = client.get(f"/sessions/{world.sofia_session}").text
    first, second = _reply_ids(page)[:2]
    base = f"/sessions/{world.sofia_session}/replies"

    agreed = client.post(f"{base}/{first}/verdicts", data={"csrf": csrf, "agree": "yes"})
    assert agreed.status_code == 303
    assert agreed.headers["location"].endswith(f"#reply-{first}")
    why = "Asking what would make them stay was a real interest question, not a concession."
    data = {"csrf": csrf, "agree": "no", "reason": why}
    assert client.post(f"{base}/{second}/verdicts", data=data).status_code == 303
    mine = client.get(f"/sessions/{world.sofia_session}").text
    assert mine.count('aria-pressed="true"') == 2

    sofia = world.client()
    sign_in(world, sofia, world.sofia.user_id)
    own = sofia.get(f"/sessions/{world.sofia_session}").text
    assert "Iris: agrees with this feedback" in own
    assert "Iris: disagrees with this feedback" in own and why in own
    assert f"{base}/{first}/verdicts" not in own  # the student reads, never judges
    seen = world.courses.access_log_for(world.sofia.user_id)
    assert {(e.viewer_name, e.via) for e in seen} == {("Iris", "web")}  # posting is not a view

    again = client.post(f"{base}/{second}/verdicts", data={"csrf": csrf, "agree": "yes"})
    assert again.status_code == 303 and _verdicts(world) == 2  # replaced, not added
    assert why not in sofia.get(f"/sessions/{world.sofia_session}").text


def test_an_instructor_agrees_or_disagrees_with_a_rehearsal_feedback_and_the_student_reads_it(
    world: World,
) -> None:
    _check_verdicts_reach_the_student(world)


def test_rehearsal_verdicts_on_postgresql(postgres_world: World) -> None:
    _check_verdicts_reach_the_student(postgres_world)


def test_each_reply_has_its_own_accessible_names(world: World) -> None:
    _rehearse(world)
    client, _csrf = _iris(world)
    page = client.get(f"/sessions/{world.sofia_session}").text
    for button in ("Agree", "Disagree"):
        names = re.findall(button + r'<span class="vh">( with the feedback on [^<]+)</span>', page)
        assert len(names) == 2 and len(set(names)) == 2, names


def test_disagreeing_needs_a_short_reason_and_bad_input_changes_nothing(world: World) -> None:
    _rehearse(world)
    client, csrf = _iris(world)
    page = client.get(f"/sessions/{world.sofia_session}").text
    path = f"/sessions/{world.sofia_session}/replies/{_reply_ids(page)[0]}/verdicts"
    post = client.post
    no_reason = post(path, data={"csrf": csrf, "agree": "no", "reason": "  "})
    assert no_reason.status_code == 400 and "say why" in no_reason.text
    long = post(path, data={"csrf": csrf, "agree": "no", "reason": "x" * 301})
    assert long.status_code == 400 and "300" in long.text
    assert post(path, data={"csrf": csrf, "agree": "maybe"}).status_code == 400
    assert _verdicts(world) == 0


@pytest.mark.parametrize("who", ["another instructor", "forged reply", "another session"])
def test_a_verdict_outside_ones_cohort_or_on_a_forged_reply_is_404(world: World, who: str) -> None:
    _rehearse(world)
    client, csrf = _iris(world)
    page = client.get(f"/sessions/{world.sofia_session}").text
    reply = _reply_ids(page)[0]
    path = f"/sessions/{world.sofia_session}/replies/{reply}/verdicts"
    if who == "another instructor":
        client = world.client()
        csrf = sign_in(world, client, world.victor)
    elif who == "forged reply":
        path = f"/sessions/{world.sofia_session}/replies/{reply + 1000}/verdicts"
    else:
        path = f"/sessions/{world.tom_session}/replies/{reply}/verdicts"
    found = client.post(path, data={"csrf": csrf, "agree": "yes"})
    assert found.status_code == 404
    assert _verdicts(world) == 0


def test_a_verdict_without_its_csrf_token_is_refused(world: World) -> None:
    _rehearse(world)
    client, csrf = _iris(world)
    page = client.get(f"/sessions/{world.sofia_session}").text
    path = f"/sessions/{world.sofia_session}/replies/{_reply_ids(page)[0]}/verdicts"
    for token in (None, csrf[:-1] + "x"):
        data = {"agree": "yes"} if token is None else {"csrf": token, "agree": "yes"}
        refused = client.post(path, data=data)
        assert refused.status_code == 403 and "This form has expired" in refused.text
    assert _verdicts(world) == 0
