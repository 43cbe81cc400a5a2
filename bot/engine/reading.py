"""How one answer is read, as data: the author's view (`python -m bot dialogues understand`),
the labelled corpus's test and `make bench` all ask this one function, so what they measure is
what the coach does."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.engine.answers import Invalid, Unsure, Valid, parse_answer
from bot.engine.conditions import UNKNOWN, cue_book, items
from bot.engine.phrases import Phrases
from bot.engine.script import Question


def explain(
    question: Question, text: str, today: date, words: Phrases, order: str | None = None
) -> dict[str, Any]:
    """kind; option / candidates / none; number; date; items; cues; dont_know; confirm."""
    parsed = parse_answer(question, text, today, words, order)
    out: dict[str, Any] = {"question": question.id, "kind": question.kind, "text": text}
    value: Any = parsed.value if isinstance(parsed, Valid) else None
    read = value is not None and value != UNKNOWN
    out["option"] = value if read and question.kind == "choice" else None
    out["candidates"] = list(parsed.candidates) if isinstance(parsed, Unsure) else []
    out["labels"] = list(parsed.labels) if isinstance(parsed, Unsure) else []
    out["none"] = isinstance(parsed, Invalid) or (value is None and not out["candidates"])
    out["number"] = value if read and question.kind == "scale" else None
    out["date"] = value if read and question.kind == "date" else None
    out["items"] = items(str(value)) if read and question.kind == "text" else None
    out["dont_know"] = value == UNKNOWN
    out["confirm"] = isinstance(parsed, Unsure)
    if isinstance(parsed, Invalid):
        out["reason"] = parsed.reason
    book = cue_book()
    out["cues"] = sorted(name for name in book.cues if book.match(name, text) is not None)
    return out


def reading(found: dict[str, Any]) -> Any:
    """The one value an explained answer was read as (or "confirm" / "ask"), for comparing
    with a corpus label."""
    if found["confirm"]:
        return "confirm"
    if found["dont_know"]:
        return UNKNOWN
    for key in ("option", "number", "date", "items"):
        if found[key] is not None:
            return found[key]
    return "ask"


@dataclass
class Score:
    """How a labelled corpus of one question kind was read."""

    answers: int = 0
    right: int = 0
    """Read as labelled, or asked back (a pick or a re-ask) where a reading was uncertain."""
    silently_wrong: int = 0
    """Taken as something other than the label, without asking: the failure that matters."""
    misses: list[str] = field(default_factory=list)

    @property
    def right_share(self) -> float:
        return self.right / self.answers if self.answers else 1.0

    @property
    def silent_share(self) -> float:
        return self.silently_wrong / self.answers if self.answers else 0.0


def judge(label: Any, found: dict[str, Any]) -> str:
    """ "right", "silent" (taken wrongly without asking) or "missed" (asked, but not what the
    label needs: a re-ask where a reading was certain, or a confirmation without the label).
    Labels: a value, "unknown", "confirm" (a careful human would ask back) or "ask" (nothing
    fits); asking back in either way is right for the last two."""
    got = reading(found)
    label = label.isoformat() if isinstance(label, date) else label
    if got == label:
        return "right"
    if got in ("confirm", "ask"):
        asked = label in ("confirm", "ask") or label in found["candidates"]
        return "right" if asked else "missed"
    return "silent"


def score(
    questions: Mapping[str, Question],
    corpus: Mapping[str, list[tuple[str, Any]]],
    today: date,
    words: Phrases,
) -> dict[str, Score]:
    """Per question kind: every labelled answer of `corpus` (question id -> [text, label])
    read and judged."""
    scores: dict[str, Score] = {}
    for question_id, rows in corpus.items():
        question = questions[question_id]
        kind = scores.setdefault(question.kind, Score())
        for text, label in rows:
            verdict = judge(label, explain(question, text, today, words))
            kind.answers += 1
            kind.right += verdict == "right"
            kind.silently_wrong += verdict == "silent"
            if verdict != "right":
                kind.misses.append(f"{verdict}: {question_id} {text!r} (label {label!r})")
    return scores
