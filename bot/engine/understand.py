"""Reading what a person typed at a choice, a scale or a date, as a careful human would.

People answer in their own words: "salary", "someone close to thier side", "3 I suppose",
"next Tuesday", "19/01/2027". The reader tries cheap, certain readings first and says how sure
it is: a reading it is sure of (`Read`), a few it cannot choose between (`Either`, which the
coach turns into "Did you mean ...?"), or nothing (`None`, asked again with a hint). Taking a
guess silently is the one thing it must not do: a misread answer misleads the whole report.

Choices: the option's number, its label, value or declared synonyms (`also:`), a sentence that
names exactly one of them (not negated), then near-misses with RapidFuzz. Scales: the one number
in the answer in any script's digits, number words, the scale's own end labels, then words that
place it roughly ("a lot": 4 or 5?). Dates are read in bot.engine.dates. The words come from the
content: the questions and dialogues/cues.yaml (`understanding:`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from bot.engine.conditions import UNKNOWN, cue_book
from bot.engine.cues import CueBook, fold
from bot.engine.script import Question

SURE = 88
"""A near-miss scoring at least this (RapidFuzz ratio, 0-100) is read as that option..."""
MARGIN = 10
"""...when the next best option scores at least this much less; otherwise it is asked."""
MAYBE = 72
"""A near-miss scoring at least this is offered as "Did you mean ...?"."""
MIN_FUZZY = 4
"""Words shorter than this are never matched approximately ("me" is not "we")."""
MAX_CANDIDATES = 3


@dataclass(frozen=True)
class Read:
    """A reading the reader is sure of: the stored value."""

    value: Any


@dataclass(frozen=True)
class Either:
    """Readings the reader cannot choose between (or one it would not take unasked), best
    first, with the person's words: the coach asks "Did you mean ...?"."""

    candidates: tuple[Any, ...]
    words: str


Reading = Read | Either | None


def digits(text: str) -> str:
    """Any script's decimal digits ("٣", "۵", "２") as ASCII digits."""
    if text.isascii():
        return text
    out = []
    for char in text:
        value = unicodedata.decimal(char, None)
        out.append(str(value) if value is not None and not char.isascii() else char)
    return "".join(out)


def bare(text: str) -> str:
    """The folded answer without hedges at its ends ("salary i guess" → "salary")."""
    book = cue_book()
    return _bare(book, text)


@lru_cache(maxsize=8192)
def _bare(book: CueBook, text: str) -> str:
    return book.strip_hedges(fold(text.replace("?", " ").replace("!", " ")))


@lru_cache(maxsize=16)
def _dont_know(book: CueBook) -> frozenset[str]:
    words = book.spec.understanding.dont_know
    return frozenset(w.casefold() for w in words) | frozenset(f for f in map(fold, words) if f)


def says_dont_know(text: str) -> bool:
    """The whole answer says "I don't know" in one of the content's ways ("no clue", "🤷")."""
    book = cue_book()
    known = _dont_know(book)
    return text.strip().casefold() in known or bool(_bare(book, text) in known)


def whole_number(text: str) -> int | None:
    """The answer is a number and nothing else ("2", "2.", "#2", "٣"), or None."""
    found = re.fullmatch(r"#?\s*(\d{1,9})\s*[.)]?", digits(text.strip()))
    return int(found.group(1)) if found else None


# ---- choices ---------------------------------------------------------------------------------
_Terms = tuple[tuple[str, tuple[str, ...]], ...]
_TERMS: dict[int, tuple[Question, str, _Terms]] = {}


def _terms(question: Question, unknown_label: str) -> _Terms:
    """(value, folded terms) per option: label, value and synonyms; "I don't know" last.
    Kept per question object (scripts are immutable once loaded)."""
    kept = _TERMS.get(id(question))
    if kept is not None and kept[0] is question and kept[1] == unknown_label:
        return kept[2]
    if len(_TERMS) > 4096:
        _TERMS.clear()
    found = []
    for option in question.options:
        words = (option.label, option.value.replace("_", " "), *option.also)
        found.append((option.value, tuple(dict.fromkeys(t for t in map(fold, words) if t))))
    if question.allow_unknown:
        found.append((UNKNOWN, (fold(unknown_label),)))
    terms = tuple(found)
    _TERMS[id(question)] = (question, unknown_label, terms)
    return terms


def read_number(question: Question, number: int, unknown_label: str) -> Reading:
    """A typed number at a choice: the option with that number (the buttons are numbered, and
    people answer by number); a number past the last option is read as a word when one
    option is named by it ("3" at "How many sides?" is "three": "Three or more")."""
    terms = _terms(question, unknown_label)
    words = [w for w, n in cue_book().spec.understanding.numbers.items() if n == number]
    named = [v for v, options in terms if any(w in options for w in words)]
    listed = terms[number - 1][0] if 1 <= number <= len(terms) else None
    if listed is None:
        return Read(named[0]) if len(named) == 1 else None
    return Read(listed)


