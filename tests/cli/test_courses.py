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


def test_an_operator_lists_removes_and_replaces_instructors_and_closes_a_cohort(
    tmp_path: Path,
) -> None:
    db = tmp_path / "p.db"
    assert "No instructors yet" in run(db, "instructors", "list").stdout
    run(db, "instructors", "add", "4242", "--name", "Dr Rivera")
    run(db, "instructors", "add", "4343", "--name", "Prof Okafor")
    run(db, "cohorts", "create", "Spring 2027", "--instructor", "4242")
    listed = run(db, "instructors", "list").stdout
    assert "4242" in listed and "Dr Rivera" in listed and "#1 Spring 2027" in listed
    assert "Prof Okafor" in listed and "no cohort" in listed
    removed = run(db, "instructors", "remove", "4242")
    assert removed.returncode == 0, removed.stderr
    assert "Dr Rivera (Telegram id 4242) is no longer an instructor." in removed.stdout
    assert "Cohort #1 “Spring 2027” has no instructor now" in removed.stdout
    assert "python -m bot cohorts add-instructor 1 TELEGRAM_ID" in removed.stdout
    assert "(no instructor)" in run(db, "cohorts", "list").stdout
    added = run(db, "cohorts", "add-instructor", "1", "4343")
    assert added.returncode == 0, added.stderr
    assert "Prof Okafor now instructs cohort #1 “Spring 2027”; 0 student(s) were told." in (
        added.stdout
    )
    closed = run(db, "cohorts", "close", "1")
    assert "Cohort #1 “Spring 2027” is closed" in closed.stdout, closed.stderr
    assert "was already closed" in run(db, "cohorts", "close", "1").stdout
    listing = run(db, "cohorts", "list").stdout
    assert "Prof Okafor  closed" in listing


def test_removing_adding_and_closing_refuse_unknown_people_and_cohorts(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    unknown = run(db, "instructors", "remove", "4242")
    assert unknown.returncode == 1
    assert "Telegram user 4242 is not an instructor" in unknown.stderr
    run(db, "instructors", "add", "4242")
    no_cohort = run(db, "cohorts", "add-instructor", "99", "4242")
    assert no_cohort.returncode == 1 and "there is no cohort #99" in no_cohort.stderr
    run(db, "cohorts", "create", "A", "--instructor", "4242")
    student = run(db, "cohorts", "add-instructor", "1", "5555")
    assert student.returncode == 1 and "Telegram user 5555 is not an instructor" in student.stderr
    bad = run(db, "cohorts", "close", "{{ 7*7 }}")
    assert bad.returncode == 1 and "'{{ 7*7 }}' is not a cohort number" in bad.stderr


def test_odd_ids_on_the_command_line_are_one_line_errors_not_tracebacks(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    for args in [
        ("instructors", "add", "²"),
        ("instructors", "add", "①"),
        ("instructors", "remove", "99999999999999999999999"),
        ("cohorts", "create", "Spring", "--instructor", "²"),
        ("cohorts", "close", "²"),
        ("cohorts", "add-instructor", "2147483648", "4242"),
        ("export", "²"),
        ("web-login", "²"),
        ("chat", "--resume", "²"),
    ]:
        done = run(db, *args)
        assert done.returncode in (1, 2), (args, done.returncode, done.stderr)
        assert "Traceback" not in done.stderr, (args, done.stderr)
        assert "error:" in done.stderr, (args, done.stderr)
