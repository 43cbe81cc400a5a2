"""What every CLI command shares: its error, the default console user, JSON output."""

from __future__ import annotations

import getpass
import json

from bot.errors import ParleyError


class CommandError(ParleyError):
    """A command cannot do what was asked; the message says why and what to do instead."""


def default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "you"


def dump(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
