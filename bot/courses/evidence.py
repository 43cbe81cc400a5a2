"""Readable evidence on a session under review (issue 14, item 3): what each answer in the
transcript was an answer to, said the way the report quotes it.

A student who answered "3" to a choice typed a digit; the reviewer needs "who needs an
agreement more: They do". Each user line that answered a question gets the question in short
(the script's `short`, else the question's own sentence from the bot's line that asked it) and
the option label it was read as (the stored answer for the answer that stood; the option at
that number for one the student later changed with /back). A GAP lesson lists the questions left
unanswered the same way. No words are made here: the template says how to join them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from textwrap import shorten
from typing import Any

from bot.courses.types import ReviewLine
from bot.engine.content import Content
from bot.engine.script import Question

SHORT = 80
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")
_TITLE = re.compile(r"(?:^|\s)(?:Mr|Mrs|Ms|Dr|Prof|St)\.$")


@dataclass(frozen=True)
class AnswerContext:
    """What one student line answered: the question in short and the option it was read as
    ("" when the line says it already, as free text does)."""

    question: str
    label: str
    kind: str


def in_short(question: Question | None, asked: str) -> str:
    """The question in short: its `short` (written for quoting), else the sentence of the bot's
    line that asks (the one ending in "?"), cut to 80 characters."""
    if question is not None and question.short:
        return question.short
    sentences: list[str] = []
    for piece in (p.strip() for p in _SENTENCE.split(asked) if p.strip()):
        if sentences and _TITLE.search(sentences[-1]):  # "Mr. Okafor" is one sentence
            sentences[-1] += " " + piece
        else:
            sentences.append(piece)
    asking = [s for s in sentences if s.endswith("?")]
    chosen = asking[-1] if asking else sentences[0] if sentences else ""
    return shorten(chosen or (question.id if question else ""), SHORT, placeholder="…")


def _label(question: Question, typed: str, stood: str | None) -> str:
    """The option the line was read as; "" when it would only repeat what was typed."""
    label = stood
    if label is None and question.kind == "choice" and typed.strip().isdigit():
        index = int(typed.strip()) - 1
        label = question.options[index].label if 0 <= index < len(question.options) else None
    if label is None and question.kind == "scale":
        label = typed.strip() if typed.strip().isdigit() else None
    if not label or question.kind in ("text",):
        return ""
    if question.kind != "scale" and label.casefold() == typed.strip().casefold():
        return ""
    return label


def answer_contexts(
    content: Content, export: dict[str, Any], lines: list[ReviewLine]
) -> dict[int, AnswerContext]:
    """line id -> what that student line answered, for every line that answered a question."""
    script_id = str(export.get("session", {}).get("script", ""))
    if not content.has_script(script_id):
        return {}
    script = content.for_script(script_id).script
    known = {q.id: q for q in script.questions}
    stood = {str(a["question"]): str(a.get("shown", "")) for a in export.get("answers", [])}
    last = {line.question_id: line.id for line in lines if line.sender == "user"}
    asked_text: dict[str, str] = {}
    found: dict[int, AnswerContext] = {}
    for line in lines:
        question = known.get(line.question_id or "")
        if line.sender != "user":
            if question is not None:
                asked_text[question.id] = line.text
            continue
        if question is None:
            continue
        final = stood.get(question.id) if last.get(question.id) == line.id else None
        found[line.id] = AnswerContext(
            question=in_short(question, asked_text.get(question.id, "")),
            label=_label(question, line.text, final),
            kind=question.kind,
        )
    return found


def unanswered(content: Content, export: dict[str, Any]) -> dict[str, list[str]]:
    """lesson id -> the questions (in short) a GAP lesson was left without: answered "I don't
    know" or skipped, as the report's gaps list them."""
    script_id = str(export.get("session", {}).get("script", ""))
    known = (
        {q.id: q for q in content.for_script(script_id).script.questions}
        if content.has_script(script_id)
        else {}
    )
    return {
        str(lesson["id"]): [
            in_short(known.get(str(gap.get("question"))), str(gap.get("prompt", "")))
            for gap in lesson.get("gaps", [])
        ]
        for lesson in export.get("lessons", [])
        if lesson.get("gaps")
    }