def read_choice(question: Question, text: str, unknown_label: str) -> Reading:
    """An option value, candidates to confirm, or None; numbers are the caller's."""
    terms = _terms(question, unknown_label)
    folded = fold(text)
    plain = bare(text)
    if not folded:
        return None
    for value, words in terms:
        if folded in words or plain in words:
            return Read(value)
    named = _named(terms, folded)
    if len(named) == 1:
        return Read(named[0])
    if named:
        return Either(tuple(named[:MAX_CANDIDATES]), text)
    return _near(terms, plain or folded, text)


def _named(terms: _Terms, folded: str) -> list[str]:
    """Options a sentence names: one of their terms (4+ letters, or several words) appears in
    it as whole words, with no negation just before. A term inside a longer named term
    ("their side" in "someone close to their side") does not count twice."""
    book = cue_book()
    spans: list[tuple[int, int, str]] = []
    padded = f" {folded} "
    for value, words in terms:
        for term in words:
            if len(term) < MIN_FUZZY and " " not in term:
                continue
            start = padded.find(f" {term} ")
            while start >= 0:
                if not book.negated(folded, start):
                    spans.append((start, start + len(term), value))
                start = padded.find(f" {term} ", start + 1)
    kept = [s for s in spans if not any(o[0] <= s[0] and s[1] <= o[1] and o != s for o in spans)]
    kept.sort(key=lambda s: s[0] - s[1])
    return list(dict.fromkeys(value for _start, _end, value in kept))


def _near(terms: _Terms, folded: str, text: str) -> Reading:
    """Near-misses: each term against the answer and against its runs of as many words."""
    words = folded.split()
    scores: dict[str, float] = {}
    for value, options in terms:
        best = 0.0
        for term in options:
            if len(term) < MIN_FUZZY:
                continue
            size = len(term.split())
            windows = {" ".join(words[i : i + size]) for i in range(max(1, len(words) - size + 1))}
            windows.add(folded)
            for window in windows:
                if len(window) >= MIN_FUZZY:
                    best = max(best, fuzz.ratio(term, window))
        scores[value] = best
    ranked = sorted(scores.items(), key=lambda pair: -pair[1])
    if not ranked or ranked[0][1] < MAYBE:
        return None
    top, score = ranked[0]
    close = [v for v, s in ranked if s >= MAYBE and s >= score - MARGIN]
    if score >= SURE and len(close) == 1:
        return Read(top)
    return Either(tuple(close[:MAX_CANDIDATES]), text)


# ---- scales ----------------------------------------------------------------------------------
_OUT_OF = re.compile(r"(\d+)\s*(?:/|out of|of)\s*(\d+)")


def read_scale(question: Question, text: str, top: int) -> Reading:
    """A number 1..top: the one number in the answer ("4/5", "pretty bad, 2"), a number word
    ("three"), the scale's own ends ("a great deal"), or words placing it roughly."""
    plain = digits(text).casefold()
    plain = _OUT_OF.sub(lambda m: m.group(1) if int(m.group(2)) == top else m.group(0), plain)
    numbers = {int(n) for n in re.findall(r"(?<![\d.,])\d+(?![\d.,]*\d)", plain)}
    if numbers:
        inside = sorted(n for n in numbers if 1 <= n <= top)
        if len(inside) != len(numbers) or not inside:
            return None
        return Read(inside[0]) if len(inside) == 1 else Either(tuple(inside), text)
    folded = bare(text)
    understanding = cue_book().spec.understanding
    named = {n for word, n in understanding.numbers.items() if f" {word} " in f" {folded} "}
    if named:
        inside = sorted(n for n in named if 1 <= n <= top)
        if len(inside) == 1 and len(named) == 1:
            return Read(inside[0])
        return Either(tuple(inside), text) if inside else None
    ends = [(fold(question.low or ""), 1), (fold(question.high or ""), top)]
    for end, number in ends:
        for said in (folded, fold(text)):
            if end and (said == end or f" {end} " in f" {said} "):
                return Read(number)
    for group in understanding.scale_words:
        if any(folded == fold(w) for w in group.words):
            means = tuple(n for n in group.means if 1 <= n <= top)
            return Read(means[0]) if len(means) == 1 else Either(means, text)
    for end, number in ends:
        if len(folded) >= MIN_FUZZY and end and f" {folded} " in f" {end} ":
            return Either((number,), text)
    words = folded.split()
    if len(words) == 1 and len(folded) >= 3:
        for word, n in understanding.numbers.items():
            if 1 <= n <= top and fuzz.ratio(word, folded) >= MAYBE:
                return Either((n,), text)
    return None
