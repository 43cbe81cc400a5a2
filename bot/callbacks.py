"""Button payloads: short, versioned and checked on return.

Telegram gives a button 64 bytes of `callback_data`, and any client can send any bytes back,
so a payload is only a pointer (`v1:<action>:<args>`) that the coach service verifies against
the database: the session must be the presser's and the question still the current one.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "v1"
# action letter -> number of arguments. Core: answer(session, question position, option),
# resume(session), forget(yes|no). Features add theirs here and handle them through a `BUTTONS`
# table on their Turn mixin; every argument other than forget's is a small integer.
ACTIONS = {"a": 3, "r": 1, "f": 1}
# Instructors and cohorts (bot/course_commands.py, bot/review_commands.py): join(cohort, agree),
# share(session, cohort), leave(cohort, withdraw), student(cohort, user), review(session).
ACTIONS.update({"cj": 2, "cs": 2, "cl": 2, "cu": 2, "cv": 1})
# The debrief (bot/debrief_commands.py): debrief(prepared session), e.g. a reminder's invitation.
ACTIONS["d"] = 1
# Reminders (bot/reminder_commands.py): m(operation, reminder), operation 1 snooze, 2 stop,
# 3 ask again tomorrow.
ACTIONS.update({"m": 2})


@dataclass(frozen=True)
class Callback:
    action: str
    args: tuple[int, ...] | tuple[str, ...]


def answer(session_id: int, position: int, option: int) -> str:
    return f"{PREFIX}:a:{session_id}:{position}:{option}"


def resume(session_id: int) -> str:
    return f"{PREFIX}:r:{session_id}"


def forget(choice: str) -> str:
    return f"{PREFIX}:f:{choice}"


MAX_ROW_ID = 2**31 - 1  # PostgreSQL's integer: a larger id is refused before any query


def row_id(text: str) -> int | None:
    """A database id typed or sent back by a client, or None. ASCII digits only
    (`"²".isdigit()` is true but `int("²")` fails) and within the integer column's range."""
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    value = int(text)
    return value if 0 < value <= MAX_ROW_ID else None


def make(action: str, *args: int) -> str:
    """A feature button's payload (`action` registered in ACTIONS with len(args) arguments)."""
    assert ACTIONS.get(action) == len(args), action
    return ":".join([PREFIX, action, *(str(arg) for arg in args)])


def parse(data: str) -> Callback | None:
    """The payload's action and arguments, or None for anything we did not produce."""
    parts = data.split(":")
    if len(data.encode()) > 64 or len(parts) < 2 or parts[0] != PREFIX:
        return None
    action, args = parts[1], parts[2:]
    if ACTIONS.get(action) != len(args):
        return None
    if action == "f":
        return Callback(action, (args[0],)) if args[0] in ("yes", "no") else None
    if not all(arg.isascii() and arg.isdigit() and len(arg) < 11 for arg in args):
        return None
    values = tuple(int(arg) for arg in args)
    if any(value > MAX_ROW_ID for value in values):
        return None
    return Callback(action, values)
