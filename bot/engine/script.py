"""Load and validate a dialogue script (YAML) into frozen, typed models.

A script is content, written by coaches rather than programmers, so every mistake must be
reported in their terms: the file, the question (or rule) and the field. Beyond the shape of
each entry, the script as a whole is checked as a graph: every `goto` names a real question,
every question can be reached from `start`, and every question can reach the end.

Over 300 lines because the models and their cross-checks belong together: each validator
names the field it checks, and the graph checks read the same models.
"""

from __future__ import annotations

import re
from datetime import time
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.engine.conditions import Condition
from bot.engine.errors import ScriptError
from bot.engine.record import Record
from bot.engine.yaml_files import read_yaml

END = "done"
"""The terminal state: reaching it produces the report."""

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Option(_Frozen):
    value: str
    label: str = Field(min_length=1, max_length=40)
    also: tuple[str, ...] = ()
    """Synonyms a person may type for this option ("salary", "pay rise"): read as the option."""


def _check_synonyms(options: tuple[Option, ...]) -> None:
    """A synonym names one option: not empty, not a number, not another option's label."""
    owner: dict[str, str] = {}
    for option in options:
        for word in (option.label, *option.also):
            key = " ".join(word.casefold().split())
            if not key or key.isdigit():
                raise ValueError(f"option {option.value!r}: synonym {word!r} is empty or a number")
            if owner.get(key, option.value) != option.value:
                raise ValueError(
                    f"{word!r} is a synonym of both {owner[key]!r} and {option.value!r}"
                )
            owner[key] = option.value


class Branch(_Frozen):
    when: Condition | None = None
    goto: str


class Question(_Frozen):
    """One question: how it is asked, how its answer is checked, and where it leads."""

    id: str
    kind: Literal["choice", "scale", "text", "date"]
    prompt: str = Field(min_length=1)
    lesson: str | None = None
    options: tuple[Option, ...] = ()
    low: str | None = None
    high: str | None = None
    min_length: int = Field(default=1, ge=0)
    max_length: int = Field(default=1000, ge=1, le=3500)
    allow_unknown: bool = False
    optional: bool = False
    future_only: bool = False
    short: str | None = Field(default=None, min_length=1, max_length=80)
    next: str | tuple[Branch, ...]

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("ids are lower-case letters, digits and underscores")
        if value == END:
            raise ValueError(f"{END!r} is reserved for the end of the dialogue")
        return value

    @model_validator(mode="after")
    def _kind_fields(self) -> Question:
        if self.kind == "choice":
            if len(self.options) < 2:
                raise ValueError("a choice question needs at least two options")
            values = [o.value for o in self.options]
            if len(set(values)) != len(values):
                raise ValueError("option values must be unique")
            if "unknown" in values:
                raise ValueError("use `allow_unknown: true` instead of an option named unknown")
            _check_synonyms(self.options)
        elif self.options:
            raise ValueError(f"options are only for choice questions, not {self.kind}")
        if self.short is not None and self.kind not in ("choice", "scale"):
            raise ValueError("`short` (the question in short, for quoting) is for choice and scale")
        if self.kind != "scale" and (self.low or self.high):
            raise ValueError("low/high labels are only for scale questions")
        if self.kind == "text" and self.min_length > self.max_length:
            raise ValueError("min_length is larger than max_length")
        if isinstance(self.next, tuple):
            if not self.next:
                raise ValueError("next needs at least one branch")
            if self.next[-1].when is not None:
                raise ValueError(
                    "dead end: the last branch of `next` must have no `when` (the default)"
                )
        return self

    def targets(self) -> list[str]:
        """Every question (or the end) this one can lead to, in branch order."""
        if isinstance(self.next, str):
            return [self.next]
        return [b.goto for b in self.next]


class Rule(_Frozen):
    """A named signal of a wrong assumption; it fires when `when` holds."""

    id: str
    lesson: str
    when: Condition
    evidence: tuple[str, ...] = ()
    weight: int = Field(default=1, ge=1, le=3)
    belief: str | None = None
    explain: str = Field(min_length=1)
    advice: str = Field(min_length=1)

    def evidence_questions(self) -> tuple[str, ...]:
        """The questions whose answers are quoted back; by default those the rule reads."""
        return self.evidence or tuple(sorted(self.when.questions()))


