"""Button payloads: short, versioned and checked on return.

Telegram gives a button 64 bytes of `callback_data`, and any client can send any bytes back,
so a payload is only a pointer (`v1:<action>:<args>`) that the coach verifies against the
database: the session must be the presser's and the question still the current one. Which
actions exist, and how many arguments each takes, is what the features registered on their
routers (`bot.coach.router`); this module only writes and splits payloads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "v1"
MAX_BYTES = 64
_WORD = re.compile(r"[a-z]{1,16}")


@dataclass(frozen=True)
class Callback:
    """A pressed button: its action and its arguments (ints, or one word for word buttons)."""

    action: str
    args: tuple[int, ...] | tuple[str, ...]


def make(action: str, *args: int | str) -> str:
    """A button's payload. Arguments are non-negative ints or short lowercase words; anything
    else, or a payload over Telegram's 64 bytes, is a programming error (ValueError)."""
    if not _WORD.fullmatch(action):
        raise ValueError(f"bad button action {action!r}")
    for arg in args:
        if isinstance(arg, int) and arg >= 0:
            continue
        if isinstance(arg, str) and _WORD.fullmatch(arg):
            continue
        raise ValueError(f"bad argument {arg!r} for button {action!r}")
    data = ":".join([PREFIX, action, *(str(arg) for arg in args)])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"button payload over {MAX_BYTES} bytes: {data!r}")
    return data


def split(data: str) -> tuple[str, list[str]] | None:
    """(action, raw arguments) of a payload we could have made, or None."""
    parts = data.split(":")
    if len(data.encode()) > MAX_BYTES or len(parts) < 2 or parts[0] != PREFIX:
        return None
    return parts[1], parts[2:]


# ---- the core's own buttons (registered by bot.coach.sessions) ----------------------------------
def answer(session_id: int, position: int, option: int) -> str:
    """An option of the current question: (session, question position, option index)."""
    return make("a", session_id, position, option)


def resume(session_id: int) -> str:
    return make("r", session_id)


def forget(choice: str) -> str:
    """The /forget confirmation: `yes` or `no`."""
    return make("f", choice)
