"""Reading persona files (tests/personas/*.yaml), with their dates made relative to a clock.

A persona types its negotiation's date the way a person would ("15 Dec 2026"), but a fixed date
turns into the past one day and the coach then refuses it, so a test that passed yesterday fails
today. Persona files therefore write dates as `{today+N}` (ISO) or `{today+N:FORMAT}` (any
`strftime` format, e.g. `{today+20:%d %b %Y}`), and every reader fills them in from the clock it
runs with: the fixed `TODAY` of an engine test, the injected clock of a service test, or the real
date when a test drives a real process.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from bot.engine.answers import Unsure
    from bot.engine.content import Content
    from bot.engine.machine import Conversation

FOLDER = Path(__file__).resolve().parent / "personas"
RELATIVE = re.compile(r"\{today([+-]\d+)(?::([^}]+))?\}")


def paths() -> list[Path]:
    """Every persona file, in name order."""
    return sorted(FOLDER.glob("*.yaml"))


def resolve(text: str, today: date) -> str:
    """`text` with each `{today+N[:FORMAT]}` replaced by that day."""

    def day(match: re.Match[str]) -> str:
        when = today + timedelta(days=int(match.group(1)))
        return when.strftime(match.group(2)) if match.group(2) else when.isoformat()

    return RELATIVE.sub(day, text)


def load(persona: str | Path, today: date) -> dict[str, Any]:
    """A persona (by file stem or path) with its answers as typed on `today`."""
    path = persona if isinstance(persona, Path) else FOLDER / f"{persona}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name}: expected a mapping"
    data["answers"] = [resolve(str(answer), today) for answer in data.get("answers") or []]
    return data


def answers(persona: str | Path, today: date) -> list[str]:
    """What the persona types, in order, on `today`."""
    found: list[str] = load(persona, today)["answers"]
    return found


def play(content: Content, answers: list[str], today: date) -> Conversation:
    """Drive the engine through `answers` as the coach would: an answer it asks back about
    ("Did you mean ...?") is followed by the persona's pick (a number or a label; one past the
    last is "Something else", and the question's next answer follows)."""
    conv = content.dialogue.start()
    unsure: Unsure | None = None
    for text in answers:
        if unsure is None:
            step = content.dialogue.answer(conv, text, today)
            assert step.accepted or step.unsure is not None, f"{text!r}: {step.reason}"
            unsure = step.unsure
            continue
        labels = [label.casefold() for label in unsure.labels]
        typed = text.strip().casefold()
        index = labels.index(typed) if typed in labels else int(text) - 1
        if index < len(labels):
            kind = content.script.question(conv.state).kind
            shown = unsure.labels[index] if kind == "choice" else str(unsure.candidates[index])
            content.dialogue.take(conv, unsure.candidates[index], shown, unsure.words)
        unsure = None
    return conv