class Strength(_Frozen):
    """What a person does well on a lesson, said in one line when the lesson is clear."""

    id: str
    lesson: str
    when: Condition
    evidence: tuple[str, ...] = ()
    says: str = Field(min_length=1)

    def evidence_questions(self) -> tuple[str, ...]:
        return self.evidence or tuple(sorted(self.when.questions()))


class ReminderPlan(_Frozen):
    """Which answers the reminders use and when they go out (local times of the user).

    Content names the questions, so no question id is written in code: `date` is the date of
    the negotiation (a `date` question), `walkaway` and `opening` are quoted in the checklist
    sent the day before at `checklist_at`; the debrief invitation follows the day after at
    `debrief_at`. Times are quoted strings ("09:00"): YAML reads 09:00 as a number."""

    date: str
    walkaway: str | None = None
    opening: str | None = None
    checklist_at: time = time(9, 0)
    debrief_at: time = time(18, 0)

    @field_validator("checklist_at", "debrief_at", mode="before")
    @classmethod
    def _quoted_time(cls, value: Any) -> Any:
        if not isinstance(value, str | time) or (
            isinstance(value, str) and not re.fullmatch(r"\d{2}:\d{2}", value)
        ):
            raise ValueError('a time is written in quotes as "HH:MM", like "09:00"')
        return value


class Script(_Frozen):
    id: str
    version: int = Field(ge=1)
    title: str
    start: str
    title_from: str | None = None
    counterpart: str | None = None
    follows: str | None = None
    record: Record | None = None
    questions: tuple[Question, ...]
    rules: tuple[Rule, ...] = ()
    strengths: tuple[Strength, ...] = ()
    applies: dict[str, Condition] = Field(default_factory=dict)
    reminders: ReminderPlan | None = None

    @cached_property
    def by_id(self) -> dict[str, Question]:
        """Questions by id. A cached property, not a pydantic private attribute: those are
        read through `BaseModel.__getattr__` (~1.5 µs a call), and a report asks for
        questions thousands of times (`make bench`)."""
        return {q.id: q for q in self.questions}

    @cached_property
    def positions(self) -> dict[str, int]:
        """1-based positions of the questions in the file."""
        found: dict[str, int] = {}
        for index, question in enumerate(self.questions, start=1):
            found.setdefault(question.id, index)
        return found

    def question(self, question_id: str) -> Question:
        return self.by_id[question_id]

    def has_question(self, question_id: str) -> bool:
        return question_id in self.by_id

    def position(self, question_id: str) -> int:
        """1-based position of a question in the file: a stable mark for a question's buttons
        (a person's counter is `Content.progress`, which follows their own path)."""
        return self.positions.get(question_id, len(self.questions))


def _describe(raw: Any, loc: tuple[int | str, ...]) -> tuple[str | None, str]:
    """Turn a pydantic location into (\"question 'x'\", 'field.path')."""
    if len(loc) >= 2 and loc[0] in ("questions", "rules", "strengths") and isinstance(loc[1], int):
        kind = {"questions": "question", "rules": "rule", "strengths": "strength"}[str(loc[0])]
        entries = raw.get(loc[0]) if isinstance(raw, dict) else None
        entry = entries[loc[1]] if isinstance(entries, list) and len(entries) > loc[1] else None
        name = entry.get("id") if isinstance(entry, dict) else None
        label = f"{kind} {name!r}" if name else f"{kind} #{loc[1] + 1}"
        rest = [str(p) for p in loc[2:] if not str(p).startswith(("function-", "tagged-"))]
        return label, ".".join(rest) or "(entry)"
    return None, ".".join(str(p) for p in loc) or "(file)"


def parse_script(raw: Any, source: str) -> Script:
    """Validate raw YAML data into a Script, then check it as a graph."""
    if not isinstance(raw, dict):
        raise ScriptError(source, None, "(file)", "expected a mapping with id, questions, ...")
    try:
        script = Script.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            entry, field = _describe(raw, tuple(err["loc"]))
            problems.append(ScriptError(source, entry, field, err["msg"]))
        raise problems[0] if len(problems) == 1 else ScriptError.many(problems) from None
    check_graph(script, source)
    return script


