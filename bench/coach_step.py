"""One coaching step through the coach service on SQLite, against bare transitions triggers.

A step is what one answer costs: a transaction that claims the delivery, loads and locks the
session, runs the transition, stores answer + transcript + outbox rows, renders the next prompt
and commits (WAL, synchronous=NORMAL). The baseline is the same script's shared Machine firing
`answer` on a model with no storage, measured in the same run.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date

from bench.stats import percentile, summary
from bot.coach.messages import Inbound
from bot.engine.content import load_content
from bot.engine.script import END
from bot.wiring import coach_service
from storage.database import open_database
from tests import persona as persona_file


def _answer_lists() -> list[list[str]]:
    """The personas' answers as typed today (their dates are relative to the day they run)."""
    return [persona_file.answers(path, date.today()) for path in persona_file.paths()]


def bare_transitions(steps: int) -> list[float]:
    content = load_content()
    dialogue = content.dialogue
    answers = _answer_lists()
    samples: list[float] = []
    today = date.today()
    while len(samples) < steps:
        for persona in answers:
            conv = dialogue.start()
            for text in persona:
                if conv.state == END:  # a persona's picks after "Did you mean ...?" remain
                    break
                question = content.script.question(conv.state)
                from bot.engine.answers import parse_answer

                parsed = parse_answer(question, text, today, content.engine_phrases)
                value = getattr(parsed, "value", None)
                conv.values[conv.state] = value
                started = time.perf_counter()
                dialogue._fire(conv, "answer")
                samples.append(time.perf_counter() - started)
    return samples[:steps]


def coach_steps(steps: int) -> list[float]:
    content = load_content()
    answers = _answer_lists()
    samples: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        service = coach_service(open_database(f"sqlite:///{folder}/bench.db"), content)
        user = 0
        while len(samples) < steps:
            for persona in answers:
                user += 1
                ref = f"bench{user}"
                service.handle(Inbound("console", ref, ref, f"{ref}-0", text="/start"))
                for index, text in enumerate(persona, start=1):
                    inbound = Inbound("console", ref, ref, f"{ref}-{index}", text=text)
                    started = time.perf_counter()
                    service.handle(inbound)
                    samples.append(time.perf_counter() - started)
        service.close()
        service.engine.dispose()
    return samples[:steps]


def main(steps: int = 5000) -> None:
    print(f"== coaching step (SQLite file, {steps} steps) ==")
    coach_steps(200)  # warm-up: imports, template compilation, SQLite cache
    bare = bare_transitions(steps)
    coach = coach_steps(steps)
    print(summary("bare transitions trigger", bare))
    print(summary("coach service step", coach))
    ratio50 = percentile(coach, 0.5) / percentile(bare, 0.5)
    print(f"ratio coach/bare p50 = {ratio50:.1f}x")
    target = percentile(coach, 0.5) < 1e-3 and percentile(coach, 0.99) < 5e-3
    print(f"target p50 < 1 ms and p99 < 5 ms: {'met' if target else 'NOT met'}")
