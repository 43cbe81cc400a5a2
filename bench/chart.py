"""The lesson chart's cost on the report's path (the coach's database transaction).

The report, chart included, is built while SQLite's write lock is held, on the one database
thread. Three costs matter: the first chart in a fresh process (Pillow's import and the font
set-up, paid once), a chart for levels not drawn before (a render), and one drawn before (a
cache hit: the words and alt text only). Cold runs use fresh interpreters.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import time

from bench.stats import percentile, summary
from bot.coach import charts
from bot.engine.content import load_content
from bot.engine.lessons import LESSON_IDS

COLD_RUNS = 3
COLD = """
import time
from bot.engine.content import load_content
content = load_content()
from bot.coach import charts
started = time.perf_counter()
charts.lesson_chart(content, charts.EXAMPLE)
print(time.perf_counter() - started)
"""


def cold_seconds() -> list[float]:
    return [
        float(
            subprocess.run(
                [sys.executable, "-c", COLD], check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(COLD_RUNS)
    ]


def main(renders: int = 40, hits: int = 2000) -> None:
    print("== lesson chart (800×600 PNG, inside the report's transaction) ==")
    cold = cold_seconds()
    content = load_content()
    charts.lesson_chart(content, charts.EXAMPLE)
    combos = itertools.islice(itertools.product(charts.LEVELS, repeat=len(LESSON_IDS)), renders)
    fresh = []
    for combo in combos:
        started = time.perf_counter()
        chart = charts.lesson_chart(content, dict(zip(LESSON_IDS, combo, strict=True)))
        fresh.append(time.perf_counter() - started)
    cached = []
    for _ in range(hits):
        started = time.perf_counter()
        charts.lesson_chart(content, charts.EXAMPLE)
        cached.append(time.perf_counter() - started)
    print(summary("first chart, no warm-up (cold)", cold, 1e-3, "ms"))
    print(summary("chart for new levels (render)", fresh, 1e-3, "ms"))
    print(summary("chart drawn before (cache hit)", cached))
    print(
        f"PNG size {len(chart.png) / 1024:.0f} KiB; cache holds up to "
        f"{charts.render_png.cache_info().maxsize} charts"
    )
    target = percentile(cached, 0.99) < 1e-3
    print(f"target cache hit p99 < 1 ms: {'met' if target else 'NOT met'}")
