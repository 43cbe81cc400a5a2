"""The five lessons and the deterministic mapping from answers to findings.

A lesson's level is explainable by construction: it comes only from the named rules that fired
(total weight 0 → clear, 1 → watch, 2+ → risk). "I don't know" answers in a lesson's block are an
information gap: a lesson with no fired rule but an unanswered gap is reported as `gap`, never as a
wrong assumption. A lesson whose `applies:` condition (in the script) does not hold is reported
as not applicable: clear, with the lesson's `not_applicable` note and no rule of its own.

Speaking to the person: each fired rule quotes one answer (its `quote`), the most telling one
that no rule before it in the report has quoted: free text first, else a scale or choice said
with the question in short ("You rated your walk-away 2 of 5"). The headline is the belief the
person holds (a rule's `belief:` names one of the lesson's `beliefs`), and a clear lesson says
in one line what the person does well (the script's `strengths`), quoting them.

Over 300 lines (about 430) since the report learned to quote the person: the lesson models, the
rule evaluation and the quoting share one Finding; splitting the quoting out (lessons_quotes.py)
is the next step, left for the issue that finishes reading free text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.engine.conditions import UNKNOWN, Condition
from bot.engine.cues import Match, fold
from bot.engine.errors import ScriptError
from bot.engine.script import Question, Rule, Script
from bot.engine.yaml_files import read_yaml

LESSON_IDS = ("power", "time", "forum", "package", "mediator")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")
Level = Literal["clear", "watch", "risk", "gap"]
LEVEL_ORDER: dict[str, int] = {"risk": 0, "watch": 1, "gap": 2, "clear": 3}


class Lesson(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    short: str = ""
    """One word for the title where five must fit a phone's row (the review site's heatmap)."""
    assumption: str
    summary: str
    advice: str
    action: str
    gap_action: str
    research: str = ""
    beliefs: dict[str, str] = Field(default_factory=dict)
    not_applicable: str = ""


class Quote(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    author: str


class Said(BaseModel):
    """How an answer is quoted in the report, per question kind (`{answer}`, `{short}`): the
    wording is content (`said:` in lessons.yaml), so it has no default here."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    scale: str
    choice: str
    date: str
    longest: int = Field(default=220, ge=40)


