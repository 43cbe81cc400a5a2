"""Reminders survive restarts: the real bot process, the fake Telegram, a real SQLite file.

The bot's clock is the real one, so the tests move reminders instead: while the bot is stopped
they set `due_at` in the database into the past, as if the bot had been down when they came
due. A control user whose reminder must arrive shows that the bot really did scan and send, so
"nothing arrived" for the others means something.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.telegram_process import ParleyProcess, fake_bot_api
from tests.fakes import FakeBotApi, TelegramUser

pytestmark = pytest.mark.timeout(120)
CHECKLIST = "Your checklist"
INVITATION = "How did your negotiation"
SCAN = "0.5"  # seconds between scans for newly planned reminders (default 30)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBotApi]:
    with fake_bot_api() as server:
        yield server


@pytest.fixture
def bot(fake: FakeBotApi, tmp_path: Path) -> Iterator[ParleyProcess]:
    with ParleyProcess(
        fake, tmp_path / "parley.db", PARLEY_REMINDER_SCAN_SECONDS=SCAN
    ).started() as process:
        yield process


def in_days(days: int) -> date:
    return date.today() + timedelta(days=days)


def plan(user: TelegramUser, day: date) -> None:
    """Open a session and give the negotiation date with /reminders date."""
    if not any("Question 1 of" in m.shown for m in user.messages()):
        user.sends_command("/start")
        user.wait_for_text("Question 1 of about")
    user.sends_command("/reminders", f"date {day.isoformat()}")
    user.wait_for_text("I'll send you a short checklist")


def make_due(database: Path, chat_id: int, kind: str | None = None) -> int:
    """Put a user's reminders (pending or not) a minute into the past; returns how many."""
    past = (datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=1)).strftime(
        "%Y-%m-%d %H:%M:%S.%f"
    )
    with sqlite3.connect(database, timeout=10) as db:
        query = (
            "UPDATE reminders SET due_at = ? WHERE user_id = "
            "(SELECT id FROM users WHERE external_id = ?)"
        )
        params: list[object] = [past, f"telegram:{chat_id}"]
        if kind is not None:
            query += " AND kind = ?"
            params.append(kind)
        changed = db.execute(query, params).rowcount
    db.close()
    return changed


def statuses(database: Path, chat_id: int) -> list[tuple[str, str]]:
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT kind, status FROM reminders WHERE user_id = "
            "(SELECT id FROM users WHERE external_id = ?) ORDER BY id",
            [f"telegram:{chat_id}"],
        ).fetchall()
    db.close()
    return [(str(kind), str(status)) for kind, status in rows]


def received(user: TelegramUser, mark: str) -> list[str]:
    return [m.shown for m in user.messages() if mark in m.shown]


def test_a_reminder_due_while_the_bot_was_down_is_sent_once_after_restart_never_twice(
    fake: FakeBotApi, bot: ParleyProcess
) -> None:
    rosa = fake.user(3001, "Rosa")
    plan(rosa, in_days(10))
    bot.stop()
    assert make_due(bot.database, 3001, "checklist") == 1
    bot.start()
    rosa.wait_for_text(CHECKLIST, timeout=15)
    assert received(rosa, CHECKLIST)[0].startswith("Your negotiation “your negotiation” is on")
    bot.stop()
    bot.start()
    time.sleep(6 * float(SCAN))  # several scans after the restart
    bot.kill()  # and once more after a crash
    bot.start()
    time.sleep(6 * float(SCAN))
    assert len(received(rosa, CHECKLIST)) == 1
    assert received(rosa, INVITATION) == []
    assert statuses(bot.database, 3001) == [("checklist", "sent"), ("debrief", "pending")]
    assert bot.errors() == []


def test_stopped_reminders_never_fire_and_a_changed_date_replaces_the_old_ones(
    fake: FakeBotApi, bot: ParleyProcess
) -> None:
    stan = fake.user(3002, "Stan")  # plans, then /stop
    plan(stan, in_days(10))
    stan.sends_command("/stop")
    stan.wait_for_text("2 planned reminders cancelled")
    cleo = fake.user(3003, "Cleo")  # changes her date once
    plan(cleo, in_days(10))
    new_day = in_days(20)
    cleo.sends_command("/reminders", f"date {new_day.isoformat()}")
    cleo.wait_for_text(f"is now {new_day.isoformat()}")
    bot.stop()
    assert make_due(bot.database, 3002) == 2
    assert make_due(bot.database, 3003) == 4  # the two replaced rows as well as the new ones
    bot.start()
    cleo.wait_for_text(INVITATION, timeout=15)
    cleo.wait_for_text(CHECKLIST, timeout=15)
    time.sleep(4 * float(SCAN))
    shown = f"{new_day:%a} {new_day.day} {new_day:%b}"
    assert [shown in text for text in received(cleo, CHECKLIST)] == [True]
    assert [shown in text for text in received(cleo, INVITATION)] == [True]
    assert received(stan, CHECKLIST) == received(stan, INVITATION) == []
    assert statuses(bot.database, 3002) == [("checklist", "cancelled"), ("debrief", "cancelled")]
    assert bot.errors() == []


def test_a_reminder_planned_while_the_bot_runs_is_armed_by_the_scan(
    fake: FakeBotApi, bot: ParleyProcess
) -> None:
    dina = fake.user(3004, "Dina")
    plan(dina, in_days(3))
    assert make_due(bot.database, 3004, "debrief") == 1  # while the bot is running
    invitation = dina.wait_for_text(INVITATION, timeout=15)
    assert invitation.reply_markup is not None
    labels = [b["text"] for row in invitation.reply_markup["inline_keyboard"] for b in row]
    assert labels == ["Start the debrief", "Ask me tomorrow"]
    dina.presses("Ask me tomorrow", invitation.message_id)
    dina.wait_for_text("I'll ask again on")
    assert statuses(bot.database, 3004) == [
        ("checklist", "pending"),
        ("debrief", "sent"),
        ("debrief", "pending"),
    ]
    assert bot.errors() == []
