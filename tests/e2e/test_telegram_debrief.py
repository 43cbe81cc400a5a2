"""The debrief end to end: the real bot process, the fake Telegram, a real SQLite file. A user
completes a preparation, sends /debrief, answers with buttons and text, and finds the debrief in
the exported JSON; forged and foreign "d" buttons and a /debrief with nothing to debrief are
answered politely."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.coach import callbacks
from tests.e2e.telegram_process import (
    Coachee,
    ParleyProcess,
    drive,
    export_json,
    fake_bot_api,
    persona,
    sessions_json,
)
from tests.fakes import FakeBotApi

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBotApi]:
    with fake_bot_api() as server:
        yield server


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("debrief") / "parley.db"


@pytest.fixture(scope="module")
def parley(fake: FakeBotApi, database: Path) -> Iterator[ParleyProcess]:
    with ParleyProcess(fake, database).started() as bot:
        yield bot


def prepared_id(database: Path, user: int) -> int:
    [session] = [
        s for s in sessions_json(database) if s["user"] == str(user) and s["script"] == "coach"
    ]
    assert session["status"] == "completed"
    return int(session["id"])


def test_a_debrief_answered_with_buttons_and_text_lands_in_the_export(
    fake: FakeBotApi, parley: ParleyProcess, database: Path
) -> None:
    assert "debrief" in {c["command"] for c in fake.my_commands()}
    sofia = Coachee(fake.user(3001, "Sofia"), persona("lease_single_issue"), press=True)
    drive(fake, [sofia], timeout=60, diagnostics=parley.output)
    prep = prepared_id(database, 3001)
    user = sofia.user

    user.sends_command("/debrief")
    user.wait_for_text("Let's look back at “Renewing my flat lease")
    first = user.wait_for_text("How did it end")
    assert "you wanted this: “Renewing my flat lease" in first.shown
    assert first.button_texts[:2] == ["Better than my target", "I reached my target"]
    user.presses("I reached my target")
    user.wait_for_text("Compared with walking away")
    user.presses("Worse: I should have walked")
    user.wait_for_text("what was agreed")
    user.says("Rent stays at 1,150 <b>for two years</b>")
    for marker, rating in (
        ("the outcome itself", "4"),
        ("about yourself", "5"),
        ("Was the process fair", "3"),
        ("relationship with", "2"),
    ):
        user.wait_for_text(marker)
        user.presses(rating)
    for lesson, said in (
        ("“Power is not size”", "No, it didn't"),
        ("“Trade across issues”", "Yes, it caught me"),
        ("“A mediator is not your agent”", "Partly"),
    ):
        user.wait_for_text(lesson)
        user.presses(said)
    user.wait_for_text("turned out most wrong")
    user.presses("They were weaker, they'd give in")
    user.wait_for_text("one thing you'll do differently")
    user.says("{{ 7*7 }}")
    summary = user.wait_for_text("Your debrief: Renewing my flat lease")
    assert summary.parse_mode == "HTML"
    assert "Next time: “{{ 7*7 }}”" in summary.shown
    assert "Power is not size (risk before): it didn't show up." in summary.shown
    assert "In your words: “Rent stays at 1,150 <b>for two years</b>”" in summary.shown

    user.sends_command("/export")
    doc = user.wait_for(
        lambda m: m.document is not None and (m.document.filename or "").endswith(".json"),
        description="the JSON export",
    )
    assert doc.document is not None and doc.document.content is not None
    own = json.loads(doc.document.content)
    assert own["prepared_session_id"] == prep
    assert own["session"]["script"] == "debrief"
    assert own["debrief"]["change_next_time"] == "{{ 7*7 }}"

    stored = export_json(database, prep)
    section = stored["debrief"]
    assert section["session_id"] == own["session"]["id"]
    assert section["ratings"] == {"outcome": 4, "self": 5, "process": 3, "relationship": 2}
    assert section["outcome"]["notes"]["answer"] == "Rent stays at 1,150 <b>for two years</b>"
    assert [(x["id"], x["proved"]) for x in section["lessons"]] == [
        ("power", "no"),
        ("package", "yes"),
        ("mediator", "partly"),
    ]
    assert section["wrong_assumption"]["lesson"] == "power"
    assert parley.errors() == []


def test_forged_and_foreign_debrief_buttons_and_nothing_to_debrief_are_answered(
    fake: FakeBotApi, parley: ParleyProcess, database: Path
) -> None:
    lena = Coachee(fake.user(3003, "Lena"), persona("salary_well_prepared"), press=False)
    drive(fake, [lena], timeout=60, diagnostics=parley.output)
    lena_prep = prepared_id(database, 3003)
    ivo = fake.user(3002, "Ivo")
    ivo.sends_command("/debrief")
    assert "no finished preparation left" in ivo.wait_for_reply().shown
    ivo.sends_command("/start")
    ivo.wait_for_text("Question 1 of")
    ivo.presses_data(callbacks.make("d", lena_prep))
    answer = ivo.wait_for_callback_answer()
    assert answer.text == "I can't open a debrief for that."
    refusal = ivo.wait_for_text("I can't find session")
    assert f"session {lena_prep} among your preparations" in refusal.shown
    for forged in ("v1:d:x", "v1:d:1:2", "v1:d:" + "9" * 40):
        ivo.presses_data(forged)
        assert ivo.wait_for_callback_answer().answered
        ivo.wait_for_text("couldn't read that button")
    assert [s["script"] for s in sessions_json(database) if s["user"] == "3002"] == ["coach"]
    assert parley.errors() == []
