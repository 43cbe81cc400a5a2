"""Fixtures for the fake Bot API's own tests: a running server, a real PTB Bot, an echo bot."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

# The fakes are imported as ``tests.fakes``; make that work however pytest was started.
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import telegram  # noqa: E402

from tests.fakes import FakeBotApi  # noqa: E402
from tests.fakes_selftest.echo_bot import EchoBot  # noqa: E402

TOKEN = "123:ABC"


@pytest.fixture
def server() -> Iterator[FakeBotApi]:
    with FakeBotApi(token=TOKEN) as fake:
        yield fake


@pytest.fixture
async def bot(server: FakeBotApi) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(TOKEN, base_url=server.base_url) as real_bot:
        yield real_bot


@pytest.fixture
def echo_bot(server: FakeBotApi) -> Iterator[EchoBot]:
    echo = EchoBot(server)
    echo.thread.start()
    yield echo
    echo.stop()
