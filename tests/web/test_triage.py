"""Issue 14: an instructor triages a cohort. The two data bugs first (a debrief hid its student's
levels; an unfinished session's report said CLEAR for lessons never asked), then the heatmap's
sorting and filters, the review queue and a verdict's place in it."""

from __future__ import annotations

import csv
import io
import re

from starlette.testclient import TestClient

from storage import debriefs
from tests.web import seed
from tests.web.conftest import World
from tests.web.test_review import DEBRIEF

Client = tuple[TestClient, str]
LESSONS = ("power", "time", "forum", "package", "mediator")


def sofia_row(page: str, world: World) -> str:
    return page[page.index(f"/students/{world.sofia.user_id}") :].split("</tr>")[0]


def cell_levels(row: str) -> list[str]:
    return re.findall(r'class="level level-[\w-]+">([^<]+)<', row)


def test_a_student_who_debriefs_keeps_her_levels_one_session_and_one_csv_row(
    world: World, iris_client: Client
) -> None:
    client, _csrf = iris_client
    before = sofia_row(client.get(f"/cohorts/{world.cohort_iris}").text, world)
    for text in DEBRIEF:
        seed.say(world.coach, world.sofia.telegram_id, world.sofia.name, text)
    with world.sessions.begin() as db:
        debrief_id = debriefs.debrief_of(db, world.sofia_session)
    assert debrief_id is not None

    row = sofia_row(client.get(f"/cohorts/{world.cohort_iris}").text, world)
    assert cell_levels(row) == cell_levels(before) and "risk" in cell_levels(row)
    assert '<td class="num">1</td>' in row  # one preparation; the debrief is not a session
    assert f"/sessions/{world.sofia_session}#lesson-power" in row

    rows = list(
        csv.reader(io.StringIO(client.get(f"/cohorts/{world.cohort_iris}/levels.csv").text))
    )
    assert [r[1] for r in rows[1:]] == [str(world.sofia_session)]

    student = client.get(f"/cohorts/{world.cohort_iris}/students/{world.sofia.user_id}").text
    assert student.count('class="card"') == 1  # the debrief sits on its preparation's card
    assert f'href="/sessions/{debrief_id}"' in student

    own_page = client.get(f"/sessions/{debrief_id}").text
    assert f'href="/sessions/{world.sofia_session}"' in own_page  # back to its preparation
    assert "<h2>Report</h2>" not in own_page  # no empty report heading


def test_an_unfinished_session_shows_unasked_lessons_as_not_reached_without_verdicts(
    world: World, iris_client: Client
) -> None:
    client, _csrf = iris_client
    seed.say(world.coach, world.sofia.telegram_id, world.sofia.name, "/new")
    for answer in seed.persona_answers("lease_single_issue", world.clock().date())[:3]:
        seed.say(world.coach, world.sofia.telegram_id, world.sofia.name, answer)
    found = world.courses.student_sessions(
        world.courses.viewer(world.iris),  # type: ignore[arg-type]
        world.cohort_iris,
        world.sofia.user_id,
    )
    assert found is not None
    unfinished = next(s for s in found if s.status != "completed")

    page = client.get(f"/sessions/{unfinished.id}").text
    report = page[page.index("<h2>Report</h2>") : page.index('<h2 id="feedback">')]
    shown = re.findall(r'class="level level-[\w-]+">([^<]+)<', report)
    assert len(shown) == 5 and "clear" not in shown
    assert shown.count("not reached") >= 3
    for lesson in LESSONS:
        block = report[report.index(f'id="lesson-{lesson}"') :].split('class="lesson"')[0]
        if "not reached" in block:
            assert "Agree" not in block  # nothing was judged, so nothing to agree with

    # On the overview she still shows the levels of her completed session.
    row = sofia_row(client.get(f"/cohorts/{world.cohort_iris}").text, world)
    assert "risk" in cell_levels(row)


def test_no_session_yet_and_not_finished_are_said_apart_from_a_level(
    world: World, iris_client: Client
) -> None:
    client, _csrf = iris_client
    newcomer = seed.Student(1003, "Nadia")
    seed.say(world.coach, newcomer.telegram_id, newcomer.name, "/start")
    with world.sessions.begin() as db:
        from storage import repository as repo

        user = repo.user_by_external_id(db, "telegram:1003")
        assert user is not None
        newcomer.user_id = user.id
    seed.join_and_share(world.sessions, newcomer.user_id, world.cohort_iris, [])
    page = client.get(f"/cohorts/{world.cohort_iris}").text
    row = page[page.index(f"/students/{newcomer.user_id}") :].split("</tr>")[0]
    assert "No session yet" in row and "–" not in row
    assert "2 students" in page
    only_new = client.get(f"/cohorts/{world.cohort_iris}", params={"show": "none"}).text
    assert "Nadia" in only_new and f"/students/{world.sofia.user_id}" not in only_new


