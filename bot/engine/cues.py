"""Free-text cues declared as phrase lists in a content file (dialogues/cues.yaml).

A cue reads what a person typed, deterministically, and names the words it matched, so every
flag stays explainable. Text is first folded the same way for the phrase lists and the answer:
lower case, straight apostrophes, common contractions written out ("they'll" → "they will",
"wont" → "will not"), anything but letters, digits and apostrophes turned into spaces. It is then
read clause by clause (split at . ! ? ; : , dashes, brackets and new lines), so a cue fires
within a sentence and never across two.

A cue has three kinds of entries:

    whole      the whole answer is one of these ("no", "n/a")
    clause     one clause is one of these once hedges are stripped from its ends
               ("Nothing. I'm not handing out extras": the clause "nothing")
    phrases    the phrase occurs inside a clause and no negation comes within three words
               before it ("they'll cave" fires; "I don't think they'll cave" does not)

Hedges ("probably", "I guess", "at all") and negations are shared by every cue. Each cue
carries examples that must fire and examples that must not; loading checks every one of them,
so the file documents itself and a change that breaks an example is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.engine.errors import ScriptError
from bot.engine.yaml_files import read_yaml

_CONTRACTIONS = (
    (r"\bwon't\b|\bwont\b", "will not"),
    (r"\bcan't\b|\bcant\b|\bcannot\b", "can not"),
    (r"\bshan't\b", "shall not"),
    (r"\bain't\b", "is not"),
    (r"n't\b", " not"),
    (r"\b(do|does|did|is|are|was|were|would|could|should|has|have|had)nt\b", r"\1 not"),
    (r"'ll\b", " will"),
    (r"\b(they|we|you|i|he|she|it|that)ll\b", r"\1 will"),
    (r"'re\b", " are"),
    (r"\b(they|we|you)re\b", r"\1 are"),
    (r"\bi'm\b|\bim\b", "i am"),
    (r"'ve\b", " have"),
    (r"'d\b", " would"),
    (r"\b(it|that|there|what|who)'s\b", r"\1 is"),
)
_CONTRACTION_RES = tuple((re.compile(p), r) for p, r in _CONTRACTIONS)
_CLAUSE_SPLIT = re.compile(r"[.!?;:,()\[\]\n]+|\s[-–—]+\s|\s[-–—]+$|^[-–—]+\s")
_NOT_WORD = re.compile(r"[^\w']+")
_DASHES = re.compile(r"^[\s\-–—]+$")
_AMOUNT = re.compile(
    r"[~≈]?\s*[$€£]?\s*\d[\d.,\s]*(%|k|m|per ?cent|percent|eur|euros?|usd|dollars?|pounds?|"
    r"gbp|chf|€|\$|£)?\s*((a|an|per|/)\s*(month|year|hour|day|week|unit|piece|m2|sqm))?"
)
NEGATION_WINDOW = 3
CACHE_SIZE = 20_000
"""Answers whose cue readings are kept per cue book (a few MB at most), then forgotten."""


def fold(text: str) -> str:
    """Lower case, straight apostrophes, contractions written out, words separated by one
    space: the form both the phrase lists and the answers are compared in."""
    folded = text.casefold().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    for pattern, repl in _CONTRACTION_RES:
        folded = pattern.sub(repl, folded)
    folded = _NOT_WORD.sub(" ", folded).replace("_", " ")
    words = [w.strip("'") for w in folded.split()]
    return " ".join(w for w in words if w)


def clauses(text: str) -> list[str]:
    """The answer's clauses, folded; empty ones dropped."""
    parts = (fold(part) for part in _CLAUSE_SPLIT.split(text))
    return [p for p in parts if p]


def original_clause(text: str, folded: str) -> str:
    """The clause of `text` as the person typed it whose folded form is `folded` (a
    `Match.clause`), so feedback quotes their own words; `folded` itself if none is."""
    for part in _CLAUSE_SPLIT.split(text):
        if fold(part) == folded:
            return part.strip()
    return folded


@dataclass(frozen=True)
class Match:
    """What a cue matched: the entry and the clause of the answer it was found in."""

    cue: str
    words: str
    clause: str


class _Examples(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fires: tuple[str, ...] = ()
    silent: tuple[str, ...] = ()


class CueSpec(BaseModel):
    """One cue as written in cues.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    means: str = Field(min_length=1)
    whole: tuple[str, ...] = ()
    clause: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    examples: _Examples = _Examples()


class _Lists(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    closers: tuple[str, ...] = ()
    qualifiers: tuple[str, ...] = ()


class ScaleWords(BaseModel):
    """Words that place an answer on a 1-5 scale without a number ("a lot": 4 or 5)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    words: tuple[str, ...] = Field(min_length=1)
    means: tuple[int, ...] = Field(min_length=1)


class Understanding(BaseModel):
    """The words the answer reader (bot.engine.understand) knows besides the questions' own."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    numbers: dict[str, int] = Field(default_factory=dict)
    dont_know: tuple[str, ...] = ()
    scale_words: tuple[ScaleWords, ...] = ()


class CueFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    hedges: tuple[str, ...] = ()
    negations: tuple[str, ...] = ()
    lists: _Lists = _Lists()
    understanding: Understanding = Understanding()
    cues: dict[str, CueSpec]


class PhraseCue:
    """A compiled cue: its entries folded once, matched clause by clause."""

    def __init__(self, name: str, spec: CueSpec, book: CueBook) -> None:
        self.name = name
        self.spec = spec
        self._book = book
        self._whole = {fold(w) for w in spec.whole if fold(w)}
        self._whole_dash = any(_DASHES.match(w) for w in spec.whole)
        self._clause = {fold(c) for c in spec.clause if fold(c)}
        phrases = sorted({fold(p) for p in spec.phrases if fold(p)}, key=len, reverse=True)
        self._phrases = (
            re.compile(rf"(?:^| )({'|'.join(re.escape(p) for p in phrases)})(?= |$)")
            if phrases
            else None
        )

    def match(self, text: str) -> Match | None:
        """The first thing this cue finds in `text`, or None."""
        if _DASHES.match(text) and text.strip():
            return Match(self.name, text.strip(), text.strip()) if self._whole_dash else None
        if self._whole:
            whole = fold(text)
            if whole in self._whole:
                return Match(self.name, whole, whole)
        for clause in self._book.clauses(text):
            bare = self._book.bare(clause) if self._clause else ""
            if bare in self._clause:
                return Match(self.name, bare, clause)
            if self._phrases is None:
                continue
            for found in self._phrases.finditer(clause):
                if not self._book.negated(clause, found.start(1)):
                    return Match(self.name, found.group(1), clause)
        return None


class CueBook:
    """Every phrase cue of a content folder, with the shared hedges, negations and list words."""

    def __init__(self, spec: CueFile, source: str = "cues.yaml") -> None:
        self.spec = spec
        self.source = source
        self._hedges = sorted({fold(h) for h in spec.hedges if fold(h)}, key=len, reverse=True)
        self._negations = {fold(n) for n in spec.negations if fold(n)}
        self.closers = tuple(fold(c) for c in spec.lists.closers if fold(c))
        self.qualifiers = tuple(fold(q) for q in spec.lists.qualifiers if fold(q))
        self.cues = {name: PhraseCue(name, cue, self) for name, cue in spec.cues.items()}
        self._clauses: dict[str, list[str]] = {}
        self._matches: dict[tuple[str, str], Match | None] = {}
        self._bare: dict[str, str] = {}
        self.kept_items: dict[str, tuple[str, ...]] = {}
        """A list answer read as items (bot.engine.conditions.items), kept."""

    def clauses(self, text: str) -> list[str]:
        """`clauses(text)`, kept: a report reads the same answers with several cues."""
        found = self._clauses.get(text)
        if found is None:
            if len(self._clauses) > CACHE_SIZE:
                self._clauses.clear()
            found = self._clauses[text] = clauses(text)
        return found

    def match(self, name: str, text: str) -> Match | None:
        """What cue `name` finds in `text` (kept: answers are read again for each rule)."""
        key = (name, text)
        if key not in self._matches:
            if len(self._matches) > CACHE_SIZE:
                self._matches.clear()
            self._matches[key] = self.cues[name].match(text)
        return self._matches[key]

    def bare(self, clause: str) -> str:
        """`strip_hedges(clause)`, kept: every cue with clause entries reads it."""
        found = self._bare.get(clause)
        if found is None:
            if len(self._bare) > CACHE_SIZE:
                self._bare.clear()
            found = self._bare[clause] = self.strip_hedges(clause)
        return found

    def forget(self) -> None:
        """Drop the kept readings (a benchmark measures a reply read for the first time)."""
        self._clauses.clear()
        self._bare.clear()
        self._matches.clear()
        self.kept_items.clear()

    def strip_hedges(self, clause: str) -> str:
        """A folded clause without hedges at its start or end ("probably nothing really")."""
        changed = True
        while changed and clause:
            changed = False
            for hedge in self._hedges:
                if clause == hedge:
                    return ""
                if clause.startswith(hedge + " "):
                    clause, changed = clause[len(hedge) + 1 :], True
                elif clause.endswith(" " + hedge):
                    clause, changed = clause[: -len(hedge) - 1], True
        return clause

    def negated(self, clause: str, start: int) -> bool:
        """Whether a negation comes within a few words before position `start` of a clause."""
        before = clause[:start].split()[-NEGATION_WINDOW:]
        return any(word in self._negations for word in before)

    def is_closer(self, item: str) -> bool:
        """An item of a list that only closes it: "nothing else", "that's it"."""
        folded = self.strip_hedges(fold(item))
        return not folded or any(
            folded == closer or folded.startswith(closer + " ") for closer in self.closers
        )

    def is_qualifier(self, item: str) -> bool:
        """An item that only qualifies the one before it: "down 8%", "1,150"."""
        folded = fold(item)
        if _AMOUNT.fullmatch(item.strip().casefold()):
            return True
        return any(folded == q or folded.startswith(q + " ") for q in self.qualifiers)

    def check_examples(self) -> None:
        """Every example fires (or stays silent) as its cue says; else a ScriptError."""
        for name, cue in self.cues.items():
            for text in cue.spec.examples.fires:
                if cue.match(text) is None:
                    raise ScriptError(
                        self.source, f"cue {name!r}", "examples.fires", f"{text!r} does not fire"
                    )
            for text in cue.spec.examples.silent:
                found = cue.match(text)
                if found is not None:
                    raise ScriptError(
                        self.source,
                        f"cue {name!r}",
                        "examples.silent",
                        f"{text!r} fires on {found.words!r}",
                    )


def parse_cues(raw: Any, source: str) -> CueBook:
    if not isinstance(raw, dict):
        raise ScriptError(source, None, "(file)", "expected a mapping with version and cues")
    try:
        spec = CueFile.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        entry = f"cue {loc[1]!r}" if len(loc) >= 2 and loc[0] == "cues" else None
        field = ".".join(str(p) for p in (loc[2:] if entry else loc)) or "(entry)"
        raise ScriptError(source, entry, field, err["msg"]) from None
    book = CueBook(spec, source)
    book.check_examples()
    return book


def load_cues(path: Path) -> CueBook:
    return parse_cues(read_yaml(path), str(path))
