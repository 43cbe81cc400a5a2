"""/web's one-time sign-in link is never kept in a form that signs in: the real bot against the
fake Telegram, and a copy of its database taken the documented way (sqlite3's backup) while
the reply waits in the outbox and after it was delivered, holds neither the link nor anything
that makes it without WEB_SECRET_KEY. The delivered link still signs in, once."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from bot.courses import web_login
from storage.database import open_database
from storage.schema import OutboxMessage
from tests.e2e.telegram_process import ParleyProcess
from tests.fakes import FakeBotApi

pytestmark = pytest.mark.timeout(90)
SECRET = "web-secret-for-the-link-test-8f2k"
LINK = re.compile(r"https://review\.example/login\?token=(\S+)")


def backup(database: Path, copy: Path) -> bytes:
    """docs/deploy.md's backup: sqlite3's online backup of the live file."""
    source, target = sqlite3.connect(database), sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return copy.read_bytes()


def test_a_database_copy_holds_no_usable_sign_in_link_before_or_after_delivery(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    database = tmp_path / "parley.db"
    bot = ParleyProcess(
        fake, database, WEB_SECRET_KEY=SECRET, WEB_BASE_URL="https://review.example"
    )
    with bot.started():
        ana = fake.user(5301, "Ana")
        ana.sends_command("/start")
        ana.wait_for_text("Question 1 of")
        fake.fail_next("sendMessage", error_code=502, times=3)  # Telegram is down a moment
        ana.sends_command("/web")
        refused = lambda: any(not c.ok for c in fake.calls("sendMessage"))  # noqa: E731
        assert fake.state.wait_until(refused, 10)
        waiting = backup(database, tmp_path / "while-waiting.db")
        reply = ana.wait_for_text("Your sign-in link", timeout=40)
        found = LINK.search(reply.shown)
        assert found, reply.shown
        token = unquote(found.group(1))
        delivered = backup(database, tmp_path / "after-delivery.db")
        [sent] = [
            c for c in fake.calls("sendMessage") if c.ok and "sign-in link" in c.params["text"]
        ]
        # No link preview: Telegram's preview fetcher must not open a one-time link.
        assert sent.params["link_preview_options"] == {"is_disabled": True}
    raw_id = token.partition(".")[0]
    for copy in (waiting, delivered):
        assert token.encode() not in copy and raw_id.encode() not in copy
        assert b"review.example/login" not in copy
    sessions = open_database(f"sqlite:///{tmp_path / 'while-waiting.db'}")
    with sessions.begin() as db:
        payloads = db.execute(select(OutboxMessage.payload)).scalars().all()
    assert any(web_login.LINK_REFERENCE in p for p in payloads), payloads[-3:]
    assert not any("token=" in str(p) for p in payloads)
    sessions.dispose()

    now = datetime.now(UTC).replace(tzinfo=None)
    live = open_database(f"sqlite:///{database}")
    with live.begin() as db:
        assert web_login.inspect(db, token, SECRET, now) is None
        assert web_login.redeem(db, token, SECRET, now) is not None
        assert web_login.redeem(db, token, SECRET, now) is None
    live.dispose()
    assert bot.errors() == []
