"""How the course features speak in a turn: who is asking, and replies kept out of the
speaker's own coaching transcript."""

from __future__ import annotations

from typing import Any

from bot.coach.turn import Turn
from bot.courses import access
from bot.courses.access import Viewer
from bot.courses.types import CourseSettings
from bot.engine.render import split_message


def viewer(turn: Turn) -> Viewer:
    found = access.viewer_of(turn.db, turn.user.id, turn.setting(CourseSettings).admin_ids)
    assert found is not None  # the turn's own user exists
    return found


def say_private(
    turn: Turn, key: str, buttons: list[list[tuple[str, str]]] | None = None, **ctx: Any
) -> None:
    """Say something without copying it into the speaker's own transcript: what an
    instructor sees of their students (and sign-in links) stays out of their sessions."""
    for part in split_message(turn.content.say(key, turn.fmt, **ctx), 4096):
        payload: dict[str, Any] = {"text": part, "kind": "info", "format": turn.fmt}
        turn.outgoing.append(payload)
    if buttons:
        turn.outgoing[-1]["buttons"] = buttons


def say_long(turn: Turn, key: str, **ctx: Any) -> None:
    for part in split_message(turn.content.say(key, turn.fmt, **ctx), 4096):
        turn.send(part)
