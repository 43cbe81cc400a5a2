"""Rehearsal end to end on Telegram: the real bot process, the fake Bot API, a real SQLite file.

Sofia finishes her preparation, presses the button under her report, answers the other side in
her own words (a sticker first), tries again, and the bot is SIGKILLed between the moment's
line and her second reply: after the restart her reply is read as the same moment's. Forged,
stale and another user's rehearsal buttons change nothing."""

from __future__ import annotations

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

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBotApi]:
    with fake_bot_api() as server:
        yield server


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rehearsal") / "parley.db"


@pytest.fixture(scope="module")
def parley(fake: FakeBotApi, database: Path) -> Iterator[ParleyProcess]:
    with ParleyProcess(fake, database).started() as bot:
        yield bot


def prepared_id(database: Path, user: int) -> int:
    [session] = [s for s in sessions_json(database) if s["user"] == str(user)]
    assert session["status"] == "completed"
    return int(session["id"])


def test_a_rehearsal_survives_a_sigkill_in_the_middle_of_a_moment(
    fake: FakeBotApi, parley: ParleyProcess, database: Path
) -> None:
    assert "rehearse" in {c["command"] for c in fake.my_commands()}
    sofia = Coachee(fake.user(4001, "Sofia"), persona("lease_single_issue"), press=True)
    drive(fake, [sofia], timeout=60, diagnostics=parley.output)
    prep = prepared_id(database, 4001)
    user = sofia.user

    offer = user.wait_for(
        lambda m: "Want to practise?" in m.shown,
        since_last_action=False,
        description="the offer under the report",
    )
    assert offer.button_texts == ["Rehearse the hard moments"]
    user.presses("Rehearse the hard moments")
    moment = user.wait_for_text("Moment 1 of 4")
    assert "Mr. Okafor: “We can get this elsewhere" in moment.shown

    user.sends_sticker()
    assert "I can't read a sticker in a rehearsal" in user.wait_for_text("I can't read").shown
    user.says("Fine, <b>nobody else</b> will rent to you like I do.")
    feedback = user.wait_for_text("Why:")
    assert feedback.parse_mode == "HTML"
    assert "⚠ “Fine” gives in at once" in feedback.shown
    assert "“<b>nobody else</b> will rent to you like I do”" in feedback.shown
    assert feedback.button_texts == ["Try again", "Next", "Stop"]
    user.presses("Try again", feedback.message_id)
    user.wait_for_text("Try again: Mr. Okafor")

    parley.kill()
    user.says("I hear you. We also have another landlord interested in us.")
    parley.start()
    second = user.wait_for(
        lambda m: "Why:" in m.shown and "You named your own alternative" in m.shown,
        timeout=30,
        description="the feedback on the second reply",
    )
    assert "You acknowledged their view first" in second.shown

    user.presses("Stop", second.message_id)
    summary = user.wait_for_text("Rehearsal done")
    assert "Your best reply: “I hear you. We also have another landlord" in summary.shown

    (rehearsal,) = export_json(database, prep)["rehearsal"]
    user.presses_data(callbacks.make("rh", rehearsal["id"], 0, 2))  # Next, after Stop
    assert user.wait_for_callback_answer().text == "That button belongs to an earlier moment."
    assert rehearsal["status"] == "stopped"
    replies = rehearsal["moments"][0]["replies"]
    assert [r["attempt"] for r in replies] == [1, 2]
    assert [t["trap"] for t in replies[0]["traps"]] == ["caves", "dismisses"]
    assert parley.errors() == []


def test_forged_and_foreign_rehearsal_buttons_change_nothing(
    fake: FakeBotApi, parley: ParleyProcess, database: Path
) -> None:
    lena = Coachee(fake.user(4003, "Lena"), persona("salary_well_prepared"), press=False)
    drive(fake, [lena], timeout=60, diagnostics=parley.output)
    lena_prep = prepared_id(database, 4003)
    ivo = fake.user(4002, "Ivo")
    ivo.sends_command("/rehearse")
    assert "no finished preparation to rehearse" in ivo.wait_for_reply().shown
    ivo.sends_command(f"/rehearse {lena_prep}")
    ivo.wait_for_text(f"I can't find a finished preparation #{lena_prep} of yours")
    ivo.sends_command("/start")  # a message with buttons to forge presses on
    ivo.wait_for_text("Question 1 of")
    ivo.presses_data(callbacks.make("rs", lena_prep))
    ivo.wait_for_text("button")
    ivo.presses_data(callbacks.make("rh", 1, 0, 3))  # Sofia's rehearsal
    ivo.wait_for_text("button")
    for forged in ("v1:rh:1:0:9", "v1:rh:x:0:1", "v1:rs:1:2"):
        ivo.presses_data(forged)
        assert ivo.wait_for_callback_answer().answered
        ivo.wait_for_text("couldn't read that button")
    (rehearsal,) = export_json(database, prepared_id(database, 4001))["rehearsal"]
    assert rehearsal["status"] == "stopped"
    assert parley.errors() == []
