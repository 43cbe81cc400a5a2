"""How well free-text answers are read: the labelled corpus of tests/engine, per question kind.

Prints, per kind, the share read right or asked back (target ≥ 95 %) and the share taken
wrongly without asking (target ≤ 1 %), then what one reading costs: the first pass (dates go
through dateparser, already warmed up as at start) and a second pass over the same answers
(kept readings), as p50/p99.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import yaml

from bench.stats import summary
from bot.engine.content import load_content
from bot.engine.dates import warm_up
from bot.engine.reading import explain, score

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "engine" / "understanding_corpus.yaml"


def main() -> None:
    warm_up()
    content = load_content()
    corpus: dict[str, Any] = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    questions = {q.id: q for q in content.script.questions}
    today, answers = corpus["today"], corpus["answers"]
    total = sum(len(rows) for rows in answers.values())
    print(f"== understanding answers ({total} labelled answers) ==")
    met = True
    for kind, found in sorted(score(questions, answers, today, content.engine_phrases).items()):
        ok = found.right_share >= 0.95 and found.silent_share <= 0.01
        met = met and ok
        print(
            f"{kind:<7} n={found.answers:>4}  read right or asked {found.right_share:6.1%}"
            f"  silently wrong {found.silent_share:5.1%}  {'met' if ok else 'NOT met'}"
        )
    print(
        f"target ≥ 95 % right or asked, ≤ 1 % silently wrong, every kind: {'met' if met else 'NOT met'}"
    )
    for label in ("first reading", "kept reading"):
        samples = []
        for question_id, rows in answers.items():
            question = questions[question_id]
            for text, _label in rows:
                started = time.perf_counter()
                explain(question, text, today, content.engine_phrases)
                samples.append(time.perf_counter() - started)
        print(summary(f"one answer read ({label})", samples))
