"""Declarative conditions over a session's answers.

Branches (`when:`) and lesson rules share one small condition language so that a script author
never writes Python and nothing is ever `eval`-ed. A condition is a mapping with exactly one form:

    {answer: Q, equals: V}          the answer's value is V
    {answer: Q, in: [V, W]}         the answer's value is one of these
    {answer: Q, gte: 4} / lte       a scale answer compared with a number
    {answer: Q, gte_answer: Q2}     a scale answer compared with another scale answer (also lte_answer)
    {answer: Q, cue: nothing}       a free-text cue: built in (TEXT_CUES) or a phrase list
                                    declared in dialogues/cues.yaml (bot.engine.cues)
    {answer: Q, unknown: true}      the user said "I don't know"
    {answer: Q, answered: false}    the question was skipped or never reached
    {context: K, in: [risk, watch]}  the same tests on a context value the session was started
                                    with (a debrief: `prep.level.power`, see bot.engine.debrief)
    {all: [...]} / {any: [...]} / {not: {...}}
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.engine.cues import CACHE_SIZE, CueBook, CueFile, Match, load_cues

UNKNOWN = "unknown"


def stored_date(value: Any) -> date | None:
    """A date question's stored answer as a date; None for "I don't know" or skipped. Read
    by the reminders (when to send) and the debrief (not before the negotiation)."""
    if not isinstance(value, str) or value == UNKNOWN:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


"""The stored value of an "I don't know" answer, whatever the question kind."""

WORDS = "#words"
"""`QUESTION#words` in the answers a condition reads: what the person typed for an answer read
as an option or a number. A `cue:` test reads these words when they are there, so a rule can
find "they're too big to care" in an answer that was taken as "I do"."""

DEFAULT_CUES = Path(__file__).resolve().parents[2] / "dialogues" / "cues.yaml"
_book: CueBook | None = None

_NO_IDEA = re.compile(
    r"^\s*(no idea|not sure|unsure|i don'?t know|don'?t know|dunno|idk|\?+)\s*[.!]*\s*$",
    re.IGNORECASE,
)


def _plain(text: str) -> str:
    """Phone keyboards type curly apostrophes: “I don’t know” must count as "I don't know"."""
    return text.replace("\u2019", "'").replace("\u2018", "'")


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def use_cues(book: CueBook) -> None:
    """Make `book` the phrase cues conditions read (the content loader calls this with the
    content folder's cues.yaml before it loads the scripts)."""
    global _book
    clash = set(book.cues) & set(TEXT_CUES)
    if clash:
        raise ValueError(f"{book.source}: cue names taken by built-in cues: {sorted(clash)}")
    _book = book


def cue_book() -> CueBook:
    """The phrase cues in use; the shipped dialogues/cues.yaml until `use_cues` says otherwise."""
    global _book
    if _book is None:
        _book = (
            load_cues(DEFAULT_CUES)
            if DEFAULT_CUES.exists()
            else CueBook(CueFile(version=1, cues={}))
        )
    return _book


def cue_names() -> list[str]:
    return [*TEXT_CUES, *cue_book().cues]


def items(value: str) -> list[str]:
    """A free-text list as items: split at new lines, commas, semicolons, full stops and the
    word "and"; items that only close the list ("nothing else", "that's it") dropped, and
    items that only qualify the one before ("down 8%", "1,150") kept with it."""
    book = cue_book()
    kept = book.kept_items.get(value)
    if kept is not None:
        return list(kept)
    parts = re.split(r"[\n;]+|(?<!\d),|,(?!\d)|\.\s+|\band\b", value)
    found: list[str] = []
    for part in parts:
        item = part.strip(" -*•\t.")
        if not item or book.is_closer(item):
            continue
        if found and book.is_qualifier(item):
            found[-1] = f"{found[-1]}, {item}"
            continue
        found.append(item)
    if len(book.kept_items) > CACHE_SIZE:
        book.kept_items.clear()
    book.kept_items[value] = tuple(found)
    return found


def cue_match(name: str, value: Any) -> Match | None:
    """What cue `name` found in an answer value: the words and the clause, or None.
    Built-in cues match the whole value."""
    if name in TEXT_CUES:
        return Match(name, str(value or ""), str(value or "")) if TEXT_CUES[name](value) else None
    if not isinstance(value, str) or value == UNKNOWN:
        return None
    return cue_book().match(name, value)


TEXT_CUES: dict[str, Callable[[Any], bool]] = {
    "blank": _is_blank,
    "no_idea": lambda v: v == UNKNOWN or (isinstance(v, str) and bool(_NO_IDEA.match(_plain(v)))),
    "single_item": lambda v: isinstance(v, str) and v != UNKNOWN and len(items(v)) == 1,
}
"""The built-in cues; phrase cues (`nothing`, `waiting`, ...) come from dialogues/cues.yaml.
Both are documented in docs/writing-dialogues.md."""


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
        if self.cue is not None and self.cue not in cue_names():
            raise ValueError(f"unknown cue {self.cue!r}; known cues: {', '.join(cue_names())}")
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
            return cue_match(self.cue, answers.get(subject + WORDS, value)) is not None
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

    def support(self, answers: Mapping[str, Any]) -> list[tuple[str, Match | None]]:
        """Why a holding condition holds: the questions whose own tests held (in the order
        written), each with what its cue matched. Negated parts explain nothing."""
        if self.all_ is not None or self.any_ is not None:
            found: list[tuple[str, Match | None]] = []
            for child in (*(self.all_ or ()), *(self.any_ or ())):
                if child.holds(answers):
                    found += [pair for pair in child.support(answers) if pair not in found]
            return found
        if self.not_ is not None or self.answer is None or not self.holds(answers):
            return []
        if self.unknown is not None or self.answered is not None:
            return []
        said = answers.get(self.answer + WORDS, answers.get(self.answer))
        match = cue_match(self.cue, said) if self.cue is not None else None
        return [(self.answer, match)]
