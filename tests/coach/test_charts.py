"""The lesson chart: a phone-sized PNG whose rows, bars and words match the findings."""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from bot.coach import charts
from bot.coach.reports import CHART_FILE, lesson_chart_for_session, report_payloads
from bot.coach.service import CoachService
from bot.engine.content import Content
from bot.engine.lessons import LESSON_IDS
from bot.engine.machine import Conversation
from storage import repository as repo
from storage.records import SessionRecord
from tests import persona as persona_file
from tests.conftest import REPO, Chat

PERSONAS_DIR = REPO / "tests" / "personas"
PERSONAS = sorted(PERSONAS_DIR.glob("*.yaml"))
Pixels = Image.Image


def decode(png: bytes) -> Pixels:
    """The PNG as an RGB picture (it must decode as a PNG to get here)."""
    picture = Image.open(io.BytesIO(png), formats=["PNG"])
    picture.load()
    return picture.convert("RGB")


def colour(pixels: Pixels, x: int, y: int) -> str:
    pixel = pixels.getpixel((x, y))
    assert isinstance(pixel, tuple)
    red, green, blue = pixel[:3]
    return f"#{red:02X}{green:02X}{blue:02X}"


def finished(content: Content, persona: Path) -> Conversation:
    today = date(2026, 11, 25)
    return persona_file.play(content, persona_file.answers(persona, today), today)


@pytest.fixture(scope="module")
def example(content: Content) -> charts.Chart:
    return charts.lesson_chart(content, charts.EXAMPLE)


def test_the_chart_is_a_png_of_800_by_600_pixels(example: charts.Chart) -> None:
    assert example.png.startswith(b"\x89PNG\r\n\x1a\n")
    assert decode(example.png).size == (800, 600)


@pytest.mark.parametrize("persona", PERSONAS, ids=[p.stem for p in PERSONAS])
def test_the_rows_are_the_five_lessons_in_book_order_with_the_findings_levels(
    content: Content, persona: Path
) -> None:
    findings = content.findings(finished(content, persona))
    chart = charts.findings_chart(content, findings)
    expected = {f.lesson.id: f.level if f.applies else charts.NOT_APPLICABLE for f in findings}
    assert [row.lesson_id for row in chart.rows] == [lesson.id for lesson in content.book.lessons]
    assert sorted(row.lesson_id for row in chart.rows) == sorted(LESSON_IDS)
    assert {row.lesson_id: row.level for row in chart.rows} == expected
    assert [row.title for row in chart.rows] == [lesson.title for lesson in content.book.lessons]
    check_bars(decode(chart.png), chart.rows)


def check_bars(pixels: Pixels, rows: tuple[charts.ChartRow, ...]) -> None:
    """Each row's bar is as long as its level and has its level's colour; a gap is hatched."""
    for index, row in enumerate(rows):
        left, top, right, bottom = charts.bar_box(index)
        middle = (top + bottom) // 2
        seen = {colour(pixels, x, y) for x in range(left, right, 3) for y in range(top, bottom)}
        if row.level == "gap":
            assert {charts.GAP_FILL, charts.GAP_HATCH} <= seen, row
            assert not seen & set(charts.COLOURS.values()), row
            continue
        if row.level == charts.NOT_APPLICABLE:  # an empty track: no bar, no hatching
            assert seen == {charts.TRACK}, row
            continue
        end = charts.bar_end(row.level)
        assert colour(pixels, left + 10, middle) == charts.COLOURS[row.level], row
        assert colour(pixels, end - 10, middle) == charts.COLOURS[row.level], row
        if row.level != "risk":
            assert colour(pixels, end + 10, middle) == charts.TRACK, row


def test_bars_grow_from_clear_to_watch_to_risk_and_a_gap_fills_its_track_with_hatching(
    example: charts.Chart,
) -> None:
    levels = [row.level for row in example.rows]
    assert sorted(levels) == sorted(["risk", "watch", "gap", "clear", "watch"])
    assert charts.bar_end("clear") < charts.bar_end("watch") < charts.bar_end("risk")
    assert charts.bar_end("risk") == charts.bar_box(0)[2]
    check_bars(decode(example.png), example.rows)


def test_the_level_colours_differ_for_colour_blind_readers_in_lightness_too() -> None:
    def lightness(hex_colour: str) -> float:
        red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        return 0.299 * red + 0.587 * green + 0.114 * blue

    shades = sorted(lightness(c) for c in [*charts.COLOURS.values(), charts.GAP_FILL])
    assert all(b - a > 15 for a, b in itertools.pairwise(shades)), shades


def test_the_alt_text_names_every_lesson_and_its_level_in_words(
    content: Content, example: charts.Chart
) -> None:
    for row in example.rows:
        assert f"{row.title}: {row.level}" in example.alt
    assert "Talk where deals get made: gap (not enough information yet)." in example.alt
    assert example.alt.startswith("Chart of the five lessons")