def test_the_heatmap_sorts_by_risk_and_filters_by_a_lessons_level(
    world: World, iris_client: Client
) -> None:
    client, _csrf = iris_client
    calm = seed.Student(1004, "Aaron")
    calm_session = seed.coach(world.coach, calm, "salary_well_prepared")
    seed.join_and_share(world.sessions, calm.user_id, world.cohort_iris, [calm_session])

    def names(**params: str) -> list[str]:
        page = client.get(f"/cohorts/{world.cohort_iris}", params=params).text
        return re.findall(r'/students/\d+">([^<]+)</a>', page)

    assert names() == ["Aaron", "Sofia"]
    assert names(sort="risk") == ["Sofia", "Aaron"]  # most at risk first
    assert names(sort="power") == ["Sofia", "Aaron"]  # risk before clear
    assert names(lesson="power", level="risk") == ["Sofia"]
    assert names(lesson="power", level="clear") == ["Aaron"]
    assert names(sort="evil", level="nonsense") == ["Aaron", "Sofia"]  # unknown: ignored
    page = client.get(f"/cohorts/{world.cohort_iris}", params={"sort": "power"}).text
    assert 'aria-sort="ascending"' in page


def test_the_review_queue_marks_sessions_reviewed_and_feedback_sent_per_instructor(
    world: World, iris_client: Client
) -> None:
    client, csrf = iris_client
    home = client.get("/").text
    assert "1 new session to review" in home
    page = client.get(f"/sessions/{world.sofia_session}").text
    assert "New to you" in page and "Mark reviewed" in page
    assert f'href="/cohorts/{world.cohort_iris}"' in page  # the breadcrumb goes to the cohort
    assert "review" in client.get(f"/cohorts/{world.cohort_iris}", params={"show": "review"}).text

    done = client.post(f"/sessions/{world.sofia_session}/reviewed", data={"csrf": csrf})
    assert done.status_code == 303
    page = client.get(done.headers["location"]).text
    assert "Marked reviewed." in page and "Mark reviewed</button>" not in page
    assert "Nothing new to review" in client.get("/").text
    needs = client.get(f"/cohorts/{world.cohort_iris}", params={"show": "review"}).text
    assert f"/students/{world.sofia.user_id}" not in needs

    sent = client.post(
        f"/sessions/{world.sofia_session}/feedback", data={"csrf": csrf, "text": "Well done."}
    )
    assert sent.status_code == 303
    assert "Feedback sent" in client.get(f"/sessions/{world.sofia_session}").text


def test_another_instructor_cannot_mark_a_session_of_a_cohort_they_do_not_teach(
    world: World,
) -> None:
    from tests.web.conftest import sign_in

    client = world.client()
    csrf = sign_in(world, client, world.victor)
    refused = client.post(f"/sessions/{world.sofia_session}/reviewed", data={"csrf": csrf})
    assert refused.status_code == 404


def test_disagreeing_needs_a_suggested_level_and_a_reason_which_the_student_reads(
    world: World, iris_client: Client
) -> None:
    client, csrf = iris_client
    path = f"/sessions/{world.sofia_session}/verdicts"
    bare = client.post(path, data={"csrf": csrf, "lesson_id": "power", "agree": "no"})
    assert bare.status_code == 400 and "say why" in bare.text
    no_level = {"csrf": csrf, "lesson_id": "power", "agree": "no", "reason": "Because."}
    assert client.post(path, data=no_level).status_code == 400
    reason = "Her sister's room is a real alternative."
    done = client.post(path, data=no_level | {"suggested_level": "watch", "reason": reason})
    assert done.status_code == 303

    student = world.client()
    from tests.web.conftest import sign_in

    sign_in(world, student, world.sofia.user_id)
    own = student.get(f"/sessions/{world.sofia_session}").text
    power = own[own.index('id="lesson-power"') :].split('class="lesson"')[0]
    assert "Iris suggests" in power and "watch" in power
    assert reason.replace("'", "&#39;") in power
