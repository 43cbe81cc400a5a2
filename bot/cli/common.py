"""What every CLI command shares: its error, the default console user, JSON output."""

from __future__ import annotations

import argparse
import getpass
import json

from bot.coach.ids import parse_row_id, parse_telegram_id
from bot.errors import ParleyError


class CommandError(ParleyError):
    """A command cannot do what was asked; the message says why and what to do instead."""


def row_id(text: str) -> int:
    """An argparse type: a session or cohort number (`bot.coach.ids.parse_row_id`)."""
    value = parse_row_id(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a session number")
    return value


def telegram_id(text: str) -> int:
    """An argparse type: a Telegram user id (`bot.coach.ids.parse_telegram_id`)."""
    value = parse_telegram_id(text) if not text.strip().startswith("#") else None
    if value is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a Telegram user id")
    return value


def default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "you"


def dump(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
