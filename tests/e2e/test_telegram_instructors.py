"""The instructor loop end to end: the real bot process against the fake Telegram.

An admin grants the instructor role, the instructor creates a cohort, a student opens the invite
link, agrees and answers part of a session; the instructor lists students, reviews the session
(getting the HTML transcript as a document) and sends feedback, which reaches the student.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.telegram_process import ParleyProcess, fake_bot_api
from tests.fakes import FakeBotApi

pytestmark = pytest.mark.timeout(120)
ADMIN, TEACHER, STUDENT, OUTSIDER = 4001, 4002, 4003, 4004


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with fake_bot_api() as server:
        yield server


@pytest.fixture
def parley(fake: FakeBotApi, tmp_path: Path) -> Iterator[ParleyProcess]:
    with ParleyProcess(fake, tmp_path / "parley.db", PARLEY_ADMIN_IDS=str(ADMIN)).started(
        250
    ) as bot:
        yield bot


def test_grant_cohort_join_review_and_feedback_over_telegram(
    fake: FakeBotApi, parley: ParleyProcess
) -> None:
    admin = fake.user(ADMIN, "Ada")
    teacher = fake.user(TEACHER, "Rivera")
    student = fake.user(STUDENT, "Sam")
    outsider = fake.user(OUTSIDER, "Oz")
    admin_menu = {c["command"] for c in fake.my_commands("chat", chat_id=ADMIN)}
    assert {"grant", "revoke", "students", "review", "cohort", "new"} <= admin_menu

    outsider.sends_command("/grant", str(OUTSIDER))
    outsider.wait_for_text("Only admins can grant")
    admin.sends_command("/grant", f"{TEACHER} Dr Rivera")
    admin.wait_for_text("Dr Rivera (Telegram id 4002) is now an instructor")

    teacher.sends_command("/cohort", "new Negotiation 101")
    created = teacher.wait_for_text("is ready").shown
    # The bot learned its username from getMe at start-up.
    code = re.search(r"t\.me/parley_test_bot\?start=join-([A-Za-z0-9_-]+)", created)
    assert code, created

    student.sends_command("/start", f"join-{code.group(1)}")
    invite = student.wait_for_text("You're invited to join the cohort “Negotiation 101”")
    assert "Dr Rivera will read the transcripts" in invite.shown
    assert invite.button_texts == ["I agree, join", "No thanks"]
    student.presses("I agree, join")
    student.wait_for_text("You've joined “Negotiation 101”")
    student.wait_for_text("Question 1 of")
    student.presses("OK, let's start")
    student.wait_for_text("Question 2 of")
    student.says("A raise <script>alert(1)</script> {{ 7*7 }}")
    student.wait_for_text("Question 3 of")

    teacher.sends_command("/students")
    listing = teacher.wait_for_text("Students in “Negotiation 101”")
    assert listing.button_texts == ["Sam (1)"]
    teacher.presses("Sam (1)")
    sessions = teacher.wait_for_text("Sam's sessions shared with")
    [label] = sessions.button_texts
    session_id = int(re.match(r"#(\d+)", label).group(1))  # type: ignore[union-attr]
    teacher.presses(label)
    teacher.wait_for_text("Review of “A raise <script>alert(1)</script> {{ 7*7 }}” by Sam")
    document = teacher.wait_for(
        lambda m: m.document is not None and (m.document.filename or "").endswith(".html"),
        description="the review transcript",
    )
    assert document.document is not None and document.document.content is not None
    page = document.document.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in page
    assert "<script" not in page

    outsider.sends_command("/review", str(session_id))
    outsider.wait_for_text("That is for instructors")

    teacher.sends_command("/feedback", f"{session_id} Good start; now list <b>your</b> options.")
    teacher.wait_for_text("Sent to Sam")
    # Queued in the outbox for the student's chat; the bot's periodic sweep delivers it.
    note = student.wait_for_text("Feedback from Dr Rivera", timeout=30)
    assert "Good start; now list <b>your</b> options." in note.shown

    student.sends_command("/privacy")
    privacy = student.wait_for_text("Who read your transcripts")
    assert "Dr Rivera" in privacy.shown and "in Telegram" in privacy.shown
    assert parley.errors() == []
