"""An update whose handling keeps raising is given up after a few attempts: the person is told
in one line that their message was not saved, the chat's later messages are answered, nothing
replays it at the next start-up, and it is counted in the metrics. The real bot with one
command made to raise (tests/e2e/crashing_bot.py), against the fake Telegram."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.telegram.handlers import MAX_ATTEMPTS
from storage.database import open_database
from storage.schema import InboxUpdate
from tests.e2e.site_process import free_port
from tests.e2e.telegram_process import ParleyProcess, fake_bot_api
from tests.e2e.test_workers_postgres import (
    SECRET,
    URL,
    _migrate,
    _post,
    _update_for,
    _wait_healthy,
)
from tests.fakes import FakeBotApi
from tests.postgres import reset_schema

pytestmark = pytest.mark.timeout(120)
NOT_SAVED = "your last message was not saved"


def test_polling_a_crashing_update_is_given_up_answered_once_and_not_replayed(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    database = tmp_path / "parley.db"
    bot = ParleyProcess(fake, database, module="tests.e2e.crashing_bot")
    with bot.started():
        ana = fake.user(5401, "Ana")
        ana.sends_command("/start")
        ana.wait_for_text("Question 1 of")
        crash = ana.sends_command("/crash")
        ana.wait_for_text(NOT_SAVED, timeout=20)
        ana.sends_command("/help")
        ana.wait_for_text("/sessions")  # the chat's next message is answered
    assert "\n".join(bot.lines).count("update failed id=") == MAX_ATTEMPTS
    assert "update given up" in "\n".join(bot.lines)

    mark = len(bot.lines)
    with bot.started():
        ana.sends_command("/sessions")
        ana.wait_for_text("#1")
    after = "\n".join(bot.lines[mark:])
    assert "update failed" not in after and "inbox replay" not in after
    assert sum(NOT_SAVED in m.shown for m in ana.messages()) == 1
    sessions = open_database(f"sqlite:///{database}")
    with sessions.begin() as db:
        row = db.execute(
            select(InboxUpdate.attempts, InboxUpdate.failed, InboxUpdate.processed_at).where(
                InboxUpdate.payload["message"]["message_id"].as_integer() == crash.message_id
            )
        ).one()
    sessions.dispose()
    assert row.attempts == MAX_ATTEMPTS and row.failed and row.processed_at is not None


def test_with_workers_a_crashing_update_is_given_up_and_the_chat_goes_on(
    tmp_path: Path,
) -> None:
    if not URL:
        pytest.skip("TEST_DATABASE_URL is not set: the several-workers test needs PostgreSQL")
    reset_schema(URL)
    with fake_bot_api() as fake:
        _migrate(URL, tmp_path)
        bots, bases, scrapes = [], [], []
        try:
            for index in range(2):
                port, metrics_port = free_port(), free_port()
                bot = ParleyProcess(
                    fake,
                    tmp_path / f"unused-{index}.db",
                    module="tests.e2e.crashing_bot",
                    ready_method="setWebhook",
                    DATABASE_URL=URL,
                    WEBHOOK_URL="https://parley.example/tg/hook",
                    WEBHOOK_SECRET=SECRET,
                    WEBHOOK_HOST="127.0.0.1",
                    WEBHOOK_PORT=str(port),
                    METRICS_PORT=str(metrics_port),
                )
                bots.append(bot.start())
                bases.append(f"http://127.0.0.1:{port}")
                scrapes.append(f"http://127.0.0.1:{metrics_port}/metrics")
            for base in bases:
                _wait_healthy(base)
            ana = fake.user(5402, "Ana")
            for step, (command, expected) in enumerate(
                [("/start", "Question 1 of"), ("/crash", NOT_SAVED), ("/help", "/sessions")]
            ):
                said = ana.sends_command(command)
                _post(bases, step, _update_for(fake, ana, said.message_id))
                ana.wait_for_text(expected, timeout=30)
            metrics = "".join(httpx.get(url, timeout=5).text for url in scrapes)
            assert 'parley_update_errors_total{kind="update_failed"} 1.0' in metrics
            for bot in bots:
                bot.stop()
            assert sum(NOT_SAVED in m.shown for m in ana.messages()) == 1
            assert sum("update given up" in "\n".join(bot.lines) for bot in bots) == 1
        finally:
            for bot in bots:
                bot.stop()
                print(bot.output(80))
