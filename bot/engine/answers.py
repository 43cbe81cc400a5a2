"""Check and normalise what a user typed or pressed, per question kind.

Parsing never raises: an answer becomes a `Valid` (with the person's own words kept), an
`Unsure` (readings to offer back: "Did you mean ...?") or an `Invalid` with a short, specific
re-ask, so the adapters can answer every kind of input without knowing the question kinds. How
free text is read is bot.engine.understand and bot.engine.dates. The words (re-asks, the
"I don't know" label, the date echo) are the content's (`Phrases`, from dialogues/messages.yaml).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.engine.conditions import TEXT_CUES, UNKNOWN
from bot.engine.dates import read_date
from bot.engine.phrases import Phrases
from bot.engine.script import Question
from bot.engine.understand import (
    Either,
    Read,
    read_choice,
    read_number,
    read_scale,
    says_dont_know,
    whole_number,
)

SCALE = range(1, 6)


@dataclass(frozen=True)
class Valid:
    value: Any
    shown: str
    words: str = ""
    """What the person typed, kept with the answer (empty for a pressed button)."""


@dataclass(frozen=True)
class Unsure:
    """Readings to offer back ("Did you mean ...?"): values with their labels, best first."""

    candidates: tuple[Any, ...]
    labels: tuple[str, ...]
    words: str


@dataclass(frozen=True)
class Invalid:
    reason: str


def clean_text(raw: str) -> str:
    """Drop control and format characters a user cannot see, keep newlines, emoji and RTL text."""
    kept = []
    for char in raw.replace("\r\n", "\n").replace("\r", "\n"):
        category = unicodedata.category(char)
        if char in "\n\t" or category[0] != "C" or char in "\u200d\u200c\u200f\u200e":
            kept.append(" " if char == "\t" else char)
    return re.sub(r"\n{3,}", "\n\n", "".join(kept)).strip()


def choices(question: Question, words: Phrases) -> list[tuple[str, str]]:
    """(value, label) pairs in display order, with "I don't know" last where allowed."""
    pairs = [(o.value, o.label) for o in question.options]
    if question.kind == "scale":
        pairs = [(str(n), str(n)) for n in SCALE]
    if question.allow_unknown:
        pairs.append((UNKNOWN, words.unknown_label))
    return pairs


def _says_unknown(text: str) -> bool:
    return bool(TEXT_CUES["no_idea"](text)) or says_dont_know(text)


Parsed = Valid | Unsure | Invalid


def parse_answer(
    question: Question, raw: str, today: date, words: Phrases, order: str | None = None
) -> Parsed:
    """Turn typed text into a stored value, readings to confirm, or say what is wrong.
    `order` is the person's day/month order ("DMY", "MDY") when known."""
    text = clean_text(raw)
    if not text:
        return _reask("answer_empty", question, words)
    if question.allow_unknown and question.kind != "text" and _says_unknown(text):
        return Valid(UNKNOWN, words.unknown_label, text)
    if question.kind == "choice":
        parsed = _parse_choice(question, text, words)
    elif question.kind == "scale":
        parsed = _parse_scale(question, text, words)
    elif question.kind == "date":
        parsed = _parse_date(question, text, today, words, order)
    else:
        return _parse_text(question, text, words)
    if isinstance(parsed, Valid):
        return Valid(parsed.value, parsed.shown, text)
    return parsed


def date_echo(iso: str, today: date, words: Phrases) -> str:
    """A date as the person reads it back: "Tuesday 8 December" (the year when not this one)."""
    day = date.fromisoformat(iso)
    return words.say(
        "answer_date_echo",
        weekday=day.weekday(),
        day=day.day,
        month=day.month,
        year=day.year,
        this_year=today.year,
    )


def parse_button(question: Question, value: str, words: Phrases) -> Valid | Invalid:
    """A pressed option: only values the question really offers are accepted."""
    for option_value, label in choices(question, words):
        if option_value == value:
            stored: Any = int(value) if question.kind == "scale" and value != UNKNOWN else value
            return Valid(stored, label)
    return _reask("answer_wrong_button", question, words)


def hint(question: Question, words: Phrases) -> str:
    """How to answer this question, used in every re-ask."""
    options = choices(question, words)
    unknown = words.unknown_label if question.allow_unknown else ""
    if question.kind == "choice":
        return words.say("hint_choice", count=len(options))
    if question.kind == "scale":
        return words.say("hint_scale", unknown=unknown, unknown_number=len(options))
    if question.kind == "date":
        return words.say("hint_date", unknown=unknown)
    return words.say("hint_text", max_length=question.max_length)


def _reask(key: str, question: Question, words: Phrases, **context: Any) -> Invalid:
    """A re-ask: what was wrong (the phrase `key`), then how to answer (`hint`)."""
    return Invalid(words.say(key, hint=hint(question, words), **context))


def _unsure(question: Question, text: str, found: Either, words: Phrases) -> Unsure:
    labels = dict(choices(question, words))
    shown = tuple(labels.get(str(v), str(v)) for v in found.candidates)
    return Unsure(found.candidates, shown, text)


def _parse_choice(question: Question, text: str, words: Phrases) -> Parsed:
    index = whole_number(text)
    found = (
        read_choice(question, text, words.unknown_label)
        if index is None
        else read_number(question, index, words.unknown_label)
    )
    if index is not None and found is None:
        return _reask("answer_no_option", question, words, number=index)
    if isinstance(found, Read):
        return parse_button(question, found.value, words)
    if isinstance(found, Either):
        return _unsure(question, text, found, words)
    return _reask("answer_unrecognised_option", question, words)


def _parse_scale(question: Question, text: str, words: Phrases) -> Parsed:
    number = whole_number(text)
    if number is not None and question.allow_unknown and number == len(SCALE) + 1:
        return Valid(UNKNOWN, words.unknown_label)
    found = read_scale(question, text, len(SCALE))
    if isinstance(found, Read):
        return Valid(found.value, str(found.value))
    if isinstance(found, Either):
        labels = tuple(str(n) for n in found.candidates)
        return Unsure(found.candidates, labels, text)
    return Invalid(hint(question, words))


def _parse_date(
    question: Question, text: str, today: date, words: Phrases, order: str | None
) -> Parsed:
    if question.allow_unknown and whole_number(text) == 1:  # "1. I don't know" is listed
        return Valid(UNKNOWN, words.unknown_label)
    found = read_date(text, today, order)
    if isinstance(found, Either):
        kept = tuple(d for d in found.candidates if not (question.future_only and d < str(today)))
        if len(kept) > 1:
            labels = tuple(date_echo(d, today, words) for d in kept)
            return Unsure(kept, labels, text)
        found = Read(kept[0]) if kept else Read(found.candidates[0])
    if isinstance(found, Read):
        day = date.fromisoformat(found.value)
        if question.future_only and day < today:
            return _reask("answer_date_passed", question, words, day=day.isoformat())
        return Valid(day.isoformat(), day.isoformat())
    return _reask("answer_bad_date", question, words)


def _parse_text(question: Question, text: str, words: Phrases) -> Valid | Invalid:
    if len(text) > question.max_length:
        return Invalid(words.say("answer_too_long", length=len(text), limit=question.max_length))
    if len(text) < question.min_length:
        return Invalid(words.say("answer_too_short", minimum=question.min_length))
    if question.allow_unknown and _says_unknown(text):
        return Valid(UNKNOWN, text, text)
    return Valid(text, text, text)
