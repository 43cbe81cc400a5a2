"""Instructors hear about new work, end to end: the real bot process against the fake Telegram.

A student joins a cohort and completes a session; the reminder scan arms the instructor's digest
and it arrives once, through the outbox; `/notify off` says the digest is off.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.telegram_process import Coachee, ParleyProcess, drive, fake_bot_api, persona
from tests.fakes import FakeBotApi

pytestmark = pytest.mark.timeout(120)
ADMIN, TEACHER, STUDENT = 4101, 4102, 4103
SCAN = "0.5"  # seconds between scans (default 30)
DIGEST = "New work from your students"


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with fake_bot_api() as server:
        yield server


@pytest.fixture
def parley(fake: FakeBotApi, tmp_path: Path) -> Iterator[ParleyProcess]:
    with ParleyProcess(
        fake,
        tmp_path / "parley.db",
        PARLEY_ADMIN_IDS=str(ADMIN),
        PARLEY_REMINDER_SCAN_SECONDS=SCAN,
    ).started(250) as bot:
        yield bot


def test_a_completed_shared_session_reaches_the_instructor_as_one_digest(
    fake: FakeBotApi, parley: ParleyProcess
) -> None:
    admin = fake.user(ADMIN, "Ada")
    teacher = fake.user(TEACHER, "Rivera")
    admin.sends_command("/grant", f"{TEACHER} Dr Rivera")
    admin.wait_for_text("is now an instructor")
    admin_menu = {c["command"] for c in fake.my_commands("chat", chat_id=ADMIN)}
    assert "notify" in admin_menu  # the instructors' commands, the admin's too
    teacher.sends_command("/cohort", "new Negotiation 101")
    created = teacher.wait_for_text("is ready").shown
    code = re.search(r"start=join-([A-Za-z0-9_-]+)", created)
    assert code, created

    sam = Coachee(fake.user(STUDENT, "Sam"), persona("lease_single_issue"), press=True)
    sam.user.sends_command("/start", f"join-{code.group(1)}")
    sam.user.wait_for_text("You're invited to join")
    sam.user.presses("I agree, join")
    sam.user.wait_for_text("You've joined")
    drive(fake, [sam], timeout=60, diagnostics=parley.output)

    digest = teacher.wait_for_text(DIGEST, timeout=30)
    assert "Negotiation 101" in digest.shown and "Sam completed" in digest.shown
    assert re.search(r"/review \d+", digest.shown)
    time.sleep(6 * float(SCAN))  # several scans later: still one digest
    assert len([m for m in teacher.messages() if DIGEST in m.shown]) == 1

    teacher.sends_command("/notify", "off")
    teacher.wait_for_text("You get no digest")
    assert parley.errors() == []
