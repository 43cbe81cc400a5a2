"""What an instructor does on the site: read the overview, a student, search results and a
session; annotate, agree or disagree, send feedback; download the exports."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime

from sqlalchemy import select
from starlette.testclient import TestClient

from bot.courses import cohorts
from storage import repository as repo
from storage.schema import OutboxMessage
from tests.web import seed
from tests.web.conftest import World, a_line_of

Client = tuple[TestClient, str]


def test_the_cohort_overview_shows_students_by_lesson_coloured_by_level(
    world: World, iris_client: Client
) -> None:
    client, _csrf = iris_client
    page = client.get(f"/cohorts/{world.cohort_iris}").text
    assert "Negotiation 101" in page and "1 student" in page
    row = page[page.index(f"/students/{world.sofia.user_id}") :].split("</tr>")[0]
    levels = re.findall(r'class="level level-(\w+)">(\w+)<', row)
    assert len(levels) == 5 and all(cls == text for cls, text in levels)
    assert ("risk", "risk") in levels  # the lease persona leaves power at risk
    # Each cell opens the evidence for that lesson in the session its level comes from.
    assert f'href="/sessions/{world.sofia_session}#lesson-power"' in row
    assert "levels.csv" in page


def test_a_student_page_lists_her_shared_sessions(world: World, iris_client: Client) -> None:
    client, _csrf = iris_client
    page = client.get(f"/cohorts/{world.cohort_iris}/students/{world.sofia.user_id}").text
    assert "<h1>Sofia</h1>" in page
    assert f'href="/sessions/{world.sofia_session}"' in page and "completed" in page


def test_the_session_page_shows_each_fired_rule_beside_the_answer_that_fired_it(
    world: World, iris_client: Client
) -> None:
    client, _csrf = iris_client
    page = client.get(f"/sessions/{world.sofia_session}").text
    rows = page.split('<article class="row"')[1:]
    they_do = next(r for r in rows if '<p class="said">They do</p>' in r)
    assert "power.them-needs-it-more" in they_do and "Power is not size" in they_do
    unrelated = next(r for r in rows if "Soft, it could move" in r)
    assert 'class="fired' not in unrelated
    for section in ("Transcript", "Report", "Feedback to the student"):
        assert section in page
    assert page.count("<form") >= 5  # annotate forms, verdicts, feedback, sign-out


def test_an_annotation_appears_beside_its_line_and_the_lesson_it_is_tagged_with(
    world: World, iris_client: Client
) -> None:
    client, csrf = iris_client
    line = a_line_of(world, world.sofia_session)
    response = client.post(
        f"/sessions/{world.sofia_session}/annotations",
        data={"csrf": csrf, "line_id": str(line), "lesson_id": "time", "comment": "Ask why."},
    )
    assert response.status_code == 303
    assert (
        response.headers["location"]
        == f"/sessions/{world.sofia_session}?done=annotated#line-{line}"
    )
    page = client.get(response.headers["location"]).text
    assert "Annotation saved." in page
    row = page[page.index(f'id="line-{line}"') :].split("</article>")[0]
    assert "Ask why." in row and "Time cuts both ways" in row and "Iris" in row


def test_an_annotation_needs_a_comment_and_one_of_the_five_lessons(
    world: World, iris_client: Client
) -> None:
    client, csrf = iris_client
    path = f"/sessions/{world.sofia_session}/annotations"
    line = str(a_line_of(world, world.sofia_session))
    empty = client.post(path, data={"csrf": csrf, "line_id": line, "lesson_id": "power"})
    assert empty.status_code == 400 and "empty" in empty.text
    bad = {"csrf": csrf, "line_id": line, "lesson_id": "luck", "comment": "x"}
    assert client.post(path, data=bad).status_code == 400
    long = {"csrf": csrf, "line_id": line, "lesson_id": "power", "comment": "x" * 2001}
    assert "limit is 2,000" in client.post(path, data=long).text
    foreign_line = str(a_line_of(world, world.tom_session))
    other = {"csrf": csrf, "line_id": foreign_line, "lesson_id": "power", "comment": "x"}
    assert client.post(path, data=other).status_code == 404
    assert "Ask why" not in client.get(f"/sessions/{world.sofia_session}").text


def test_disagreeing_with_a_level_shows_up_as_the_rules_disagreement_rate(
    world: World, iris_client: Client
) -> None:
    client, csrf = iris_client
    base = f"/sessions/{world.sofia_session}"
    why = {"suggested_level": "watch", "reason": "Her alternative is real."}
    for lesson, agree in (("power", "no"), ("time", "yes")):
        done = client.post(
            f"{base}/verdicts",
            data={"csrf": csrf, "lesson_id": lesson, "agree": agree}
            | (why if agree == "no" else {}),
        )
        assert done.status_code == 303
    page = client.get(base).text
    assert "Iris: disagrees" in page and "Iris: agrees" in page
    power = page[page.index('id="lesson-power"') :].split("</details>")[0]
    assert 'value="no" class="chosen" aria-pressed="true"' in power
    cohort = client.get(f"/cohorts/{world.cohort_iris}").text
    table = cohort[cohort.index("Where instructors disagree") :]
    rule_row = table[table.index("power.them-needs-it-more") :].split("</tr>")[0]
    assert "100%" in rule_row
    assert "0%" in table[table.index("(no rule fired)") :].split("</tr>")[0]


def test_feedback_is_queued_to_the_students_telegram_chat_once(
    world: World, iris_client: Client
) -> None:
    client, csrf = iris_client
    path = f"/sessions/{world.sofia_session}/feedback"
    response = client.post(
        path, data={"csrf": csrf, "text": "Strong prep. <b>Test</b> your BATNA."}
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "Feedback queued" in page
    assert "Strong prep. &lt;b&gt;Test&lt;/b&gt; your BATNA." in page
    with world.sessions.begin() as db:
        queued = [
            row
            for row in db.execute(select(OutboxMessage)).all()
            if "Strong prep" in str(row.payload.get("text"))
        ]
    assert len(queued) == 1
    assert (queued[0].channel, queued[0].chat_id) == ("telegram", str(world.sofia.telegram_id))
    assert queued[0].delivered_at is None  # the running bot's sweep sends it


def test_the_exports_are_the_session_json_and_html_and_the_cohort_csv(
    world: World, iris_client: Client
) -> None:
    client, _csrf = iris_client
    as_json = client.get(f"/sessions/{world.sofia_session}/export.json")
    assert as_json.headers["content-type"].startswith("application/json")
    data = json.loads(as_json.text)
    assert {"session", "lessons", "transcript"} <= data.keys()
    assert sorted(lesson["id"] for lesson in data["lessons"]) == sorted(
        ["power", "time", "forum", "package", "mediator"]
    )
    as_html = client.get(f"/sessions/{world.sofia_session}/export.html")
    assert as_html.headers["content-type"].startswith("text/html")
    assert "Power is not size" in as_html.text
    as_csv = client.get(f"/cohorts/{world.cohort_iris}/levels.csv")
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(rows) == 1 and rows[0]["student"] == "Sofia"
    assert rows[0]["power"] == "risk" and rows[0]["session_id"] == str(world.sofia_session)


def add_students(world: World, count: int) -> None:
    now = datetime(2026, 11, 25, 10, 0)
    with world.sessions.begin() as db:
        for n in range(count):
            user = repo.get_or_create_user(
                db, f"telegram:{50_000 + n}", "telegram", f"Pupil {n:03}"
            )
            cohorts.join(db, user.id, world.cohort_iris, now)


def test_the_overview_pages_through_students_and_finds_them_by_name(
    world: World, iris_client: Client
) -> None:
    client, _csrf = iris_client
    add_students(world, 60)  # with Sofia: 61 students, 50 a page
    first = client.get(f"/cohorts/{world.cohort_iris}").text
    assert "61 students" in first and "Page 1 of 2" in first
    assert first.count("/students/") == 50
    assert f'href="/cohorts/{world.cohort_iris}?page=2"' in first
    second = client.get(f"/cohorts/{world.cohort_iris}?page=2").text
    assert second.count("/students/") == 11 and "Previous" in second
    found = client.get(f"/cohorts/{world.cohort_iris}", params={"q": "Pupil 04"}).text
    assert found.count("/students/") == 10 and 'value="Pupil 04"' in found


def test_transcript_search_pages_through_matches_and_marks_them(
    world: World, iris_client: Client
) -> None:
    client, _csrf = iris_client
    page = client.get(f"/cohorts/{world.cohort_iris}/search", params={"q": "OKAFOR"}).text
    hits = re.findall(r'<li class="hit">', page)
    assert hits and "<mark>Okafor</mark>" in page
    assert f'href="/sessions/{world.sofia_session}#line-' in page
    # Matching lines are part of a transcript: Sofia sees the search as a view in /privacy.
    seen = world.courses.access_log_for(world.sofia.user_id)
    assert [(e.session_id, e.via) for e in seen] == [(world.sofia_session, "search")]
    nothing = client.get(f"/cohorts/{world.cohort_iris}/search", params={"q": "zebra"}).text
    assert "0 lines found" in nothing
    # Four more shared sessions of Sofia's give more than a page of the whole word "a".
    more = [
        seed.coach(world.coach, world.sofia, persona, first=False)
        for persona in ("supplier_waiting_game", *["lease_single_issue"] * 3)
    ]
    seed.join_and_share(world.sessions, world.sofia.user_id, world.cohort_iris, more)
    many = client.get(f"/cohorts/{world.cohort_iris}/search", params={"q": "a"}).text
    total = int(re.search(r"(\d+) lines found", many).group(1))  # type: ignore[union-attr]
    assert total > 20 and "Page 1 of" in many and many.count('<li class="hit">') == 20
    # Only what students wrote is searched: the bot's questions are the same for everyone.
    # (A hit names the question it answered in short; the bot's line itself is no hit.)
    assert " · bot · " not in many and " · student · " in many
    # Tom's session is in another cohort: his words are not found here.
    assert "salary" not in many.lower() or "Tom" not in many


DEBRIEF = [
    "/debrief",
    "2",
    "Worse: I should have walked",
    "/skip",
    *("4", "5", "3", "2"),
    "No, it didn't",
    "1",
    "Partly",
    "Something else",
    "A bigger landlord wouldn't bother",
    "{{ 7*7 }} <script>alert(5)</script>",
]


def test_the_students_debrief_is_shown_beside_the_preparation(
    world: World, iris_client: Client
) -> None:
    client, _csrf = iris_client
    before = client.get(f"/sessions/{world.sofia_session}").text
    assert 'id="debrief"' not in before
    for text in DEBRIEF:
        seed.say(world.coach, world.sofia.telegram_id, world.sofia.name, text)
    page = client.get(f"/sessions/{world.sofia_session}").text
    section = page[page.index('<h2 id="debrief">') : page.index('<h2 id="feedback">')]
    assert "what is one thing you&#39;ll do differently next time?" in section
    assert "{{ 7*7 }} &lt;script&gt;alert(5)&lt;/script&gt;" in section
    assert "Worse: I should have walked" in section


def test_the_session_page_shows_the_lesson_chart_of_its_levels(
    world: World, iris_client: Client
) -> None:
    client, _csrf = iris_client
    page = client.get(f"/sessions/{world.sofia_session}").text
    found = re.search(r'<img class="chart" src="(/chart\.png\?[^"]+)"', page)
    assert found is not None
    source = found.group(1).replace("&amp;", "&")
    assert "power=risk" in source
    image = client.get(source)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    assert client.get("/chart.png?power=evil").status_code == 404
    assert client.get("/chart.png?luck=risk").status_code == 404
    assert world.client().get(source).status_code == 303  # signed in only
