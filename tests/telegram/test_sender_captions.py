"""A file's caption is cut where Telegram allows it; the rest follows, whole (bot/telegram/sender.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import telegram

from bot.coach.attachments import Attachment
from bot.coach.messages import Outbound
from bot.coach.service import CoachService
from bot.engine.content import Content
from bot.telegram.blocking import DatabaseThread
from bot.telegram.http.aiohttp_request import AiohttpRequest
from bot.telegram.metrics import Metrics
from bot.telegram.ordering import ChatLocks
from bot.telegram.sender import OutboxSender
from bot.wiring import coach_service
from storage.database import open_database
from tests.fakes import FakeBotApi
from tests.fakes.rules import parse_html

pytestmark = pytest.mark.filterwarnings("ignore:.*Bot.sendMessage:telegram.warnings.PTBUserWarning")


@pytest.fixture
def service(tmp_path: Path, content: Content) -> Iterator[CoachService]:
    coach = coach_service(open_database(f"sqlite:///{tmp_path / 'parley.db'}"), content)
    yield coach
    coach.close()


@pytest.fixture
async def bot() -> AsyncIterator[tuple[FakeBotApi, telegram.Bot]]:
    with FakeBotApi(token="123:CAPTION") as fake:
        async with telegram.Bot(
            fake.token, base_url=fake.base_url, request=AiohttpRequest(4),
            get_updates_request=AiohttpRequest(1),
        ) as real_bot:  # fmt: skip
            yield fake, real_bot


async def test_a_long_caption_is_split_between_tags_and_the_rest_follows(
    bot: tuple[FakeBotApi, telegram.Bot], service: CoachService
) -> None:
    fake, real_bot = bot
    user = fake.user(7001, "Ana")
    paragraph = "<b>Your plan</b> rests on <i>one assumption</i> &amp; a deadline. " * 6
    text = "\n\n".join([paragraph] * 6)  # ~2,300 visible characters, HTML throughout
    file = Attachment("document", "plan.html", b"<html></html>")
    db = DatabaseThread(1)
    sender = OutboxSender(real_bot, service, ChatLocks(), db, Metrics())
    delivered = await sender.deliver([Outbound(1, "7001", text, attachment=file)])
    await sender.flush()
    db.close()
    assert delivered
    document, *follow_ups = user.messages()
    assert document.document is not None
    assert follow_ups, "the text past 1,024 characters follows as a message"
    captions = [fake.calls("sendDocument")[-1].params["caption"]]
    captions += [c.params["text"] for c in fake.calls("sendMessage")]
    assert len(parse_html(captions[0])) <= 1024  # the fake refuses a cut tag or entity
    assert " ".join(parse_html(c) for c in captions).split() == parse_html(text).split()
