"""python -m bench [NAME ...]: run the named benchmarks (all by default)."""

from __future__ import annotations

import argparse
import logging

from bench import chart, coach_step, rehearsal, telegram_e2e, understanding, web_pages

BENCHMARKS = {
    "coach_step": coach_step.main,
    "chart": chart.main,
    "rehearsal": rehearsal.main,
    "telegram_e2e": telegram_e2e.main,
    "web_pages": web_pages.main,
    "understanding": understanding.main,
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", choices=[*BENCHMARKS, []], default=[])
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    for name in args.names or list(BENCHMARKS):
        BENCHMARKS[name]()


main()
