"""The one reader of ids people type or clients send back, and the one writer of user ids.

Every entry point (Telegram commands and buttons, the CLI, the review site) reads a number
through `parse_row_id` or `parse_telegram_id`: ASCII digits only (`"²".isdigit()` is true but
`int("²")` raises) and within the column's range, so nothing a person types reaches a query
PostgreSQL would refuse. A user is stored as `<channel>:<ref>` (`telegram:42`,
`console:maya`); `external_id` builds it and `split_external_id` reads it, nowhere else.
"""

from __future__ import annotations

MAX_ROW_ID = 2**31 - 1
"""Row ids are PostgreSQL `integer`s: a larger id typed or forged can name nothing."""
MAX_TELEGRAM_ID = 2**63 - 1
"""Telegram user ids fit in 52 bits today; they are stored as `bigint`."""


MAX_DIGITS = 19
"""Longer digit strings are not numbers anyone means (and `int()` of a huge string is slow)."""


def parse_number(text: str) -> int | None:
    """A number a person typed as an id (`12`, or `#12` as lists show it): ASCII digits only,
    at most 19 of them; None for anything else. The caller decides what a number out of its
    column's range means (usually: "can't find that", like any id that names nothing)."""
    text = text.strip().removeprefix("#")
    if not text or not text.isascii() or not text.isdigit() or len(text) > MAX_DIGITS:
        return None
    return int(text)


def _digits(text: str, limit: int) -> int | None:
    value = parse_number(text)
    return value if value is not None and 0 < value <= limit else None


def parse_row_id(text: str) -> int | None:
    """A session, cohort, line or page number that can name a row; None for anything else,
    including 0, non-ASCII digits and numbers beyond the integer column's range."""
    return _digits(text, MAX_ROW_ID)


def parse_telegram_id(text: str) -> int | None:
    """A Telegram user id typed by an admin or operator; None when it can't be one."""
    return _digits(text, MAX_TELEGRAM_ID)


def is_row_id(value: int) -> bool:
    """Whether an int (from a button, say) can name a row at all."""
    return 0 < value <= MAX_ROW_ID


def external_id(channel: str, ref: str | int) -> str:
    """The stored user id: `telegram:42`, `console:maya`."""
    return f"{channel}:{ref}"


def split_external_id(stored: str) -> tuple[str, str]:
    """(channel, ref) of a stored user id."""
    channel, _, ref = stored.partition(":")
    return channel, ref


def telegram_id_of(stored: str) -> int | None:
    """The Telegram user id in `telegram:<id>`, or None for other channels."""
    channel, ref = split_external_id(stored)
    return parse_telegram_id(ref) if channel == "telegram" else None