class LessonBook(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    source: str
    quote: Quote
    said: Said
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
    entries = [("rule", r.id, r.lesson, r.evidence_questions()) for r in script.rules]
    entries += [("strength", r.id, r.lesson, r.evidence_questions()) for r in script.strengths]
    ids = [entry[1] for entry in entries]
    for kind, rule_id, lesson_id, evidence in entries:
        if lesson_id not in known:
            raise ScriptError(
                source, f"{kind} {rule_id!r}", "lesson", f"unknown lesson {lesson_id!r}"
            )
        if not rule_id.startswith(f"{lesson_id}."):
            raise ScriptError(
                source, f"{kind} {rule_id!r}", "id", f"must start with '{lesson_id}.'"
            )
        if ids.count(rule_id) > 1:
            raise ScriptError(source, f"{kind} {rule_id!r}", "id", "used twice")
        for qid in evidence:
            question = script.question(qid)
            if question.kind in ("choice", "scale") and question.short is None:
                raise ScriptError(
                    source,
                    f"question {qid!r}",
                    "short",
                    f"{kind} {rule_id!r} quotes it: say the question in short",
                )
    for rule in script.rules:
        if rule.belief is not None and rule.belief not in book.lesson(rule.lesson).beliefs:
            raise ScriptError(
                source,
                f"rule {rule.id!r}",
                "belief",
                f"{rule.lesson!r} has no belief {rule.belief!r}",
            )
    for lesson_id in script.applies:
        if lesson_id not in known:
            raise ScriptError(source, None, f"applies.{lesson_id}", "unknown lesson")
        if not book.lesson(lesson_id).not_applicable:
            raise ScriptError(
                source, None, f"applies.{lesson_id}", "the lesson needs a `not_applicable` note"
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
    said: str = ""
    """The answer as the report quotes it: "You wrote “…”", "You rated your walk-away 2 of 5"."""


@dataclass(frozen=True)
class FiredRule:
    id: str
    weight: int
    explain: str
    advice: str
    evidence: tuple[Evidence, ...]
    quote: Evidence | None = None
    """The one answer this rule quotes; None when every answer it could quote already is."""
    belief: str | None = None


@dataclass(frozen=True)
class Strength:
    """One line on what the person does well, quoting them."""

    id: str
    says: str
    quote: Evidence


@dataclass(frozen=True)
class Finding:
    """One lesson's verdict with everything needed to explain it."""

    lesson: Lesson
    level: Level
    rules: tuple[FiredRule, ...]
    gaps: tuple[Evidence, ...]
    headline: str = ""
    """The wrong assumption as this person holds it (a belief of the lesson, or its default)."""
    applies: bool = True
    strength: Strength | None = None
    said_advice: str = ""
    """The lesson's advice rendered for this person (their issues, alternative, date)."""
    said_action: str = ""
    """This week's action (or the gap's), rendered for this person."""

    @property
    def advice(self) -> str:
        return self.said_advice or self.lesson.advice

    @property
    def action(self) -> str:
        if self.said_action:
            return self.said_action
        return self.lesson.gap_action if self.level == "gap" else self.lesson.action

    @property
    def score(self) -> int:
        return sum(rule.weight for rule in self.rules)

    @property
    def assumption(self) -> str:
        return self.headline or self.lesson.assumption


class _Quoter:
    """Picks each rule's quote, so that no answer is quoted twice in one report."""

    def __init__(
        self,
        script: Script,
        book: LessonBook,
        values: Mapping[str, Any],
        shown: Mapping[str, str],
        prompts: Mapping[str, str],
    ) -> None:
        self.script, self.said, self.values = script, book.said, values
        self.shown, self.prompts = shown, prompts
        self.quoted: set[str] = set()

    def evidence(self, question_id: str, match: Match | None = None) -> Evidence:
        question = self.script.question(question_id)
        answer = self.shown.get(question_id, "(no answer)")
        said = self._say(question, answer, match)
        return Evidence(question_id, self.prompts.get(question_id, question_id), answer, said)

    def _say(self, question: Question, answer: str, match: Match | None) -> str:
        if self.values.get(question.id) in (None, UNKNOWN):
            return ""
        if question.kind == "text":
            return self.said.text.format(answer=self._telling(answer, match))
        form = {"scale": self.said.scale, "choice": self.said.choice}.get(question.kind)
        if form is None:
            return self.said.date.format(answer=answer)
        return form.format(answer=answer, short=question.short or question.id)

    def _telling(self, answer: str, match: Match | None) -> str:
        """A long answer is quoted by the sentence its cue matched in (or its start)."""
        sentences = [s.strip() for s in _SENTENCE.split(answer) if s.strip()]
        if match is not None and len(sentences) > 1 and len(answer) > self.said.longest // 2:
            found = [s for s in sentences if match.clause in fold(s)]
            if found:
                answer = found[0]
        if len(answer) > self.said.longest:
            answer = answer[: self.said.longest].rsplit(" ", 1)[0] + "…"
        return answer

    def pick(
        self, evidence: tuple[str, ...], when: Condition, own_words_only: bool = False
    ) -> Evidence | None:
        """The first answer in `evidence` (most telling first) that is answered, not yet
        quoted, and either helped the condition hold or is free text the condition does not
        test (the person's own words on the point); free text before scales and choices.
        `own_words_only`: only free text that made the condition hold (the first pass, so a
        rule fired by a sentence quotes it before a rule that merely relates to it)."""
        support = dict(when.support(self.values))
        read = when.questions()
        candidates = [q for q in evidence if q in support or (self._is_text(q) and q not in read)]
        candidates += [q for q in support if q not in candidates]
        if own_words_only:
            candidates = [q for q in candidates if q in support and self._is_text(q)]
        for question_id in sorted(candidates, key=lambda q: not self._is_text(q)):
            if question_id in self.quoted or self.values.get(question_id) in (None, UNKNOWN):
                continue
            self.quoted.add(question_id)
            return self.evidence(question_id, support.get(question_id))
        return None

    def _is_text(self, question_id: str) -> bool:
        return self.script.question(question_id).kind == "text"


def _identity(text: str) -> str:
    return text


@dataclass
class _Verdict:
    lesson: Lesson
    level: Level
    fired: list[Rule]
    gaps: tuple[Evidence, ...]
    headline: str
    applies: bool = True

    @property
    def score(self) -> int:
        return sum(rule.weight for rule in self.fired)


def evaluate(
    script: Script,
    book: LessonBook,
    values: Mapping[str, Any],
    shown: Mapping[str, str],
    prompts: Mapping[str, str],
    say: Callable[[str], str] = _identity,
) -> list[Finding]:
    """Fire the rules over the answers; return findings with the top risks first.

    `values` are the stored answer values, `shown` the user's answers as they typed or chose
    them (quoted back as evidence), `prompts` the rendered question texts and `say` renders a
    rule's `explain` and `advice` or a strength's `says` (templates that may name the person's
    counterpart, alternative, issues...).
    """
    quoter = _Quoter(script, book, values, shown, prompts)
    verdicts = []
    for lesson in book.lessons:
        applies = script.applies.get(lesson.id)
        if applies is not None and not applies.holds(values):
            verdicts.append(_Verdict(lesson, "clear", [], (), lesson.assumption, False))
            continue
        fired = [r for r in script.rules if r.lesson == lesson.id and r.when.holds(values)]
        gaps = tuple(
            quoter.evidence(q.id)
            for q in script.questions
            if q.lesson == lesson.id and values.get(q.id) == UNKNOWN
        )
        score = sum(rule.weight for rule in fired)
        level: Level = (
            "risk" if score >= 2 else "watch" if score == 1 else "gap" if gaps else "clear"
        )
        order = list(lesson.beliefs)
        believed = sorted(
            (r for r in fired if r.belief in lesson.beliefs),
            key=lambda r: (-r.weight, order.index(r.belief or "")),
        )
        headline = lesson.beliefs.get(believed[0].belief or "", "") if believed else ""
        verdicts.append(_Verdict(lesson, level, fired, gaps, headline or lesson.assumption))
    verdicts.sort(key=lambda v: (LEVEL_ORDER[v.level], not v.applies, -v.score))
    # Quotes in report order, in two passes: sentences that fired a rule first, then the rest.
    quotes: dict[tuple[str, str], Evidence | None] = {}
    for own_words_only in (True, False):
        for verdict in verdicts:
            for rule in verdict.fired:
                if quotes.get((verdict.lesson.id, rule.id)) is None:
                    quotes[(verdict.lesson.id, rule.id)] = quoter.pick(
                        rule.evidence_questions(), rule.when, own_words_only
                    )
    return [_speak(script, verdict, quoter, quotes, say) for verdict in verdicts]


def _speak(
    script: Script,
    verdict: _Verdict,
    quoter: _Quoter,
    quotes: Mapping[tuple[str, str], Evidence | None],
    say: Callable[[str], str],
) -> Finding:
    """Each fired rule with its quote and rendered words, and for a clear lesson the one thing
    the person does well (quoting an answer no rule has quoted)."""
    rules = tuple(
        FiredRule(
            rule.id,
            rule.weight,
            say(rule.explain),
            say(rule.advice),
            tuple(quoter.evidence(q) for q in rule.evidence_questions()),
            quotes.get((verdict.lesson.id, rule.id)),
            rule.belief,
        )
        for rule in verdict.fired
    )
    strength = None
    if verdict.level == "clear" and verdict.applies:
        for candidate in script.strengths:
            if candidate.lesson != verdict.lesson.id or not candidate.when.holds(quoter.values):
                continue
            quote = quoter.pick(candidate.evidence_questions(), candidate.when)
            if quote is not None:
                strength = Strength(candidate.id, say(candidate.says), quote)
                break
    lesson = verdict.lesson
    return Finding(
        lesson,
        verdict.level,
        rules,
        verdict.gaps,
        verdict.headline,
        verdict.applies,
        strength,
        said_advice=say(lesson.advice),
        said_action=say(lesson.gap_action if verdict.level == "gap" else lesson.action),
    )


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
