"""The five lessons and the deterministic mapping from answers to findings.

A lesson's level is explainable by construction: it comes only from the named rules that fired
(total weight 0 → clear, 1 → watch, 2+ → risk). "I don't know" answers in a lesson's block are an
information gap: a lesson with no fired rule but an unanswered gap is reported as `gap`, never as a
wrong assumption.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.engine.conditions import UNKNOWN
from bot.engine.errors import ScriptError
from bot.engine.script import Script, read_yaml

LESSON_IDS = ("power", "time", "forum", "package", "mediator")
Level = Literal["clear", "watch", "risk", "gap"]
LEVEL_ORDER: dict[str, int] = {"risk": 0, "watch": 1, "gap": 2, "clear": 3}


class Lesson(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    assumption: str
    summary: str
    advice: str
    action: str
    gap_action: str
    research: str = ""


class Quote(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    author: str


class LessonBook(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    source: str
    quote: Quote
    lessons: tuple[Lesson, ...]

    def lesson(self, lesson_id: str) -> Lesson:
        return next(item for item in self.lessons if item.id == lesson_id)


def load_lessons(path: Path) -> LessonBook:
    """Load lessons.yaml; the five fixed ids must all be there, each once."""
    raw = read_yaml(path)
    try:
        book = LessonBook.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        entry = None
        if len(loc) >= 2 and loc[0] == "lessons" and isinstance(loc[1], int):
            entry = f"lesson #{loc[1] + 1}"
            loc = loc[2:]
        field = ".".join(str(p) for p in loc) or "(file)"
        raise ScriptError(str(path), entry, field, err["msg"]) from None
    ids = [lesson.id for lesson in book.lessons]
    if sorted(ids) != sorted(LESSON_IDS):
        raise ScriptError(str(path), None, "lessons", f"expected exactly {', '.join(LESSON_IDS)}")
    return book


def check_rules_against(script: Script, book: LessonBook, source: str) -> None:
    """Every rule and every question's `lesson:` must name one of the five lessons."""
    known = {lesson.id for lesson in book.lessons}
    for rule in script.rules:
        if rule.lesson not in known:
            raise ScriptError(
                source, f"rule {rule.id!r}", "lesson", f"unknown lesson {rule.lesson!r}"
            )
        if not rule.id.startswith(f"{rule.lesson}."):
            raise ScriptError(
                source, f"rule {rule.id!r}", "id", f"must start with '{rule.lesson}.'"
            )
    for question in script.questions:
        if question.lesson is not None and question.lesson not in known:
            raise ScriptError(
                source, f"question {question.id!r}", "lesson", f"unknown lesson {question.lesson!r}"
            )


@dataclass(frozen=True)
class Evidence:
    question: str
    prompt: str
    answer: str


@dataclass(frozen=True)
class FiredRule:
    id: str
    weight: int
    explain: str
    advice: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Finding:
    """One lesson's verdict with everything needed to explain it."""

    lesson: Lesson
    level: Level
    rules: tuple[FiredRule, ...]
    gaps: tuple[Evidence, ...]

    @property
    def action(self) -> str:
        return self.lesson.gap_action if self.level == "gap" else self.lesson.action

    @property
    def score(self) -> int:
        return sum(rule.weight for rule in self.rules)


def evaluate(
    script: Script,
    book: LessonBook,
    values: Mapping[str, Any],
    shown: Mapping[str, str],
    prompts: Mapping[str, str],
) -> list[Finding]:
    """Fire the rules over the answers; return findings with the top risks first.

    `values` are the stored answer values, `shown` the user's answers as they typed or chose
    them (quoted back as evidence) and `prompts` the rendered question texts.
    """
    findings = []
    for lesson in book.lessons:
        fired = []
        for rule in script.rules:
            if rule.lesson != lesson.id or not rule.when.holds(values):
                continue
            evidence = tuple(
                Evidence(q, prompts.get(q, q), shown.get(q, "(no answer)"))
                for q in rule.evidence_questions()
            )
            fired.append(FiredRule(rule.id, rule.weight, rule.explain, rule.advice, evidence))
        gaps = tuple(
            Evidence(q.id, prompts.get(q.id, q.id), shown.get(q.id, ""))
            for q in script.questions
            if q.lesson == lesson.id and values.get(q.id) == UNKNOWN
        )
        score = sum(rule.weight for rule in fired)
        level: Level = (
            "risk" if score >= 2 else "watch" if score == 1 else "gap" if gaps else "clear"
        )
        findings.append(Finding(lesson, level, tuple(fired), gaps))
    findings.sort(key=lambda f: (LEVEL_ORDER[f.level], -f.score))
    return findings


FLAGGED = ("risk", "watch")
ASKED = ("risk", "watch", "gap")
"""Verdicts a debrief asks about ("did this trap show up?")."""
PROVED_TRUE = ("yes", "partly")


def progress(
    history: Sequence[Mapping[str, str]], debriefs: Sequence[Mapping[str, str]] = ()
) -> dict[str, str]:
    """Each lesson's course across completed negotiations (oldest first) in one word.

    `history` holds each preparation's levels; `debriefs` (aligned with it, shorter or `{}`
    where there was none) what its debrief said of each lesson: "yes" or "partly" (the trap
    showed up in the real talks), "no" (it didn't: handled), "unsure".

    recurring: flagged now and before, or flagged now and a debrief saw it show up, or clear in
    the latest preparation yet it caught them in the real talks; new: flagged now for the first
    time; overcome: flagged or seen before and clear in the latest preparation, or flagged in
    the latest and its debrief says it didn't show up; gap: the latest session left it unknown;
    clear: never flagged.
    """
    verdicts: dict[str, str] = {}
    for lesson in LESSON_IDS:
        levels = [levels_by_lesson.get(lesson, "clear") for levels_by_lesson in history]
        if not levels:
            continue
        said = [debriefs[i].get(lesson) if i < len(debriefs) else None for i in range(len(levels))]
        latest, latest_said = levels[-1], said[-1]
        flagged = sum(level in FLAGGED for level in levels)
        seen = any(answer in PROVED_TRUE for answer in said)
        if latest in ASKED and latest_said == "no":
            verdicts[lesson] = "overcome"
        elif latest in FLAGGED:
            verdicts[lesson] = "recurring" if flagged >= 2 or seen else "new"
        elif latest_said in PROVED_TRUE:
            verdicts[lesson] = "recurring"
        elif flagged or seen:
            verdicts[lesson] = "overcome"
        else:
            verdicts[lesson] = "gap" if latest == "gap" else "clear"
    return verdicts