def test_the_caption_counts_the_levels_and_fits_telegram(example: charts.Chart) -> None:
    assert example.caption == (
        "<b>Your five lessons at a glance:</b> 1 risk, 2 watch, 1 gap, 1 clear."
    )
    assert len(example.caption) <= 1024


def test_the_same_levels_draw_the_same_bytes_without_a_software_stamp(
    content: Content, example: charts.Chart
) -> None:
    charts.render_png.cache_clear()
    again = charts.lesson_chart(content, charts.EXAMPLE)
    assert again.png == example.png
    assert b"Software" not in again.png and b"tEXt" not in again.png
    other = charts.lesson_chart(content, {**charts.EXAMPLE, "forum": "risk"})
    assert other.png != example.png


def test_a_chart_shown_before_is_served_from_the_cache(content: Content) -> None:
    levels = {"power": "clear", "time": "clear", "forum": "watch", "package": "gap"}
    first = charts.lesson_chart(content, levels)
    hits = charts.render_png.cache_info().hits
    second = charts.lesson_chart(content, levels)
    assert second.png is first.png
    assert charts.render_png.cache_info().hits == hits + 1
    assert [row.level for row in first.rows][-1] == "gap", "a lesson without a verdict is a gap"


def test_an_unknown_level_is_drawn_as_a_gap_never_as_a_verdict(content: Content) -> None:
    chart = charts.lesson_chart(content, dict.fromkeys(LESSON_IDS, "bogus"))
    assert {row.level for row in chart.rows} == {"gap"}
    check_bars(decode(chart.png), chart.rows)


def test_the_telegram_report_starts_with_the_chart_photo_and_the_console_gets_none(
    content: Content,
) -> None:
    conv = finished(content, REPO / "tests" / "personas" / "lease_single_issue.yaml")
    row = SessionRecord(1, 1, "coach", 1, "Lease", "done", [], "completed", 1, None, None)  # type: ignore[arg-type]
    photo, *parts = report_payloads(content, row, conv, "html")
    assert photo["kind"] == "photo" and photo["file"]["name"] == CHART_FILE
    chart = charts.findings_chart(content, content.findings(conv))
    assert photo["text"] == chart.caption and photo["file"]["alt"] == chart.alt
    assert parts and all(p["kind"] == "report" and "file" not in p for p in parts)
    console = report_payloads(content, row, conv, "text")
    assert all("file" not in p for p in console)
    assert [p["text"] for p in console] != []


def test_the_review_site_gets_a_stored_sessions_chart(
    service: CoachService, content: Content
) -> None:
    chat = Chat(service, "rita")
    chat.says("/start")
    for answer in persona_file.answers("lease_single_issue", service.clock().date()):
        chat.says(answer)
    assert "Your report" in chat.text()
    [summary] = service.list_sessions("console", "rita")
    with service.database.begin() as db:
        row = repo.get_session(db, summary.id)
        assert row is not None
        chart = lesson_chart_for_session(db, content, row)
    exported = service.export(summary.id)
    assert exported is not None
    assert {r.lesson_id: r.level for r in chart.rows} == {
        lesson["id"]: lesson["level"] for lesson in exported["lessons"]
    }
    assert decode(chart.png).size == (800, 600)


def test_the_readme_image_is_the_example_chart_as_drawn_today(
    example: charts.Chart, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped = REPO / "docs" / "images" / "lesson-chart.png"
    assert shipped.read_bytes() == example.png, "run: python -m bot.coach.charts " + str(shipped)
    assert "![" in (REPO / "README.md").read_text(encoding="utf-8").split("lesson-chart.png")[0]
    target = tmp_path / "chart.png"
    main: Callable[[list[str]], int] = charts.main
    assert main([str(target)]) == 0
    assert target.read_bytes() == example.png
    assert "Power is not size: risk" in capsys.readouterr().out


def test_a_lesson_that_does_not_apply_is_n_a_on_the_chart_not_clear(content: Content) -> None:
    """Lina has no one in the middle: the mediator lesson doesn't apply to her."""
    findings = content.findings(finished(content, PERSONAS_DIR / "freelancer_no_third_party.yaml"))
    [mediator] = [f for f in findings if f.lesson.id == "mediator"]
    assert not mediator.applies and mediator.level == "clear"
    chart = charts.findings_chart(content, findings)
    assert {r.lesson_id: r.level for r in chart.rows}["mediator"] == charts.NOT_APPLICABLE
    assert "A mediator is not your agent: n/a (doesn't apply here)." in chart.alt
    assert "1 n/a" in chart.caption
    check_bars(decode(chart.png), chart.rows)
