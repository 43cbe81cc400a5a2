"""The lesson chart: the five lessons at a glance, as a PNG a phone can read.

One row per lesson (in the lesson book's order, so two sessions' charts compare row by row),
a bar whose length is the level on the scale clear < watch < risk, the level written in words at
the end of the row, and a gap (not enough information) drawn as a hatched grey track with no
coloured bar, so nothing depends on colour alone. The colours get darker along the scale, so
they stay distinct for colour-blind readers and in greyscale.

Cost (`make bench`, bench/chart.py): matplotlib's import and font set-up ~0.4 s once, a render
~50 ms, a chart drawn before ~60 µs. The report is built inside the coach's database transaction
(on SQLite: the one database thread, holding the write lock), and rendering after the commit
would need a second kind of outbox row. So PNG bytes are cached by what they show (the rows and
the words on the picture: five lessons with four levels make 1,024 charts at most), matplotlib is
imported lazily, and the Telegram app calls `warm_up` on a spare thread at start-up: a report
pays at most one ~50 ms render, for levels this process has not drawn yet. The output is
deterministic (fixed font, no metadata), so a cached chart is the chart.

Pure: no SQL, no Telegram. `python -m bot.coach.charts docs/images/lesson-chart.png` draws the README's
example.
"""

from __future__ import annotations

import io
import logging
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.engine.content import Content
from bot.engine.lessons import Finding, LessonBook
from bot.engine.render import Format

WIDTH, HEIGHT, DPI = 800, 600, 100
SCALE = ("clear", "watch", "risk")
LEVELS = (*SCALE, "gap")
# Light to dark along the scale, so the levels differ in lightness too: apart for every kind of
# colour blindness and in greyscale (red and green are never told apart by hue alone).
COLOURS = {"clear": "#86D0B0", "watch": "#D98E04", "risk": "#B2182B"}
TRACK, GAP_FILL, GAP_HATCH, INK, MUTED = "#EBEBEB", "#D4D4D4", "#5F5F5F", "#1A1A1A", "#555555"
FONT = "DejaVu Sans"  # ships with matplotlib: the same glyphs on every machine
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
        rows.append(ChartRow(lesson.id, lesson.title, level if level in LEVELS else "gap"))
    return tuple(rows)


def chart_words(content: Content, title: str = "chart_title") -> ChartWords:
    """The picture's words, from the content's phrases (so authors can reword them); `title`
    names the heading's phrase ("Your five lessons" for the person, another for a reviewer)."""
    return ChartWords(
        content.say(title, "text"),
        *(content.say(f"chart_{key}", "text") for key in (*LEVELS, "gap_note")),
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
        for level in ("risk", "watch", "gap", "clear")
        if (count := sum(r.level == level for r in rows))
    ]
    return Chart(
        png=render_png(rows, words),
        rows=rows,
        alt=chart_alt(content, rows, words),
        caption=content.say("chart_caption", fmt, counts=counts),
    )


def findings_chart(content: Content, findings: Sequence[Finding], fmt: Format = "html") -> Chart:
    """The chart of a report's findings (what `content.findings(conversation)` returns)."""
    return lesson_chart(content, {f.lesson.id: f.level for f in findings}, fmt)


# ---- drawing -------------------------------------------------------------------------------


def bar_box(index: int) -> tuple[int, int, int, int]:
    """Row `index`'s track in pixels (left, top, right, bottom; origin top left)."""
    top = TOP + index * ROW + BAR_TOP
    return LEFT, top, RIGHT, top + BAR_HEIGHT


def bar_end(level: str) -> int:
    """Where a level's bar ends (x in pixels): a third of the track per step of the scale."""
    steps = SCALE.index(level) + 1 if level in SCALE else len(SCALE)
    return LEFT + round((RIGHT - LEFT) * steps / len(SCALE))


_lock = threading.Lock()