def load_script(path: Path) -> Script:
    return parse_script(read_yaml(path), str(path))


def check_graph(script: Script, source: str) -> None:
    """Reject unknown targets, duplicate ids, unreachable questions and dead ends."""
    ids = [q.id for q in script.questions]
    seen: set[str] = set()
    for qid in ids:
        if qid in seen:
            raise ScriptError(source, f"question {qid!r}", "id", "duplicate question id")
        seen.add(qid)
    known = set(ids) | {END}
    if script.start not in seen:
        raise ScriptError(source, None, "start", f"unknown question {script.start!r}")
    if script.title_from is not None and (
        script.title_from not in seen or script.question(script.title_from).kind != "text"
    ):
        raise ScriptError(source, None, "title_from", "must name a free-text question")
    if script.counterpart is not None and (
        script.counterpart not in seen or script.question(script.counterpart).kind != "text"
    ):
        raise ScriptError(source, None, "counterpart", "must name a free-text question")
    _check_follow_up(script, source)
    for q in script.questions:
        for index, target in enumerate(q.targets()):
            if target not in known:
                field = "next" if isinstance(q.next, str) else f"next.{index}.goto"
                raise ScriptError(source, f"question {q.id!r}", field, f"unknown target {target!r}")
        if isinstance(q.next, tuple):
            for index, branch in enumerate(q.next):
                _check_refs(source, f"question {q.id!r}", f"next.{index}.when", branch.when, seen)
    for kind, entries in (("rule", script.rules), ("strength", script.strengths)):
        for rule in entries:
            _check_refs(source, f"{kind} {rule.id!r}", "when", rule.when, seen)
            for qid in rule.evidence:
                if qid not in seen:
                    raise ScriptError(
                        source, f"{kind} {rule.id!r}", "evidence", f"unknown question {qid!r}"
                    )
    for lesson, condition in script.applies.items():
        _check_refs(source, None, f"applies.{lesson}", condition, seen)
    _check_reminders(script, source, seen)
    reachable = _walk(script.start, lambda n: script.question(n).targets() if n != END else [])
    for qid in ids:
        if qid not in reachable:
            raise ScriptError(source, f"question {qid!r}", "id", "unreachable from start")
    reverse: dict[str, list[str]] = {}
    for q in script.questions:
        for target in q.targets():
            reverse.setdefault(target, []).append(q.id)
    finishing = _walk(END, lambda n: reverse.get(n, []))
    for qid in ids:
        if qid not in finishing:
            raise ScriptError(
                source, f"question {qid!r}", "next", "dead end: never reaches the end"
            )


def _check_reminders(script: Script, source: str, known: set[str]) -> None:
    plan = script.reminders
    if plan is None:
        return
    for field, qid in (("date", plan.date), ("walkaway", plan.walkaway), ("opening", plan.opening)):
        if qid is not None and qid not in known:
            raise ScriptError(source, None, f"reminders.{field}", f"unknown question {qid!r}")
    if script.question(plan.date).kind != "date":
        raise ScriptError(source, None, "reminders.date", "must name a date question")


def _check_follow_up(script: Script, source: str) -> None:
    """`context:` conditions need a script that follows another; the record names real
    questions of the right kind (the content loader checks the context keys themselves)."""
    uses_context = any(
        branch.when is not None and branch.when.contexts()
        for q in script.questions
        if isinstance(q.next, tuple)
        for branch in q.next
    ) or any(rule.when.contexts() for rule in script.rules)
    if uses_context and script.follows is None:
        raise ScriptError(
            source,
            None,
            "follows",
            "conditions read `context:`, so name the script this one follows (`follows: coach`)",
        )
    if script.record is not None:
        questions = {q.id: (q.kind, {o.value for o in q.options}) for q in script.questions}
        script.record.check(questions, source)


def _check_refs(
    source: str, entry: str | None, field: str, cond: Condition | None, known: set[str]
) -> None:
    if cond is None:
        return
    for qid in sorted(cond.questions()):
        if qid not in known:
            raise ScriptError(source, entry, field, f"unknown question {qid!r}")


def _walk(start: str, neighbours: Any) -> set[str]:
    seen = {start}
    stack = [start]
    while stack:
        for nxt in neighbours(stack.pop()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen
