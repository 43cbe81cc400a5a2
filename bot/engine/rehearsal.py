"""Rehearsal: hard moments against the other side, read with the same explainable cues.

dialogues/rehearsal.yaml declares *moments* (the other side's line, tied to a lesson and to
conditions on the preparation), *reply cues* a good reply shows and *traps* a reply can fall
into. Cues and traps are phrase cues (bot.engine.cues), read with the hedges and negations of
cues.yaml, so every piece of feedback names the words that produced it; no model, no I/O at
call time. This module picks the moments for a preparation (worst lessons first), reads a reply
and composes the feedback (what worked, quoting the person; one thing to try; the rule).

Slightly over 300 lines: the file's model, its load-time checks and the reading they guarantee
belong together, so that one module says everything a moment may contain.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import TemplateError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.engine.conditions import Condition, cue_book, items
from bot.engine.cues import CueBook, CueFile, CueSpec, Match, original_clause
from bot.engine.errors import ScriptError
from bot.engine.render import FORMATS, Format, Renderer
from bot.engine.yaml_files import read_yaml

SEVERITY = {"risk": 0, "watch": 1, "gap": 2, "clear": 3}
"""Worst lessons first."""
OPENING = "opening"
"""The lesson name of moments about the person's own opening lines."""
MAX_REPLY = 1000


class ReplyCue(CueSpec):
    """A cue a good reply shows: `worked` praises it quoting {{ said }}, `try` suggests it."""

    worked: str = Field(min_length=1)
    try_: str = Field(alias="try", min_length=1)


class Trap(CueSpec):
    """A trap a reply falls into: `named` says so kindly, `try` what to do instead."""

    named: str = Field(min_length=1)
    try_: str = Field(alias="try", min_length=1)


class Moment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    lesson: str
    levels: tuple[str, ...] = ("risk", "watch", "gap")
    when: Condition | None = None
    scene: str = Field(min_length=1)
    line: str = Field(min_length=1)
    good: tuple[str, ...] = Field(min_length=1)
    traps: tuple[str, ...] = ()
    rule: str = Field(min_length=1)
    remember: str = Field(min_length=1)


class _Pick(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min: int = Field(ge=1)
    max: int = Field(ge=1)


class RehearsalFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    script: str
    tries: int = Field(ge=1, le=5)
    pick: _Pick
    reply_cues: dict[str, ReplyCue]
    traps: dict[str, Trap]
    moments: tuple[Moment, ...]
    say: dict[str, str]
    labels: dict[str, str]


@dataclass(frozen=True)
class Found:
    """A cue or trap found in a reply: its name, the matched words, the person's clause."""

    name: str
    words: str
    said: str


@dataclass(frozen=True)
class Reading:
    """What a reply shows and falls into, and the feedback it gets (plain data, stored)."""

    cues: tuple[Found, ...]
    traps: tuple[Found, ...]
    worked: tuple[str, ...]
    named: tuple[str, ...]
    try_: str
    rule: str

    @property
    def score(self) -> int:
        """For picking the best reply: cues shown, minus two per trap."""
        return len(self.cues) - 2 * len(self.traps)


class RehearsalBook:
    """The moments, reply cues and traps of a content folder, compiled once."""

    def __init__(self, spec: RehearsalFile, base: CueBook, source: str) -> None:
        self.spec = spec
        self.source = source
        cues: dict[str, CueSpec] = {**spec.reply_cues, **spec.traps}
        self.cues = CueBook(
            CueFile(version=1, hedges=base.spec.hedges, negations=base.spec.negations, cues=cues),
            source,
        )
        self.moments = {m.id: m for m in spec.moments}

    def moment(self, moment_id: str) -> Moment | None:
        return self.moments.get(moment_id)

    def pick(self, levels: Mapping[str, str], answers: Mapping[str, Any]) -> list[str]:
        """3–5 moments: one for each flagged lesson, worst first (ties in the lessons' order),
        then the person's own opening, then more of the worst lessons' moments up to the
        minimum. Only moments whose `when` holds and, for the first pass, whose `levels`
        include the lesson's level."""
        order = list(levels)
        lessons = sorted(
            order, key=lambda lesson: (SEVERITY.get(levels[lesson], 3), order.index(lesson))
        )
        usable = [m for m in self.spec.moments if m.when is None or m.when.holds(answers)]
        room = self.spec.pick.max
        opening = [m.id for m in usable if m.lesson == OPENING][:1]
        chosen: list[str] = []
        for lesson in lessons:
            level = levels[lesson]
            if level == "clear" or len(chosen) >= room - len(opening):
                continue
            first = next((m for m in usable if m.lesson == lesson and level in m.levels), None)
            if first is not None:
                chosen.append(first.id)
        chosen += opening
        for lesson in lessons:
            for m in usable:
                if len(chosen) >= self.spec.pick.min:
                    return chosen
                if m.lesson == lesson and m.id not in chosen:
                    chosen.append(m.id)
        return chosen

    def read(self, moment: Moment, text: str) -> tuple[tuple[Found, ...], tuple[Found, ...]]:
        """The moment's cues and traps found in a reply, in the order the moment lists them."""

        def found(names: Sequence[str]) -> tuple[Found, ...]:
            hits = ((name, self.cues.match(name, text)) for name in names)
            return tuple(_found(name, text, m) for name, m in hits if m is not None)

        return found(moment.good), found(moment.traps)

    def reading(
        self,
        moment: Moment,
        text: str,
        renderer: Renderer,
        fmt: Format,
        material: Mapping[str, Any],
    ) -> Reading:
        """Read a reply and compose its feedback: what worked (quoting the person, at most
        two), the traps named kindly, one thing to try (the first trap's remedy, else the
        first good cue the reply did not show) and the rule behind the moment."""
        cues, traps = self.read(moment, text)

        def say(source: str, said: str = "") -> str:
            return renderer.inline(source, fmt, **material, said=said)

        worked = tuple(say(self.spec.reply_cues[c.name].worked, c.said) for c in cues[:2])
        named = tuple(say(self.spec.traps[t.name].named, t.said) for t in traps)
        shown = {c.name for c in cues}
        missing = [name for name in moment.good if name not in shown]
        if traps:
            try_ = say(self.spec.traps[traps[0].name].try_)
        elif len(cues) <= 1 and missing:
            try_ = say(self.spec.reply_cues[missing[0]].try_)
        else:
            try_ = ""
        return Reading(cues, traps, worked, named, try_, say(moment.rule))

    def scene(
        self, moment: Moment, fmt: Format, renderer: Renderer, material: Mapping[str, Any]
    ) -> tuple[str, str]:
        """The moment's scene and the other side's line, with the person's own material."""
        return (
            renderer.inline(moment.scene, fmt, **material),
            renderer.inline(moment.line, fmt, **material),
        )

    def say(self, key: str, fmt: Format, renderer: Renderer, **context: Any) -> str:
        return renderer.inline(self.spec.say[key], fmt, **context)

    def label(self, name: str) -> str:
        return self.spec.labels.get(name, name)


def _found(name: str, text: str, match: Match) -> Found:
    return Found(name, match.words, original_clause(text, match.clause))


def material(context: Mapping[str, Any]) -> dict[str, Any]:
    """What a moment's templates read, from a preparation's prompt context
    (bot.engine.content.Content.context): the counterpart's short `name`, `known` answers,
    and `issue` (the first listed), `issues`, `alternative`, `date`, `opening`."""
    known: Mapping[str, str] = context.get("known", {})
    listed = items(known.get("package_issues", "")) if known.get("package_issues") else []
    return {
        "name": context.get("name", ""),
        "known": known,
        "issues": listed,
        "issue": listed[0].split(",")[0].strip() if listed else "",
        "alternative": known.get("power_walkaway_what", ""),
        "date": known.get("negotiation_date", ""),
        "opening": known.get("opening_lines", ""),
    }


REQUIRED_SAY = (
    "offer", "offer_button", "intro", "moment", "retry", "feedback", "try_again", "next", "stop",
    "finish", "choose", "no_tries_left", "summary", "stopped", "paused", "not_text", "empty",
    "too_long", "unknown", "none", "incomplete", "no_moments", "stale", "not_rehearsing", "help",
    "privacy",
)  # fmt: skip


def parse_rehearsal(
    raw: Any, source: str, lessons: Sequence[str], questions: Sequence[str]
) -> RehearsalBook:
    """Validate rehearsal.yaml: its cues' examples, every moment's lesson, cues, traps and the
    questions its condition reads, and every phrase Parley says during a rehearsal."""
    if not isinstance(raw, dict):
        raise ScriptError(
            source, None, "(file)", "expected a mapping with moments, reply_cues, ..."
        )
    try:
        spec = RehearsalFile.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(str(p) for p in err["loc"])
        entry = f"{loc[0]} {loc[1]!r}" if len(loc) >= 2 else None
        raise ScriptError(source, entry, ".".join(loc[2:]) or "(entry)", err["msg"]) from None
    book = RehearsalBook(spec, cue_book(), source)
    book.cues.check_examples()
    known = set(lessons) | {OPENING}
    seen: set[str] = set()
    for m in spec.moments:
        entry = f"moment {m.id!r}"
        if m.id in seen:
            raise ScriptError(source, entry, "id", "two moments have this id")
        seen.add(m.id)
        if m.lesson not in known:
            raise ScriptError(source, entry, "lesson", f"unknown lesson {m.lesson!r}")
        for name in m.good:
            if name not in spec.reply_cues:
                raise ScriptError(source, entry, "good", f"unknown reply cue {name!r}")
        for name in m.traps:
            if name not in spec.traps:
                raise ScriptError(source, entry, "traps", f"unknown trap {name!r}")
        for level in m.levels:
            if level not in SEVERITY:
                raise ScriptError(source, entry, "levels", f"unknown level {level!r}")
        for question in sorted(m.when.questions() if m.when else ()):
            if question not in questions:
                raise ScriptError(source, entry, "when", f"unknown question {question!r}")
    for lesson in lessons:
        if sum(m.lesson == lesson for m in spec.moments) < spec.pick.min:
            raise ScriptError(source, None, "moments", f"fewer than {spec.pick.min} for {lesson!r}")
    for key in REQUIRED_SAY:
        if key not in spec.say:
            raise ScriptError(source, f"say {key!r}", "text", "missing: Parley needs this phrase")
    return book


def load_rehearsal(path: Path, lessons: Sequence[str], questions: Sequence[str]) -> RehearsalBook:
    return parse_rehearsal(read_yaml(path), str(path), lessons, questions)


SAY_SAMPLE: dict[str, Any] = {
    "title": "<title>", "count": 3, "name": "<name>", "position": 1, "lesson": "<lesson>",
    "scene": "<scene>", "speaker": "<name>", "line": "<line>", "worked": ["<worked>"],
    "traps": ["<trap>"], "try_": "<try>", "rule": "<rule>", "tries_left": True,
    "moments": [{"scene": "<scene>", "replies": 1, "best": "<best>", "cues": "<cues>"}],
    "best": "<best>", "remember": "<remember>", "ident": 1, "media": "<media>", "limit": 10,
    "names": ["<cue>"],
}  # fmt: skip
"""What the `say:` phrases are rendered with at load, to catch a typo before a person does."""


def check_templates(book: RehearsalBook, renderer: Renderer, sample: Mapping[str, Any]) -> None:
    """Render every moment's scene, line and rule, every cue's and trap's feedback, and every
    `say:` phrase, in every format, with a preparation's placeholder material (and again with
    none of it)."""
    bare = {**sample, "issues": [], "issue": "", "alternative": "", "date": "", "opening": ""}
    texts = [
        (f"moment {m.id!r}", f, getattr(m, f))
        for m in book.spec.moments
        for f in ("scene", "line", "rule", "remember")
    ]
    texts += [
        (f"reply cue {n!r}", f, getattr(c, f))
        for n, c in book.spec.reply_cues.items()
        for f in ("worked", "try_")
    ]
    texts += [
        (f"trap {n!r}", f, getattr(t, f))
        for n, t in book.spec.traps.items()
        for f in ("named", "try_")
    ]
    texts += [(f"say {key!r}", "text", text) for key, text in book.spec.say.items()]
    for entry, field, text in texts:
        for fmt in FORMATS:
            for material_ in (sample, bare):
                try:
                    renderer.inline(text, fmt, **{**SAY_SAMPLE, **material_, "said": "<said>"})
                except TemplateError as exc:
                    raise ScriptError(book.source, entry, field.rstrip("_"), str(exc)) from None