@lru_cache(maxsize=256)
def render_png(rows: tuple[ChartRow, ...], words: ChartWords) -> bytes:
    """PNG bytes, WIDTH × HEIGHT; the same rows and words always give the same bytes."""
    with _lock:  # one figure at a time: matplotlib's font cache and Agg are not for threads
        return _draw(rows, words)


def warm_up() -> None:
    """Import matplotlib and load the font now (the Telegram app calls this on a spare thread at
    start-up), so the first report pays a render, not half a second under the database lock.
    Best effort: a failure here is logged, and the report goes without a chart if it recurs."""
    try:
        with _lock:
            _draw((ChartRow("power", "Warm-up", "gap"),), ChartWords("Warm-up", *LEVELS, "a gap"))
    except Exception:
        log.exception("lesson chart warm-up failed")


def _draw(rows: tuple[ChartRow, ...], words: ChartWords) -> bytes:
    canvas = _Canvas()
    canvas.text(LEFT, 44, words.title, 24, fontweight="bold")
    for index, row in enumerate(rows):
        left, top, right, bottom = bar_box(index)
        label_y = top - 17
        title = row.title if len(row.title) <= MAX_TITLE else row.title[: MAX_TITLE - 1] + "…"
        canvas.text(left, label_y, title, 19)
        if row.level == "gap":
            canvas.text(right, label_y, words.gap, 19, ha="right", style="italic", color=MUTED)
            canvas.box(left, top, right, bottom, GAP_FILL, hatched=True)
            continue
        canvas.text(right, label_y, words.level(row.level).upper(), 19, ha="right", weight="bold")
        canvas.box(left, top, right, bottom, TRACK)
        canvas.box(left, top, bar_end(row.level), bottom, COLOURS[row.level])
        for level in SCALE[:-1]:  # the scale's thirds, marked on every track
            canvas.box(bar_end(level) - 1, top, bar_end(level) + 1, bottom, "white")
    scale_y = TOP + len(rows) * ROW + 14
    for start, level in zip((LEFT, *map(bar_end, SCALE[:-1])), SCALE, strict=True):
        centre = (start + bar_end(level)) / 2
        canvas.text(centre, scale_y, words.level(level), 17, ha="center", color=MUTED)
    canvas.box(LEFT, scale_y + 24, LEFT + 40, scale_y + 46, GAP_FILL, hatched=True)
    canvas.text(LEFT + 52, scale_y + 35, words.gap_note, 16, color=MUTED)
    return canvas.png()


class _Canvas:
    """A white WIDTH × HEIGHT picture drawn in pixel coordinates (origin top left)."""

    def __init__(self) -> None:
        # Imported here: half a second that a process which never shows a report does not pay.
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, facecolor="white")
        FigureCanvasAgg(self.figure)

    def text(self, x: float, y: float, words: str, size: int, **style: Any) -> None:
        """Text vertically centred on y; never parsed as maths (a "$" stays a "$")."""
        style = {"fontfamily": FONT, "color": INK, "va": "center", **style}
        self.figure.text(x / WIDTH, 1 - y / HEIGHT, words, fontsize=size, parse_math=False, **style)

    def box(
        self, left: int, top: int, right: int, bottom: int, fill: str, hatched: bool = False
    ) -> None:
        from matplotlib.patches import Rectangle

        patch = Rectangle(
            (left / WIDTH, 1 - bottom / HEIGHT),
            (right - left) / WIDTH,
            (bottom - top) / HEIGHT,
            facecolor=fill,
            linewidth=0,
            transform=self.figure.transFigure,
        )
        if hatched:
            patch.set_hatch("//")
            patch.set_hatchcolor(GAP_HATCH)
            patch.set_hatch_linewidth(2.0)
        self.figure.add_artist(patch)

    def png(self) -> bytes:
        out = io.BytesIO()
        metadata = {"Software": None}  # no version stamp: the bytes depend on the picture only
        self.figure.savefig(out, format="png", dpi=DPI, facecolor="white", metadata=metadata)
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
