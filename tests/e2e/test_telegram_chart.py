"""The lesson chart on Telegram: the real bot process sends it as a photo with the report."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.coach import charts
from bot.engine.content import load_content
from tests.coach.test_charts import check_bars, decode
from tests.e2e.telegram_process import (
    QUOTE_MARK,
    REPORT_MARK,
    Coachee,
    ParleyProcess,
    drive,
    fake_bot_api,
    persona,
)
from tests.fakes import BotMessage, FakeBotApi

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBotApi]:
    with fake_bot_api() as server:
        yield server


@pytest.fixture(scope="module")
def parley(fake: FakeBotApi, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ParleyProcess]:
    with ParleyProcess(fake, tmp_path_factory.mktemp("chart") / "parley.db").started() as bot:
        yield bot


def photos(messages: list[BotMessage]) -> list[BotMessage]:
    return [m for m in messages if m.photo is not None]


def test_the_report_arrives_with_a_chart_of_the_personas_levels(
    fake: FakeBotApi, parley: ParleyProcess
) -> None:
    ines = Coachee(fake.user(2001, "Ines"), persona("lease_single_issue"), press=True)
    drive(fake, [ines], timeout=60, diagnostics=parley.output)

    messages = ines.user.messages()
    [photo] = photos(messages)
    assert photo.photo is not None and photo.photo.content is not None
    assert photo.photo.filename == "parley-lessons.png"
    pixels = decode(photo.photo.content)
    assert pixels.size == (800, 600)

    content = load_content()
    expected = charts.chart_rows(content.book, ines.persona.expect)
    check_bars(pixels, expected)  # each lesson's bar shows the level the persona expects
    assert photo.photo.content == charts.render_png(expected, charts.chart_words(content))

    # Sent with the report, before its text; the caption counts the levels in words.
    report = [m for m in messages if REPORT_MARK in m.shown]
    assert report and photo.message_id < report[0].message_id
    assert any(QUOTE_MARK in m.shown for m in messages if m.message_id > photo.message_id)
    assert photo.caption is not None and photo.caption.startswith("<b>Your five lessons")
    counts = {level: list(ines.persona.expect.values()).count(level) for level in charts.LEVELS}
    for level, count in counts.items():
        assert (f"{count} {level}" in photo.shown) == (count > 0), (level, photo.shown)
    [call] = [c for c in fake.calls("sendPhoto") if c.params["chat_id"] == 2001]
    assert call.params["parse_mode"] == "HTML"

    ines.user.sends_command("/report")
    again = ines.user.wait_for(
        lambda m: m.photo is not None and m.message_id > report[-1].message_id,
        description="the chart with the report shown again",
    )
    assert again.photo is not None and again.photo.content == photo.photo.content
    assert parley.errors() == []


def test_a_user_who_knows_nothing_yet_gets_five_hatched_gaps_not_verdicts(
    fake: FakeBotApi, parley: ParleyProcess
) -> None:
    unsure = persona("first_timer_dont_know")
    assert set(unsure.expect.values()) == {"gap"}
    kim = Coachee(fake.user(2002, "Kim"), unsure, press=False)  # types every answer
    drive(fake, [kim], timeout=60, diagnostics=parley.output)
    [photo] = photos(kim.user.messages())
    assert photo.photo is not None and photo.photo.content is not None
    check_bars(decode(photo.photo.content), charts.chart_rows(load_content().book, unsure.expect))
    assert photo.caption == "<b>Your five lessons at a glance:</b> 5 gap."
    assert parley.errors() == []
