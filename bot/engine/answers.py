"""Check and normalise what a user typed or pressed, per question kind.

Parsing never raises: a bad answer becomes an `Invalid` with a short, specific re-ask, so the
adapters can answer every kind of input without knowing the question kinds. The words (re-asks,
the "I don't know" label) are the content's (`Phrases`, from dialogues/messages.yaml).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.engine.conditions import TEXT_CUES, UNKNOWN
from bot.engine.phrases import Phrases
from bot.engine.script import Question

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


def choices(question: Question, words: Phrases) -> list[tuple[str, str]]:
    """(value, label) pairs in display order, with "I don't know" last where allowed."""
    pairs = [(o.value, o.label) for o in question.options]
    if question.kind == "scale":
        pairs = [(str(n), str(n)) for n in SCALE]
    if question.allow_unknown:
        pairs.append((UNKNOWN, words.unknown_label))
    return pairs


def _says_unknown(text: str) -> bool:
    return TEXT_CUES["no_idea"](text)


def parse_answer(question: Question, raw: str, today: date, words: Phrases) -> Valid | Invalid:
    """Turn typed text into a stored value, or say precisely what is wrong."""
    text = clean_text(raw)
    if not text:
        return _reask("answer_empty", question, words)
    if question.allow_unknown and question.kind != "text" and _says_unknown(text):
        return Valid(UNKNOWN, words.unknown_label)
    if question.kind == "choice":
        return _parse_choice(question, text, words)
    if question.kind == "scale":
        return _parse_scale(question, text, words)
    if question.kind == "date":
        return _parse_date(question, text, today, words)
    return _parse_text(question, text, words)


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


def _parse_choice(question: Question, text: str, words: Phrases) -> Valid | Invalid:
    options = choices(question, words)
    number = text.rstrip(".)")
    if number.isascii() and number.isdigit() and len(number) <= 9:  # "²".isdigit() too
        index = int(number)
        if 1 <= index <= len(options):
            return parse_button(question, options[index - 1][0], words)
        return _reask("answer_no_option", question, words, number=index)
    folded = text.casefold()
    for value, label in options:
        if folded in (label.casefold(), value.casefold()):
            return parse_button(question, value, words)
    return _reask("answer_unrecognised_option", question, words)


def _parse_scale(question: Question, text: str, words: Phrases) -> Valid | Invalid:
    match = re.fullmatch(r"(\d+)(?:\s*/\s*5)?", text)
    if match:
        number = int(match.group(1))
        if number in SCALE:
            return Valid(number, str(number))
        if question.allow_unknown and number == len(SCALE) + 1:
            return Valid(UNKNOWN, words.unknown_label)
    return Invalid(hint(question, words))


def _parse_date(question: Question, text: str, today: date, words: Phrases) -> Valid | Invalid:
    folded = " ".join(text.replace(",", " ").split())
    for fmt in _DATE_FORMATS:
        try:
            day = datetime.strptime(folded, fmt).date()
        except ValueError:
            continue
        if question.future_only and day < today:
            return _reask("answer_date_passed", question, words, day=day.isoformat())
        return Valid(day.isoformat(), day.isoformat())
    if folded.casefold() in ("today", "tomorrow"):
        day = today if folded.casefold() == "today" else date.fromordinal(today.toordinal() + 1)
        return Valid(day.isoformat(), day.isoformat())
    return _reask("answer_bad_date", question, words)


def _parse_text(question: Question, text: str, words: Phrases) -> Valid | Invalid:
    if len(text) > question.max_length:
        return Invalid(words.say("answer_too_long", length=len(text), limit=question.max_length))
    if len(text) < question.min_length:
        return Invalid(words.say("answer_too_short", minimum=question.min_length))
    if question.allow_unknown and _says_unknown(text):
        return Valid(UNKNOWN, text)
    return Valid(text, text)
