"""The console coach as a user meets it: a real process, a real SQLite file, real pipes."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests import persona as persona_file
from tests.e2e.console_process import ConsoleProcess, export_json, run_bot

PERSONAS = persona_file.paths()
LESSONS = {"power", "time", "forum", "package", "mediator"}


def load(path: Path) -> dict[str, Any]:
    return persona_file.load(path, date.today())  # the console runs on the real clock


def strip_comment(answer: str) -> str:
    return answer


@pytest.mark.parametrize("persona", PERSONAS, ids=[p.stem for p in PERSONAS])
def test_persona_coached_through_a_pipe_gets_the_expected_report(
    persona: Path, tmp_path: Path
) -> None:
    data = load(persona)
    database = tmp_path / "parley.db"
    done = run_bot(database, "chat", "--user", "maya", stdin="\n".join(data["answers"]) + "\n")
    assert done.returncode == 0, done.stderr
    assert "Your report" in done.stdout
    assert "Let us never negotiate out of fear" in done.stdout
    assert "Saved. Continue any time: python -m bot chat --user maya --resume 1" in done.stdout

    export = export_json(database, 1)
    assert export["session"]["status"] == "completed"
    assert export["session"]["state"] == "done"
    levels = {lesson["id"]: lesson["level"] for lesson in export["lessons"]}
    assert set(levels) == LESSONS
    assert levels == data["expect"]
    fired = {rule["id"] for lesson in export["lessons"] for rule in lesson["rules"]}
    assert set(data.get("expect_rules", [])) <= fired
    typed = {a.strip() for a in data["answers"]}
    said = {a.casefold() for a in typed | _labels(export)}
    for lesson in export["lessons"]:
        assert lesson["action"]
        for rule in lesson["rules"]:
            assert rule["advice"]
            # The evidence quotes the user: their exact text, or the label of the option they
            # chose (typed in their own case: "no plan yet" is shown as "No plan yet").
            assert rule["answer"] in typed or rule["answer"].casefold() in said, rule


def _labels(export: dict[str, Any]) -> set[str]:
    return {line["text"] for line in export["transcript"] if line["from"] == "user"}


def test_sigkill_mid_session_then_resume_continues_at_the_same_question(tmp_path: Path) -> None:
    database = tmp_path / "parley.db"
    console = ConsoleProcess(database, "--user", "ana")
    console.wait_for("[Question 1 of")
    answers = [
        "1",
        "A new lease for our bakery",
        "Lease or property",
        "1",
        "Mr Okafor, the landlord",
    ]
    for answer in answers:
        console.send(answer)
        console.wait_for("[Question")
    before = console.output[-1]
    question_lines = console.wait_for("?")
    console.kill()

    resumed = ConsoleProcess(database, "--user", "ana", "--resume")
    greeting = resumed.wait_for("[Question")
    assert any("Welcome back" in line and "A new lease for our bakery" in line for line in greeting)
    assert resumed.output[-1] == before
    assert resumed.wait_for("?")[-1] == question_lines[-1]
    assert resumed.close() == 0

    export = export_json(database, 1)
    said = [
        line["text"]
        for line in export["transcript"]
        if line["from"] == "user" and not line["text"].startswith("/")
    ]
    assert said[-4:] == answers[1:]
    assert said.count("Mr Okafor, the landlord") == 1
    assert export["session"]["state"] == "third_party"


def test_end_of_input_saves_and_exits_zero(tmp_path: Path) -> None:
    database = tmp_path / "parley.db"
    done = run_bot(database, "chat", "--user", "ana", stdin="1\nA raise\n")
    assert done.returncode == 0
    again = run_bot(database, "chat", "--user", "ana", "--resume", "1", stdin="")
    assert "Welcome back" in again.stdout
    assert "A raise" in again.stdout
    assert "[Question 4 of" in again.stdout


def test_bad_input_through_the_pipe_is_answered_and_loses_nothing(tmp_path: Path) -> None:
    database = tmp_path / "parley.db"
    lines = [
        "",
        "42",
        "1",
        "x" * 5000,
        "\x00\x1b[31mA raise 💼 עלייה\x07",
        "{{ 7*7 }} <script>alert(1)</script>",
        "/back",
        "/dance",
    ]
    done = run_bot(database, "chat", "--user", "ana", stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "I didn't catch an answer there" in out
    assert "There's no option 42" in out
    assert "That's 5,000 characters" in out
    assert "I don't know /dance" in out
    # Control characters (NUL, ESC, BEL) are dropped; what remains is shown literally.
    assert "\x1b" not in out
    assert "\x00" not in out
    assert "You answered: [31mA raise 💼 עלייה." in out
    export = export_json(database, 1)
    assert export["session"]["title"] == "[31mA raise 💼 עלייה"
    said = [line["text"] for line in export["transcript"] if line["from"] == "user"]
    assert "{{ 7*7 }} <script>alert(1)</script>" in said
    md = run_bot(database, "export", "1", "--format", "md").stdout
    assert "<script>" not in md
    assert "{{ 7*7 }}" in md


def test_sessions_json_lists_each_negotiation_oldest_first(tmp_path: Path) -> None:
    database = tmp_path / "parley.db"
    run_bot(database, "chat", "--user", "ana", stdin="1\nA raise\n/new\n1\nA lease\n")
    run_bot(database, "chat", "--user", "bob", stdin="1\nA peace talk\n")
    listing = run_bot(database, "sessions", "--user", "ana", "--json")
    assert listing.returncode == 0
    import json

    sessions = json.loads(listing.stdout)
    assert [s["title"] for s in sessions] == ["A raise", "A lease"]
    for s in sessions:
        assert {"id", "title", "status", "state", "updated_at"} <= set(s)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", s["updated_at"])
    everyone = json.loads(run_bot(database, "sessions", "--json").stdout)
    assert [s["title"] for s in everyone] == ["A raise", "A lease", "A peace talk"]
    bob_resumes_ana = run_bot(database, "chat", "--user", "bob", "--resume", "1", stdin="")
    assert "can't find session 1" in bob_resumes_ana.stdout


def test_chat_debrief_looks_back_on_a_completed_session_through_a_pipe(tmp_path: Path) -> None:
    database = tmp_path / "parley.db"
    lease = load(next(p for p in PERSONAS if p.stem == "lease_single_issue"))
    run_bot(database, "chat", "--user", "maya", stdin="\n".join(lease["answers"]) + "\n")
    answers = [
        "2",  # I reached my target
        "Worse: I should have walked",
        "/skip",
        *("4", "5", "3", "2"),  # outcome, self, process, relationship
        "No, it didn't",  # power
        "1",  # package: yes
        "Partly",  # mediator
        "Something else",
        "A bigger landlord wouldn't bother",
        "{{ 7*7 }}",
    ]
    done = run_bot(database, "chat", "--user", "maya", "--debrief", "1", stdin="\n".join(answers))
    assert done.returncode == 0, done.stderr
    assert "Let's look back at “Renewing my flat lease" in done.stdout
    assert "[Question 1 of 16]" in done.stdout
    assert "Your debrief: Renewing my flat lease" in done.stdout
    assert "Next time: “{{ 7*7 }}”" in done.stdout
    assert "Saved. Continue any time: python -m bot chat --user maya --resume 2" in done.stdout

    section = export_json(database, 1)["debrief"]
    assert section["ratings"] == {"outcome": 4, "self": 5, "process": 3, "relationship": 2}
    assert [(x["id"], x["proved"]) for x in section["lessons"]] == [
        ("power", "no"),
        ("package", "yes"),
        ("mediator", "partly"),
    ]
    assert section["change_next_time"] == "{{ 7*7 }}"
    md = run_bot(database, "export", "1", "--format", "md").stdout
    assert "## Debrief" in md and "**One thing to change next time:** {{ 7*7 }}" in md

    again = run_bot(database, "chat", "--user", "maya", "--debrief", "1", stdin="1\n")
    assert again.returncode == 0
    assert "You've already debriefed" in again.stdout
    assert "Your debrief: Renewing my flat lease" in again.stdout


def test_chat_debrief_of_a_session_not_theirs_unknown_or_unfinished_exits_1(
    tmp_path: Path,
) -> None:
    database = tmp_path / "parley.db"
    run_bot(database, "chat", "--user", "ana", stdin="1\nA raise\n")
    for user, ident, reason in (
        ("bob", "1", "I can't find session 1 among your preparations"),
        ("ana", "99", "I can't find session 99 among your preparations"),
        ("ana", "1", "“A raise” (#1) isn't finished yet"),
    ):
        done = run_bot(database, "chat", "--user", user, "--debrief", ident, stdin="2\n")
        assert done.returncode == 1, (user, ident, done.stdout)
        assert reason in done.stdout
        assert "Saved." not in done.stdout
    assert [s["script"] for s in json.loads(run_bot(database, "sessions", "--json").stdout)] == [
        "coach"
    ]
