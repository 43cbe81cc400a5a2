"""Check and normalise what a user typed or pressed, per question kind.

Parsing never raises: a bad answer becomes an `Invalid` with a short, specific re-ask, so the
adapters can answer every kind of input without knowing the question kinds.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.engine.conditions import TEXT_CUES, UNKNOWN
from bot.engine.script import Question

UNKNOWN_LABEL = "I don't know"
SCALE = range(1, 6)
_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%d.%m.%Y")


@dataclass(frozen=True)
class Valid:
    value: Any
    shown: str


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


def choices(question: Question) -> list[tuple[str, str]]:
    """(value, label) pairs in display order, with "I don't know" last where allowed."""
    pairs = [(o.value, o.label) for o in question.options]
    if question.kind == "scale":
        pairs = [(str(n), str(n)) for n in SCALE]
    if question.allow_unknown:
        pairs.append((UNKNOWN, UNKNOWN_LABEL))
    return pairs


def _says_unknown(text: str) -> bool:
    return TEXT_CUES["no_idea"](text)


def parse_answer(question: Question, raw: str, today: date) -> Valid | Invalid:
    """Turn typed text into a stored value, or say precisely what is wrong."""
    text = clean_text(raw)
    if not text:
        return Invalid("I didn't catch an answer there. " + hint(question))
    if question.allow_unknown and question.kind != "text" and _says_unknown(text):
        return Valid(UNKNOWN, UNKNOWN_LABEL)
    if question.kind == "choice":
        return _parse_choice(question, text)
    if question.kind == "scale":
        return _parse_scale(question, text)
    if question.kind == "date":
        return _parse_date(question, text, today)
    return _parse_text(question, text)


def parse_button(question: Question, value: str) -> Valid | Invalid:
    """A pressed option: only values the question really offers are accepted."""
    for option_value, label in choices(question):
        if option_value == value:
            stored: Any = int(value) if question.kind == "scale" and value != UNKNOWN else value
            return Valid(stored, label)
    return Invalid("That button doesn't belong to this question. " + hint(question))


def hint(question: Question) -> str:
    """How to answer this question, used in every re-ask."""
    options = choices(question)
    if question.kind == "choice":
        return f"Please answer with a number from 1 to {len(options)}, or the option's name."
    if question.kind == "scale":
        extra = f", or {len(options)} for “{UNKNOWN_LABEL}”" if question.allow_unknown else ""
        return f"Please answer with a number from 1 to 5{extra}."
    if question.kind == "date":
        extra = " or “I don't know”" if question.allow_unknown else ""
        return f"Please give a date like 2026-12-03{extra}."
    return f"Please answer in a few words (up to {question.max_length} characters)."


def _parse_choice(question: Question, text: str) -> Valid | Invalid:
    options = choices(question)
    number = text.rstrip(".)")
    if number.isascii() and number.isdigit() and len(number) <= 9:  # "²".isdigit() too
        index = int(number)
        if 1 <= index <= len(options):
            return parse_button(question, options[index - 1][0])
        return Invalid(f"There's no option {index}. " + hint(question))
    folded = text.casefold()
    for value, label in options:
        if folded in (label.casefold(), value.casefold()):
            return parse_button(question, value)
    return Invalid("I didn't recognise that option. " + hint(question))


def _parse_scale(question: Question, text: str) -> Valid | Invalid:
    match = re.fullmatch(r"(\d+)(?:\s*/\s*5)?", text)
    if match:
        number = int(match.group(1))
        if number in SCALE:
            return Valid(number, str(number))
        if question.allow_unknown and number == len(SCALE) + 1:
            return Valid(UNKNOWN, UNKNOWN_LABEL)
    return Invalid(hint(question))


def _parse_date(question: Question, text: str, today: date) -> Valid | Invalid:
    folded = " ".join(text.replace(",", " ").split())
    for fmt in _DATE_FORMATS:
        try:
            day = datetime.strptime(folded, fmt).date()
        except ValueError:
            continue
        if question.future_only and day < today:
            return Invalid(f"{day.isoformat()} has already passed. " + hint(question))
        return Valid(day.isoformat(), day.isoformat())
    if folded.casefold() in ("today", "tomorrow"):
        day = today if folded.casefold() == "today" else date.fromordinal(today.toordinal() + 1)
        return Valid(day.isoformat(), day.isoformat())
    return Invalid("I couldn't read that date. " + hint(question))


def _parse_text(question: Question, text: str) -> Valid | Invalid:
    if len(text) > question.max_length:
        return Invalid(
            f"That's {len(text):,} characters; please keep it under {question.max_length:,} "
            "(the main points are enough)."
        )
    if len(text) < question.min_length:
        return Invalid(f"Could you say a little more? (at least {question.min_length} characters)")
    if question.allow_unknown and _says_unknown(text):
        return Valid(UNKNOWN, text)
    return Valid(text, text)
