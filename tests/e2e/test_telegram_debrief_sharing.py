"""Debriefs and cohorts over Telegram, the real bot against the fake Telegram: a debrief started
after leaving a cohort stays out of the instructor's /review of the shared preparation, and a
debrief of a private preparation is not shared until the student presses Share."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.telegram_process import (
    Coachee,
    ParleyProcess,
    drive,
    fake_bot_api,
    persona,
    sessions_json,
)
from tests.fakes import BotMessage, FakeBotApi, TelegramUser

pytestmark = pytest.mark.timeout(180)
ADMIN, TEACHER = 4101, 4102
PRIVATE_NOTE = "Only my diary knows this 8812"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBotApi]:
    with fake_bot_api() as server:
        yield server


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("debrief-sharing") / "parley.db"


@pytest.fixture(scope="module")
def parley(fake: FakeBotApi, database: Path) -> Iterator[ParleyProcess]:
    with ParleyProcess(fake, database, PARLEY_ADMIN_IDS=str(ADMIN)).started(250) as bot:
        yield bot


@pytest.fixture(scope="module")
def invite(fake: FakeBotApi, parley: ParleyProcess) -> str:
    fake.user(ADMIN, "Ada").sends_command("/grant", f"{TEACHER} Dr Rivera")
    fake.user(ADMIN, "Ada").wait_for_text("is now an instructor")
    teacher = fake.user(TEACHER, "Rivera")
    teacher.sends_command("/cohort", "new Negotiation 101")
    code = re.search(r"start=join-([A-Za-z0-9_-]+)", teacher.wait_for_text("is ready").shown)
    assert code
    return code.group(1)


def prepared(fake: FakeBotApi, parley: ParleyProcess, database: Path, user_id: int) -> int:
    """A completed preparation by a new user, made before joining any cohort."""
    coachee = Coachee(fake.user(user_id, f"Student{user_id}"), persona("lease_single_issue"))
    drive(fake, [coachee], timeout=60, diagnostics=parley.output)
    [row] = [s for s in sessions_json(database) if s["user"] == str(user_id)]
    return int(row["id"])


def join(student: TelegramUser, code: str) -> None:
    student.sends_command("/start", f"join-{code}")
    student.wait_for_text("You're invited")
    student.presses("I agree, join")
    student.wait_for_text("You've joined")


def debrief(student: TelegramUser) -> None:
    """/debrief on the latest preparation, the last answer being PRIVATE_NOTE."""
    student.sends_command("/debrief")
    student.wait_for_text("How did it end")
    student.presses("I reached my target")
    student.wait_for_text("Compared with walking away")
    student.presses("Worse: I should have walked")
    student.wait_for_text("what was agreed")
    student.says(PRIVATE_NOTE)
    student.wait_for_text("the outcome itself")


def reviewed_document(teacher: TelegramUser, session_id: int) -> str:
    teacher.sends_command("/review", str(session_id))
    document: BotMessage = teacher.wait_for(
        lambda m: m.document is not None and (m.document.filename or "").endswith(".html"),
        description="the review transcript",
    )
    assert document.document is not None and document.document.content is not None
    return document.document.content.decode()


def debrief_id(database: Path, user_id: int) -> int:
    [row] = [
        s for s in sessions_json(database) if s["user"] == str(user_id) and s["script"] == "debrief"
    ]
    return int(row["id"])


def test_a_debrief_started_after_leaving_is_not_in_the_review_of_its_shared_preparation(
    fake: FakeBotApi, parley: ParleyProcess, database: Path, invite: str
) -> None:
    prep = prepared(fake, parley, database, 4201)
    student = fake.user(4201, "Student4201")
    join(student, invite)
    offer = student.wait_for_text("share an earlier session")
    [label] = [b for b in offer.button_texts if b.startswith(f"#{prep} ")]
    student.presses(label)
    student.wait_for_text("Shared “")
    student.sends_command("/leave")
    student.wait_for_text("What about the 1 session")
    student.presses("Leave, keep them shared")
    student.wait_for_text("You've left")
    debrief(student)

    teacher = fake.user(TEACHER, "Rivera")
    page = reviewed_document(teacher, prep)
    assert "Renewing my flat lease" in page  # the shared preparation itself is there
    assert PRIVATE_NOTE not in page and "I should have walked" not in page
    teacher.sends_command("/review", str(debrief_id(database, 4201)))
    teacher.wait_for_text("can't find")
    assert parley.errors() == []


def test_a_debrief_of_a_private_preparation_is_shared_only_when_the_student_presses_share(
    fake: FakeBotApi, parley: ParleyProcess, database: Path, invite: str
) -> None:
    prepared(fake, parley, database, 4202)
    student = fake.user(4202, "Student4202")
    join(student, invite)
    student.wait_for_text("share an earlier session")  # not pressed: the preparation is private
    student.sends_command("/debrief")
    offer = student.wait_for_text("This debrief looks back on a session you kept private")
    assert offer.button_texts == ["Negotiation 101"]
    student.wait_for_text("How did it end")
    found = debrief_id(database, 4202)
    teacher = fake.user(TEACHER, "Rivera")
    teacher.sends_command("/review", str(found))
    teacher.wait_for_text("can't find")

    student.presses("Negotiation 101", message_id=offer.message_id)
    student.wait_for_text("Shared “")
    teacher.sends_command("/review", str(found))
    teacher.wait_for_text(f"(session #{found}")
    assert parley.errors() == []
