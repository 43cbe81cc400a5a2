"""How one answer is read, as data: the author's view (`python -m bot dialogues understand`),
the labelled corpus's test and `make bench` all ask this one function, so what they measure is
what the coach does."""

from __future__ import annotations

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
    out["dont_know"] = value == UNKNOWN
    out["confirm"] = isinstance(parsed, Unsure)
    if isinstance(parsed, Unsure):
        out["candidates"] = list(parsed.candidates)
        out["labels"] = list(parsed.labels)
    elif isinstance(parsed, Invalid) or value is None:
        out["none"] = True
        if isinstance(parsed, Invalid):
            out["reason"] = parsed.reason
    elif question.kind == "choice":
        out["option"] = value
    elif question.kind == "scale":
        out["number"] = value if value != UNKNOWN else None
    elif question.kind == "date":
        out["date"] = value if value != UNKNOWN else None
    if question.kind == "text" and isinstance(parsed, Valid) and value != UNKNOWN:
        out["items"] = items(str(value))
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
        if key in found:
            return found[key]
    return "ask"
