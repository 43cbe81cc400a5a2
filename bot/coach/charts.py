"""The lesson chart: the five lessons at a glance, as a PNG a phone can read.

One row per lesson (in the lesson book's order, so two sessions' charts compare row by row),
a bar whose length is the level on the scale clear < watch < risk, the level written in words at
the end of the row, and a gap (not enough information) drawn as a hatched grey track with no
coloured bar, so nothing depends on colour alone. The colours get darker along the scale, so
they stay distinct for colour-blind readers and in greyscale.

Drawn with Pillow alone (rectangles, lines and Pillow's bundled font): matplotlib and numpy
were 167 MB of install and ~47 MB of memory per process for five bars. The report is built
inside the coach's database transaction (on SQLite: the one database thread, holding the write
lock), and rendering after the commit would need a second kind of outbox row. So PNG bytes are
cached by what they show (the rows and the words on the picture), and the Telegram app calls
`warm_up` on a spare thread at start-up to load the font. The output is deterministic (fixed
font, no metadata), so a cached chart is the chart. Costs: `make bench` (bench/chart.py).

Pure: no SQL, no Telegram. `python -m bot.coach.charts docs/images/lesson-chart.png` draws the README's
example.
"""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.engine.content import Content
from bot.engine.lessons import Finding, LessonBook
from bot.engine.render import Format

WIDTH, HEIGHT, DPI = 800, 600, 100
SCALE = ("clear", "watch", "risk")
LEVELS = (*SCALE, "gap")
NOT_APPLICABLE = "na"
"""A lesson the script says does not fit this negotiation (a mediator with no one in the
middle): drawn as an empty track with the word "n/a", neither a verdict nor a gap."""
ROW_LEVELS = (*LEVELS, NOT_APPLICABLE)
# Light to dark along the scale, so the levels differ in lightness too: apart for every kind of
# colour blindness and in greyscale (red and green are never told apart by hue alone).
COLOURS = {"clear": "#86D0B0", "watch": "#D98E04", "risk": "#B2182B"}
TRACK, GAP_FILL, GAP_HATCH, INK, MUTED = "#EBEBEB", "#D4D4D4", "#5F5F5F", "#1A1A1A", "#555555"
HATCH_STEP = 10
LEFT, RIGHT, TOP, ROW, BAR_TOP, BAR_HEIGHT = 28, 772, 84, 88, 40, 34
MAX_TITLE = 38
log = logging.getLogger(__name__)
EXAMPLE = {
    "power": "risk",
    "time": "watch",
    "forum": "gap",
    "package": "clear",
    "mediator": "watch",
}


@dataclass(frozen=True)
class ChartRow:
    """One lesson as the chart shows it: the data behind the picture."""

    lesson_id: str
    title: str
    level: str


@dataclass(frozen=True)
class ChartWords:
    """The words on the picture (from dialogues/messages.yaml), part of the cache key."""

    title: str
    clear: str
    watch: str
    risk: str
    gap: str
    gap_note: str
    na: str

    def level(self, level: str) -> str:
        return str(getattr(self, level))


@dataclass(frozen=True)
class Chart:
    """The PNG, the rows it draws, its text alternative and a short caption."""

    png: bytes
    rows: tuple[ChartRow, ...]
    alt: str
    caption: str


def chart_rows(book: LessonBook, levels: Mapping[str, str]) -> tuple[ChartRow, ...]:
    """The book's lessons in order with their levels; a lesson without a verdict is a gap."""
    rows = []
    for lesson in book.lessons:
        level = levels.get(lesson.id, "gap")
        rows.append(ChartRow(lesson.id, lesson.title, level if level in ROW_LEVELS else "gap"))
    return tuple(rows)


def chart_words(content: Content, title: str = "chart_title") -> ChartWords:
    """The picture's words, from the content's phrases (so authors can reword them); `title`
    names the heading's phrase ("Your five lessons" for the person, another for a reviewer)."""
    return ChartWords(
        content.say(title, "text"),
        *(content.say(f"chart_{key}", "text") for key in (*LEVELS, "gap_note", "na")),
    )


def chart_alt(content: Content, rows: tuple[ChartRow, ...], words: ChartWords) -> str:
    """The chart's text alternative: every lesson with its level in words."""
    described = [{"title": r.title, "level": r.level, "word": words.level(r.level)} for r in rows]
    return content.say("chart_alt", "text", rows=described)


def lesson_chart_alt(content: Content, levels: Mapping[str, str]) -> str:
    """The text alternative of `lesson_chart(content, levels)` without drawing it (for a page
    that links the picture and needs only its words)."""
    return chart_alt(content, chart_rows(content.book, levels), chart_words(content))


def lesson_chart(
    content: Content, levels: Mapping[str, str], fmt: Format = "html", title: str = "chart_title"
) -> Chart:
    """The chart of one session's levels ({lesson id: level}), with its alt text and caption."""
    rows = chart_rows(content.book, levels)
    words = chart_words(content, title)
    counts = [
        {"count": count, "word": words.level(level)}
        for level in ("risk", "watch", "gap", "clear", NOT_APPLICABLE)
        if (count := sum(r.level == level for r in rows))
    ]
    return Chart(
        png=render_png(rows, words),
        rows=rows,
        alt=chart_alt(content, rows, words),
        caption=content.say("chart_caption", fmt, counts=counts),
    )


def findings_chart(content: Content, findings: Sequence[Finding], fmt: Format = "html") -> Chart:
    """The chart of a report's findings (what `content.findings(conversation)` returns); a
    lesson that does not apply is shown as "n/a", not as the clear its finding reports."""
    levels = {f.lesson.id: f.level if f.applies else NOT_APPLICABLE for f in findings}
    return lesson_chart(content, levels, fmt)


