"""`python -m bot instructors ...` and `cohorts ...`: setting up a course from the shell."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.e2e.console_process import REPO, bot_env
from tests.e2e.telegram_process import fake_bot_api


def run(database: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=bot_env(database, **env),
        timeout=60,
        check=False,
    )


def test_an_operator_grants_an_instructor_and_creates_a_cohort_with_its_invite(
    tmp_path: Path,
) -> None:
    db = tmp_path / "p.db"
    granted = run(db, "instructors", "add", "4242", "--name", "Dr Rivera")
    assert granted.returncode == 0, granted.stderr
    assert granted.stdout.strip() == "Dr Rivera (Telegram id 4242) is now an instructor."
    again = run(db, "instructors", "add", "4242")
    assert "was already an instructor" in again.stdout
    created = run(db, "cohorts", "create", "Spring 2027", "--instructor", "4242")
    assert created.returncode == 0, created.stderr
    code = re.search(r"Invite code: ([A-Za-z0-9_-]{20,32})\n", created.stdout)
    assert code, created.stdout
    assert f"https://t.me/<bot>?start=join-{code.group(1)}" in created.stdout
    assert "replace <bot> with your bot's username" in created.stderr
    listed = run(db, "cohorts", "list")
    assert "Spring 2027" in listed.stdout and "Dr Rivera" in listed.stdout
    assert code.group(1) in listed.stdout


def test_the_invite_link_names_the_bot_from_the_environment_or_from_telegram(
    tmp_path: Path,
) -> None:
    db = tmp_path / "p.db"
    run(db, "instructors", "add", "4242")
    named = run(
        db, "cohorts", "create", "A", "--instructor", "4242", TELEGRAM_BOT_USERNAME="@coachbot"
    )
    assert "https://t.me/coachbot?start=join-" in named.stdout
    with fake_bot_api() as fake:
        asked = run(
            db,
            "cohorts",
            "create",
            "B",
            "--instructor",
            "4242",
            TELEGRAM_BOT_TOKEN=fake.token,
            TELEGRAM_API_BASE_URL=fake.base_url,
        )
    assert "https://t.me/parley_test_bot?start=join-" in asked.stdout, asked.stderr
    assert asked.stderr == ""


def test_bad_ids_and_unknown_instructors_fail_with_a_clear_message(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    bad = run(db, "instructors", "add", "rivera")
    assert bad.returncode == 1
    assert "'rivera' is not a Telegram user id" in bad.stderr
    unknown = run(db, "cohorts", "create", "Spring", "--instructor", "999")
    assert unknown.returncode == 1
    assert "Telegram user 999 is not an instructor" in unknown.stderr
    long_name = run(db, "instructors", "add", "5", "--name", "x" * 200)
    assert long_name.returncode == 1 and "at most 128 characters" in long_name.stderr
