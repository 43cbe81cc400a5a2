"""Declarative conditions over a session's answers.

Branches (`when:`) and lesson rules share one small condition language so that a script author
never writes Python and nothing is ever `eval`-ed. A condition is a mapping with exactly one form:

    {answer: Q, equals: V}          the answer's value is V
    {answer: Q, in: [V, W]}         the answer's value is one of these
    {answer: Q, gte: 4} / lte       a scale answer compared with a number
    {answer: Q, gte_answer: Q2}     a scale answer compared with another scale answer (also lte_answer)
    {answer: Q, cue: nothing}       a documented free-text cue (see TEXT_CUES)
    {answer: Q, unknown: true}      the user said "I don't know"
    {answer: Q, answered: false}    the question was skipped or never reached
    {context: K, in: [risk, watch]}  the same tests on a context value the session was started
                                    with (a debrief: `prep.level.power`, see bot.engine.debrief)
    {all: [...]} / {any: [...]} / {not: {...}}
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

UNKNOWN = "unknown"
"""The stored value of an "I don't know" answer, whatever the question kind."""

_NOTHING = re.compile(
    r"^\s*(nothing|none|nope|no|nil|n/?a|nobody|no one|no-one|-+|—)\s*[.!]*\s*$", re.IGNORECASE
)
_NO_IDEA = re.compile(
    r"^\s*(no idea|not sure|unsure|i don'?t know|don'?t know|dunno|idk|\?+)\s*[.!]*\s*$",
    re.IGNORECASE,
)


def _plain(text: str) -> str:
    """Phone keyboards type curly apostrophes: “I don’t know” must count as "I don't know"."""
    return text.replace("\u2019", "'").replace("\u2018", "'")


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _items(value: str) -> list[str]:
    parts = re.split(r"[\n,;]+|\band\b", value)
    return [p.strip(" -*•\t") for p in parts if p.strip(" -*•\t")]


TEXT_CUES: dict[str, Callable[[Any], bool]] = {
    "blank": _is_blank,
    "nothing": lambda v: isinstance(v, str) and bool(_NOTHING.match(v)),
    "no_idea": lambda v: v == UNKNOWN or (isinstance(v, str) and bool(_NO_IDEA.match(_plain(v)))),
    "single_item": lambda v: isinstance(v, str) and v != UNKNOWN and len(_items(v)) == 1,
}
"""The only ways free text can fire a rule: documented in docs/writing-dialogues.md."""


_TESTS = ("equals", "in_", "gte", "lte", "gte_answer", "lte_answer", "cue", "unknown", "answered")


class Condition(BaseModel):
    """One `when:` condition; validated so that exactly one form is used."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    answer: str | None = None
    context: str | None = None
    equals: str | int | None = None
    in_: tuple[str | int, ...] | None = Field(default=None, alias="in")
    gte: int | None = None
    lte: int | None = None
    gte_answer: str | None = None
    lte_answer: str | None = None
    cue: str | None = None
    unknown: bool | None = None
    answered: bool | None = None
    all_: tuple[Condition, ...] | None = Field(default=None, alias="all")
    any_: tuple[Condition, ...] | None = Field(default=None, alias="any")
    not_: Condition | None = Field(default=None, alias="not")

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        tests = [n for n in _TESTS if getattr(self, n) is not None]
        combos = [n for n in ("all_", "any_", "not_") if getattr(self, n) is not None]
        subjects = [n for n in ("answer", "context") if getattr(self, n) is not None]
        if combos:
            if subjects or tests or len(combos) > 1:
                raise ValueError("use exactly one of all/any/not, without answer or tests")
            return self
        if len(subjects) != 1:
            raise ValueError("a condition needs `answer:` or `context:` (or all/any/not)")
        if len(tests) != 1:
            raise ValueError(
                f"a condition on {'an answer' if self.answer else 'a context value'} needs "
                "exactly one test: equals, in, gte, lte, gte_answer, lte_answer, cue, unknown "
                "or answered"
            )
        if self.cue is not None and self.cue not in TEXT_CUES:
            raise ValueError(f"unknown cue {self.cue!r}; known cues: {', '.join(TEXT_CUES)}")
        return self

    def questions(self) -> set[str]:
        """Every question this condition reads, for checking references at load time."""
        found: set[str] = set()
        for name in ("answer", "gte_answer", "lte_answer"):
            value = getattr(self, name)
            if value is not None:
                found.add(value)
        for child in (*(self.all_ or ()), *(self.any_ or ())):
            found |= child.questions()
        if self.not_ is not None:
            found |= self.not_.questions()
        return found

    def contexts(self) -> set[str]:
        """Every context key this condition reads (checked against what the script is given)."""
        found = {self.context} if self.context is not None else set()
        for child in (*(self.all_ or ()), *(self.any_ or ())):
            found |= child.contexts()
        if self.not_ is not None:
            found |= self.not_.contexts()
        return found

    def holds(self, answers: Mapping[str, Any]) -> bool:
        """Evaluate against stored values: question id -> answer value, and for a script given
        a context, context key -> value (keys contain a dot, question ids never do)."""
        if self.all_ is not None:
            return all(c.holds(answers) for c in self.all_)
        if self.any_ is not None:
            return any(c.holds(answers) for c in self.any_)
        if self.not_ is not None:
            return not self.not_.holds(answers)
        subject = self.answer if self.answer is not None else self.context
        assert subject is not None
        present = subject in answers and answers[subject] is not None
        value = answers.get(subject)
        if self.answered is not None:
            return present == self.answered
        if self.unknown is not None:
            return (value == UNKNOWN) == self.unknown
        if self.cue is not None:
            return TEXT_CUES[self.cue](value)
        if not present or value == UNKNOWN:
            return False
        if self.equals is not None:
            return bool(value == self.equals)
        if self.in_ is not None:
            return value in self.in_
        if not isinstance(value, int):
            return False
        if self.gte is not None:
            return value >= self.gte
        if self.lte is not None:
            return value <= self.lte
        other = answers.get(self.gte_answer or self.lte_answer or "")
        if not isinstance(other, int):
            return False
        return value >= other if self.gte_answer is not None else value <= other