# ---- drawing -------------------------------------------------------------------------------


def bar_box(index: int) -> tuple[int, int, int, int]:
    """Row `index`'s track in pixels (left, top, right, bottom; origin top left)."""
    top = TOP + index * ROW + BAR_TOP
    return LEFT, top, RIGHT, top + BAR_HEIGHT


def bar_end(level: str) -> int:
    """Where a level's bar ends (x in pixels): a third of the track per step of the scale."""
    steps = SCALE.index(level) + 1 if level in SCALE else len(SCALE)
    return LEFT + round((RIGHT - LEFT) * steps / len(SCALE))


@lru_cache(maxsize=256)
def render_png(rows: tuple[ChartRow, ...], words: ChartWords) -> bytes:
    """PNG bytes, WIDTH × HEIGHT; the same rows and words always give the same bytes."""
    return _draw(rows, words)


def warm_up() -> None:
    """Load the font now (the Telegram app calls this on a spare thread at start-up), so the
    first report pays only a render. Best effort: a failure here is logged, and the report goes
    without a chart if it recurs."""
    try:
        _draw((ChartRow("power", "Warm-up", "gap"),), ChartWords("Warm-up", *LEVELS, "a gap", "na"))
    except Exception:
        log.exception("lesson chart warm-up failed")


def _draw(rows: tuple[ChartRow, ...], words: ChartWords) -> bytes:
    canvas = _Canvas()
    canvas.text(LEFT, 44, words.title, 24, anchor="lm", bold=True)
    for index, row in enumerate(rows):
        left, top, right, bottom = bar_box(index)
        label_y = top - 17
        title = row.title if len(row.title) <= MAX_TITLE else row.title[: MAX_TITLE - 1] + "…"
        canvas.text(left, label_y, title, 19, anchor="lm")
        if row.level == "gap":
            canvas.text(right, label_y, words.gap, 19, anchor="rm", colour=MUTED)
            canvas.box(left, top, right, bottom, GAP_FILL, hatched=True)
            continue
        if row.level == "na":  # doesn't apply: an empty track, said in words
            canvas.text(right, label_y, words.na, 19, anchor="rm", colour=MUTED)
            canvas.box(left, top, right, bottom, TRACK)
            continue
        canvas.text(right, label_y, words.level(row.level).upper(), 19, anchor="rm", bold=True)
        canvas.box(left, top, right, bottom, TRACK)
        canvas.box(left, top, bar_end(row.level), bottom, COLOURS[row.level])
        for level in SCALE[:-1]:  # the scale's thirds, marked on every track
            canvas.box(bar_end(level) - 1, top, bar_end(level) + 1, bottom, "#FFFFFF")
    scale_y = TOP + len(rows) * ROW + 14
    for start, level in zip((LEFT, *map(bar_end, SCALE[:-1])), SCALE, strict=True):
        centre = (start + bar_end(level)) // 2
        canvas.text(centre, scale_y, words.level(level), 17, anchor="mm", colour=MUTED)
    canvas.box(LEFT, scale_y + 24, LEFT + 40, scale_y + 46, GAP_FILL, hatched=True)
    canvas.text(LEFT + 52, scale_y + 35, words.gap_note, 16, anchor="lm", colour=MUTED)
    return canvas.png()


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's own bundled font at `size` pixels: the same glyphs on every machine with the
    pinned Pillow, and no font file of ours."""
    return ImageFont.load_default(size=size)


class _Canvas:
    """A white WIDTH × HEIGHT picture drawn in pixel coordinates (origin top left)."""

    def __init__(self) -> None:
        self.image = Image.new("RGB", (WIDTH, HEIGHT), "#FFFFFF")
        self.draw = ImageDraw.Draw(self.image)

    def text(
        self,
        x: int,
        y: int,
        words: str,
        size: int,
        anchor: str,
        colour: str = INK,
        bold: bool = False,
    ) -> None:
        """Text placed by `anchor` (Pillow's: "lm" left-middle, "rm", "mm") on (x, y); bold
        is drawn with a one-pixel stroke of the same colour (the bundled font has one weight)."""
        self.draw.text(
            (x, y),
            words,
            fill=colour,
            font=_font(size),
            anchor=anchor,
            stroke_width=1 if bold else 0,
            stroke_fill=colour,
        )

    def box(
        self, left: int, top: int, right: int, bottom: int, fill: str, hatched: bool = False
    ) -> None:
        """A filled rectangle; `hatched` adds diagonal lines (//) every HATCH_STEP pixels, in
        solid colour (no smoothing), so the hatching shows without colour."""
        self.draw.rectangle((left, top, right - 1, bottom - 1), fill=fill)
        if not hatched:
            return
        tile = Image.new("RGB", (right - left, bottom - top), fill)
        lines = ImageDraw.Draw(tile)
        height = bottom - top
        for start in range(0, right - left + height, HATCH_STEP):
            lines.line((start, 0, start - height, height), fill=GAP_HATCH, width=2)
        self.image.paste(tile, (left, top))

    def png(self) -> bytes:
        out = io.BytesIO()
        self.image.save(out, format="PNG")  # no text chunks, no timestamp
        return out.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bot.coach.charts PATH`: draw the example chart (the README's picture) to PATH."""
    from bot.engine.content import load_content

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m bot.coach.charts PATH.png", file=sys.stderr)
        return 2
    chart = lesson_chart(load_content(), EXAMPLE, "text")
    Path(args[0]).write_bytes(chart.png)
    print(f"{args[0]}: {len(chart.png)} bytes. {chart.alt}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
