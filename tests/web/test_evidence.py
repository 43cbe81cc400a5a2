"""Issue 14, items 3 and 4: readable evidence on the session page (each answer under the question
it answered, in short, with the option it was read as; a GAP lesson's unanswered questions; the
compact modes; the report once) and notes their author can edit, delete and keep as drafts until
feedback is sent. Every view of the page, whatever its mode, stays in the student's access log."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from tests.web import seed
from tests.web.conftest import World, sign_in
from tests.web.test_student_site import student

Client = tuple[TestClient, str]
ANSWER = re.compile(r'<p class="answered">(.*?)</p>\s*<p class="said">(.*?)</p>', re.DOTALL)


def transcript_of(page: str) -> str:
    return page[page.index('id="transcript"') : page.index('<section class="report"')]


def test_every_answer_shows_the_question_in_short_and_the_option_never_a_bare_digit(
    world: World, iris_client: Client
) -> None:
    client, _csrf = iris_client
    transcript = transcript_of(client.get(f"/sessions/{world.sofia_session}").text)
    answers = ANSWER.findall(transcript)
    assert len(answers) >= 30
    # Sofia typed "1" for how many sides and "2" on her walk-away's scale.
    assert ("how many sides are negotiating: <strong>Two: me and them</strong>", "1") in answers
    assert ("your best alternative: <strong>2 of 5</strong>", "2") in answers
    for context, said in answers:
        if said.strip().isdigit():  # a digit is always read back as what it chose
            assert "<strong>" in context, (context, said)
    # Every student bubble that answered a question says which one.
    assert transcript.count('class="bubble user"') == len(answers)


def test_the_report_is_shown_once_not_repeated_as_transcript_bubbles(
    world: World, iris_client: Client
) -> None:
    client, _csrf = iris_client
    page = client.get(f"/sessions/{world.sofia_session}").text
    transcript = transcript_of(page)
    assert transcript.count('class="report-here"') == 1
    assert '<a href="#report">Report</a>' in transcript
    assert "Let us never negotiate out of fear" not in transcript  # the report's last line
    report = page[page.index("<h2>Report</h2>") :]
    # The report quotes answers as the coach did: the question in short and what was said.
    assert "Asked who needs an agreement more, you said “They do”" in report
    # /report again in Telegram sends it again: still one pointer, no new bubble.
    seed.say(world.coach, world.sofia.telegram_id, world.sofia.name, "/report")
    again = transcript_of(client.get(f"/sessions/{world.sofia_session}").text)
    assert again.count('class="report-here"') == 1
    assert again.count('class="bubble') == transcript.count('class="bubble') + 1  # "/report"


def test_a_gap_lesson_lists_the_questions_left_unanswered(
    world: World, iris_client: Client
) -> None:
    client, _csrf = iris_client
    noor = seed.Student(1009, "Noor")
    session = seed.coach(world.coach, noor, "first_timer_dont_know")
    seed.join_and_share(world.sessions, noor.user_id, world.cohort_iris, [session])
    page = client.get(f"/sessions/{session}").text
    power = page[page.index('id="lesson-power"') :]
    power = power[: power.index('class="lesson"')] if 'class="lesson"' in power else power
    assert "level-gap" in power
    gaps = re.search(r'<div class="gaps"><p>Not answered[^<]*</p><ul>(.*?)</ul>', power)
    assert gaps is not None, power
    asked = re.findall(r"<li>(.*?)</li>", gaps.group(1))
    assert asked and all(q and not q.isdigit() for q in asked)
    assert "your best alternative" in asked  # the walk-away scale, answered "I don't know"


def test_the_compact_modes_show_answers_only_or_flagged_answers_only_and_each_view_is_logged(
    world: World, iris_client: Client
) -> None:
    client, _csrf = iris_client
    base = f"/sessions/{world.sofia_session}"
    full = transcript_of(client.get(base).text)
    answers = transcript_of(client.get(f"{base}?view=answers").text)
    flagged = transcript_of(client.get(f"{base}?view=flagged").text)
    assert 'aria-current="page">Answers only' in answers
    assert 'class="bubble bot"' in full and 'class="bubble bot"' not in answers
    assert 'class="report-here"' not in answers
    answer_rows = answers.count('class="bubble user"')
    flagged_rows = flagged.count('class="bubble user"')
    assert answer_rows == full.count('class="bubble user"')
    assert 0 < flagged_rows < answer_rows
    for row in flagged.split('<article class="row')[1:]:
        assert 'class="fired' in row or 'class="note' in row
    assert (
        "Asked who needs an agreement more" in flagged or "who needs an agreement more" in flagged
    )
    # An unknown mode shows everything.
    assert transcript_of(client.get(f"{base}?view=nope").text).count("bubble bot") == full.count(
        "bubble bot"
    )
    log = world.courses.access_log_for(world.sofia.user_id)
    assert sum(1 for entry in log if entry.session_id == world.sofia_session) == 4


def note_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'class="note[^"]*" id="note-(\d+)"', page)]


def test_a_draft_note_stays_off_the_students_page_until_its_author_sends_feedback(
    world: World, iris_client: Client
) -> None:
    client, csrf = iris_client
    base = f"/sessions/{world.sofia_session}"
    line = int(re.findall(r'data-line="(\d+)"', client.get(base).text)[3])
    fields = {"csrf": csrf, "line_id": str(line), "lesson_id": "power"}
    drafted = client.post(
        f"{base}/annotations", data=fields | {"comment": "Probe her walk-away.", "publish": "draft"}
    )
    assert drafted.status_code == 303 and "done=drafted" in drafted.headers["location"]
    published = client.post(f"{base}/annotations", data=fields | {"comment": "Good opening."})
    assert published.status_code == 303

    mine = client.get(base).text
    assert "Probe her walk-away." in mine and "Draft: the student does not see it yet" in mine
    sofia = student(world, world.sofia.user_id)
    own = sofia.get(base).text
    assert "Good opening." in own and "Probe her walk-away." not in own
    assert "Edit or delete" not in own  # the student edits nothing

    sent = client.post(f"{base}/feedback", data={"csrf": csrf, "text": "Well prepared."})
    assert sent.status_code == 303
    own = sofia.get(base).text
    assert "Probe her walk-away." in own and "Draft:" not in own


def test_a_note_can_be_edited_back_to_draft_and_deleted_by_its_author_only(
    world: World, iris_client: Client
) -> None:
    client, csrf = iris_client
    base = f"/sessions/{world.sofia_session}"
    line = re.findall(r'data-line="(\d+)"', client.get(base).text)[2]
    fields = {"csrf": csrf, "line_id": line, "lesson_id": "time", "comment": "Ask why."}
    assert client.post(f"{base}/annotations", data=fields).status_code == 303
    (note,) = note_ids(client.get(base).text)

    edit = {"csrf": csrf, "lesson_id": "power", "comment": "Ask about her alternative."}
    changed = client.post(f"{base}/notes/{note}", data=edit | {"publish": "draft"})
    assert changed.status_code == 303
    page = client.get(changed.headers["location"]).text
    assert "Note changed." in page and "Ask about her alternative." in page
    assert "Ask why." not in page and "Draft: the student does not see it yet" in page
    assert "Ask about her alternative." not in student(world, world.sofia.user_id).get(base).text

    # An empty comment is answered with a reason and changes nothing.
    empty = client.post(f"{base}/notes/{note}", data=edit | {"comment": "  "})
    assert empty.status_code == 400
    assert "Ask about her alternative." in client.get(base).text

    # Victor, made an instructor of the same cohort, may read the note but not change it.
    world.courses.add_cohort_instructor(world.cohort_iris, 7002)
    victor = world.client()
    victor_csrf = sign_in(world, victor, world.victor)
    assert "Ask about her alternative." in victor.get(base).text
    assert "Edit or delete" not in victor.get(base).text
    theirs = {"csrf": victor_csrf, "lesson_id": "power", "comment": "Mine now."}
    assert victor.post(f"{base}/notes/{note}", data=theirs).status_code == 404
    assert victor.post(f"{base}/notes/{note}/delete", data={"csrf": victor_csrf}).status_code == 404
    assert note_ids(client.get(base).text) == [note]

    gone = client.post(f"{base}/notes/{note}/delete", data={"csrf": csrf})
    assert gone.status_code == 303
    page = client.get(gone.headers["location"]).text
    assert "Note deleted." in page and note_ids(page) == []


def test_without_script_each_answer_has_an_annotate_link_that_opens_the_form_under_it(
    world: World, iris_client: Client
) -> None:
    client, _csrf = iris_client
    base = f"/sessions/{world.sofia_session}"
    page = client.get(base)
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.text.count('id="annotate-form"') == 1  # the one form the script moves
    line = re.findall(r'data-line="(\d+)"', page.text)[4]
    assert f'href="{base}?annotate={line}#line-{line}"' in page.text
    opened = client.get(f"{base}?annotate={line}").text
    row = opened[opened.index(f'id="line-{line}"') :].split("</article>")[0]
    assert 'id="annotate-form"' in row and f'name="line_id" value="{line}"' in row
    assert opened.count('id="annotate-form"') == 1
    # The student's own page has no script and no form.
    own = student(world, world.sofia.user_id).get(base)
    assert "script-src" not in own.headers["content-security-policy"]
    assert "<script" not in own.text and "annotate-form" not in own.text
