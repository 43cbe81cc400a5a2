"""Sends paced to Telegram's limits (bot/telegram/pacing.py), before a 429 comes."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import telegram

from bot.coach.service import CoachService
from bot.engine.content import Content
from bot.telegram.blocking import DatabaseThread
from bot.telegram.http.aiohttp_request import AiohttpRequest
from bot.telegram.metrics import Metrics
from bot.telegram.ordering import ChatLocks
from bot.telegram.pacing import Limits, Pacer
from bot.telegram.sender import CHANNEL, OutboxSender
from bot.wiring import coach_service
from storage.database import open_database
from tests.fakes import FakeBotApi

# The sender's raw sendMessage (see bot/telegram/sender.py), which PTB warns about.
pytestmark = pytest.mark.filterwarnings("ignore:.*Bot.sendMessage:telegram.warnings.PTBUserWarning")

SCALE = 3.0
"""Telegram's limits, 3 times faster in the fake and in the pacer: 1,000 messages in ~13 s.
Not faster: the margin the pacer keeps (20 messages under the bot's limit) must also absorb
the fake's own stalls on a busy machine, and scaling shrinks it in time (~270 ms here)."""


class FakeTime:
    """A clock that moves only when the pacer sleeps."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_one_chat_gets_a_short_burst_then_one_message_a_second() -> None:
    clock = FakeTime()
    pacer = Pacer(Limits(), clock=clock, sleep=clock.sleep)
    sent = []
    for _ in range(6):
        await pacer.wait(42)
        sent.append(round(clock.now - 100.0, 3))
    assert sent == [0.0, 0.0, 0.0, 1.0, 2.0, 3.0]


async def test_many_chats_share_the_bots_rate_and_a_group_gets_fewer() -> None:
    clock = FakeTime()
    pacer = Pacer(Limits(), clock=clock, sleep=clock.sleep)
    for chat in range(1, 101):
        await pacer.wait(chat)
    # 5 at once, then 25 a second: the 100th goes after 95 / 25 = 3.8 s.
    assert clock.now - 100.0 == pytest.approx(3.8)
    group = FakeTime()
    paced = Pacer(Limits(), clock=group, sleep=group.sleep)
    for _ in range(4):
        await paced.wait(-100123)
    assert group.now - 100.0 == pytest.approx(60 / 18)  # 3 at once, then 18 a minute


async def test_no_limits_never_waits() -> None:
    clock = FakeTime()
    pacer = Pacer(None, clock=clock, sleep=clock.sleep)
    for _ in range(100):
        await pacer.wait(1)
    assert clock.now == 100.0


@pytest.fixture
def sqlite_service(tmp_path: Path, content: Content) -> Iterator[CoachService]:
    """SQLite only: the burst is about pacing, and the storage tests cover both databases."""
    database = open_database(f"sqlite:///{tmp_path / 'parley.db'}")
    service = coach_service(database, content)
    yield service
    service.close()
    database.dispose()


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBotApi]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # as `python -m bot run` does
    with FakeBotApi(token="123:PACE") as server:
        yield server


@pytest.fixture
async def bot(fake: FakeBotApi) -> AsyncIterator[telegram.Bot]:
    request = AiohttpRequest(connection_pool_size=64)
    async with telegram.Bot(
        fake.token, base_url=fake.base_url, request=request, get_updates_request=AiohttpRequest(1)
    ) as real_bot:
        yield real_bot


@pytest.mark.timeout(60)
async def test_a_burst_of_1000_messages_to_300_chats_meets_no_429_loses_nothing_keeps_order(
    fake: FakeBotApi, bot: telegram.Bot, sqlite_service: CoachService
) -> None:
    service = sqlite_service
    chats = [500_000 + n for n in range(300)]
    for chat in chats:
        fake.user(chat, f"P{chat}")
    db = DatabaseThread(1)
    for n in range(1000):
        chat = chats[n % 300]
        service.notify(CHANNEL, f"burst-{n}", None, str(chat), f"message {n}")
    flood = fake.enforce_limits(scale=SCALE)
    sender = OutboxSender(
        bot, service, ChatLocks(), db, Metrics(), pacer=Pacer(Limits().scaled(SCALE))
    )
    started = time.monotonic()
    await sender.sweep()
    await sender.flush()
    elapsed = time.monotonic() - started
    db.close()
    sent = fake.calls("sendMessage")
    assert [call.status for call in sent if call.status == 429] == []
    assert flood.refused == 0
    assert len(sent) == 1000
    for index, chat in enumerate(chats):
        texts = [m.text for m in fake.bot_messages(chat)]
        assert texts == [f"message {n}" for n in range(index, 1000, 300)]
    assert service.pending(CHANNEL) == []
    # 1,000 messages at 25 x 3 a second take about 13 s: paced, not sent all at once.
    assert elapsed > 12.0


@pytest.mark.timeout(60)
async def test_without_pacing_the_same_burst_meets_flood_control(
    fake: FakeBotApi, bot: telegram.Bot, sqlite_service: CoachService
) -> None:
    """The check above can fail: unpaced, the fake's flood control answers 429."""
    for n in range(60):
        sqlite_service.notify(CHANNEL, f"burst-{n}", None, str(600_000 + n % 3), f"message {n}")
    for n in range(3):
        fake.user(600_000 + n, "P")
    flood = fake.enforce_limits(scale=SCALE)
    db = DatabaseThread(1)
    sender = OutboxSender(bot, sqlite_service, ChatLocks(), db, Metrics(), max_attempts=1)
    await sender.sweep()
    db.close()
    assert flood.refused > 0
