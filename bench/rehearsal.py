"""Rehearsal: how well the reply cues read the corpus, and what one rehearsal turn costs.

The corpus (tests/rehearsal/corpus.yaml, ≥ 200 replies labelled by hand, written before the
phrase lists) is read moment by moment exactly as a rehearsal reads it: only the cues and traps
the moment lists. Precision and recall per cue and trap (target ≥ 0.9 each), then the p99 of a
rehearsal turn's engine work (read the reply, compose the feedback; target < 5 ms) over every
corpus reply with fresh caches.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bench.stats import percentile, summary
from bot.coach.messages import Inbound
from bot.engine.content import Content, load_content
from bot.engine.machine import Conversation
from bot.engine.rehearsal import RehearsalBook, material
from bot.wiring import coach_service
from storage.database import open_database
from tests import persona as persona_file

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "rehearsal" / "corpus.yaml"
TARGET = 0.9
P99_TARGET = 0.005


def corpus() -> dict[str, list[tuple[str, set[str]]]]:
    raw = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    return {
        moment: [(text, set(labels)) for text, labels in replies]
        for moment, replies in raw["replies"].items()
    }


def _book(content: Content) -> RehearsalBook:
    assert content.rehearsal is not None
    return content.rehearsal


def scores(content: Content) -> dict[str, dict[str, Any]]:
    """label -> {tp, fp, fn, precision, recall, misses: [(moment, text)], false: [...]}."""
    book = _book(content)
    table: dict[str, dict[str, Any]] = {}
    for moment_id, replies in corpus().items():
        moment = book.moments[moment_id]
        for text, gold in replies:
            cues, traps = book.read(moment, text)
            found = {f.name for f in (*cues, *traps)}
            for label in (*moment.good, *moment.traps):
                row = table.setdefault(
                    label, {"tp": 0, "fp": 0, "fn": 0, "misses": [], "false": []}
                )
                if label in found and label in gold:
                    row["tp"] += 1
                elif label in found:
                    row["fp"] += 1
                    row["false"].append((moment_id, text))
                elif label in gold:
                    row["fn"] += 1
                    row["misses"].append((moment_id, text))
    for row in table.values():
        row["precision"] = row["tp"] / (row["tp"] + row["fp"]) if row["tp"] + row["fp"] else 1.0
        row["recall"] = row["tp"] / (row["tp"] + row["fn"]) if row["tp"] + row["fn"] else 1.0
    return table


def turn_seconds(content: Content, clock: Callable[[], float] = time.perf_counter) -> list[float]:
    """One rehearsal turn's engine work per corpus reply: read it and compose the feedback.
    `clock`: wall time, or `time.thread_time` for the CPU this thread spent (on a loaded
    machine the wall p99 mostly measures waiting for a core)."""
    book = _book(content)
    conv = Conversation(state="done")
    conv.shown = {"other_side": "my landlord", "package_issues": "the rent, the repairs"}
    conv.values = {"other_side": "my landlord", "package_issues": "the rent, the repairs"}
    said = material(content.context(conv))
    _time_all(book, content, said, [], clock)  # compiles each template once, as a process does
    samples: list[float] = []
    _time_all(book, content, said, samples, clock)
    return samples


def _time_all(
    book: RehearsalBook,
    content: Content,
    said: dict[str, Any],
    samples: list[float],
    clock: Callable[[], float],
) -> None:
    for moment_id, replies in corpus().items():
        moment = book.moments[moment_id]
        for text, _gold in replies:
            book.cues.forget()  # a reply never read before: no kept readings
            started = clock()
            book.scene(moment, "html", content.renderer, said)
            book.reading(moment, text, content.renderer, "html", said)
            samples.append(clock() - started)


def service_turns(people: int = 12) -> tuple[list[float], list[float]]:
    """Whole rehearsal reply turns through the coach service on a SQLite file (the transaction,
    the stored reply, the transcript lines and the outbox included): each person completes the
    lease persona's preparation, then answers every moment three times with corpus replies."""
    content = load_content()
    replies = [text for moment in corpus().values() for text, _labels in moment]
    samples: list[float] = []
    cpu: list[float] = []
    counter = itertools.count()
    with tempfile.TemporaryDirectory() as folder:
        service = coach_service(open_database(f"sqlite:///{folder}/bench.db"), content)

        def send(user: str, text: str | None = None, button: str | None = None) -> list[Any]:
            inbound = Inbound("console", user, user, f"r{next(counter)}", text=text, button=button)
            return list(service.handle(inbound).messages)

        for person in range(people):
            user = f"p{person}"
            for answer in ["/start", *persona_file.answers("lease_single_issue", date.today())]:
                send(user, answer)
            last = send(user, "/rehearse")
            while True:
                for attempt in range(3):
                    started, used = time.perf_counter(), time.thread_time()
                    last = send(user, replies[next(counter) % len(replies)])
                    samples.append(time.perf_counter() - started)
                    cpu.append(time.thread_time() - used)
                    options = dict(last[-1].options)
                    if attempt < 2:
                        last = send(user, button=options["Try again"])
                if "Next" not in options:
                    break
                send(user, button=options["Next"])
        service.close()
    return samples, cpu


def main() -> None:
    content = load_content()
    table = scores(content)
    total = sum(len(r) for r in corpus().values())
    print(f"rehearsal cues on {total} corpus replies (target ≥ {TARGET} each):")
    for label, row in sorted(table.items()):
        flag = "" if min(row["precision"], row["recall"]) >= TARGET else "  BELOW TARGET"
        print(
            f"  {label:18} precision {row['precision']:.2f}  recall {row['recall']:.2f}"
            f"  (tp {row['tp']}, fp {row['fp']}, fn {row['fn']}){flag}"
        )
    wall = turn_seconds(content)
    cpu = turn_seconds(content, time.thread_time)
    print(summary("rehearsal turn, wall", wall, 1e-3, "ms"))
    print(summary("rehearsal turn, CPU", cpu, 1e-3, "ms"))
    turns, turns_cpu = service_turns()
    print(summary("reply through the service, wall", turns, 1e-3, "ms"))
    print(summary("reply through the service, CPU", turns_cpu, 1e-3, "ms"))
    print(
        f"  p99 wall {percentile(wall, 0.99) * 1e3:.2f} ms, CPU {percentile(cpu, 0.99) * 1e3:.2f} ms"
        f" (target < {P99_TARGET * 1e3:.0f} ms; load average {os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()
