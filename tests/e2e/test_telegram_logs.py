"""The bot token and the webhook secret never reach the log, at any level: the real bot at DEBUG
against the fake Telegram (python-telegram-bot logs its request URLs and `setWebhook`'s
parameters there), and a token Telegram rejects ends the bot with one line that omits it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.site_process import free_port
from tests.e2e.telegram_process import REPO, ParleyProcess, bot_env
from tests.fakes import FakeBotApi

pytestmark = pytest.mark.timeout(90)
SECRET = "webhook-secret-Zq81x"


def secret_half(token: str) -> str:
    return token.partition(":")[2]


def test_at_debug_the_polling_bot_logs_no_token(fake: FakeBotApi, tmp_path: Path) -> None:
    bot = ParleyProcess(fake, tmp_path / "parley.db", LOG_LEVEL="DEBUG")
    with bot.started():
        ana = fake.user(5101, "Ana")
        ana.sends_command("/start")
        ana.wait_for_text("Question 1 of")
    output = "\n".join(bot.lines)
    assert " DEBUG " in output and "getUpdates" in output  # PTB's request lines were logged
    assert fake.token not in output and secret_half(fake.token) not in output
    assert "***" in output  # where the token was


def test_at_debug_the_webhook_bot_logs_neither_token_nor_secret(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    bot = ParleyProcess(
        fake,
        tmp_path / "parley.db",
        ready_method="setWebhook",
        LOG_LEVEL="DEBUG",
        WEBHOOK_URL="https://parley.example/tg/hook",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_HOST="127.0.0.1",
        WEBHOOK_PORT=str(free_port()),
    )
    with bot.started():
        [registered] = fake.calls("setWebhook")
        assert registered.params["secret_token"] == SECRET
    output = "\n".join(bot.lines)
    assert "setWebhook" in output
    assert SECRET not in output
    assert fake.token not in output and secret_half(fake.token) not in output


def test_a_rejected_token_ends_the_bot_with_one_line_that_omits_it(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    wrong = "999999:WRONG-token-kept-secret"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=bot_env(
            tmp_path / "parley.db",
            fake,
            TELEGRAM_BOT_TOKEN=wrong,
            LOG_LEVEL="INFO",
        ),
        timeout=60,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "Traceback" not in output
    assert wrong not in output and secret_half(wrong) not in output
    assert done.stderr.strip().splitlines()[-1] == (
        "error: Telegram rejected the bot token: check TELEGRAM_BOT_TOKEN (@BotFather shows it)"
    )
