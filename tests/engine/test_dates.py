"""Dates as people write them, read from an injected today (a Wednesday)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.engine.dates import date_order, read_date
from bot.engine.understand import Either, Read

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("next Tuesday", "2026-12-08"),
        ("the 14th of next month", "2027-01-14"),
        ("8 December", "2026-12-08"),
        ("19/01/2027", "2027-01-19"),
        ("12/15/2026", "2026-12-15"),
        ("decmber 14", "2026-12-14"),
        ("a week from today", "2026-12-09"),
        ("probably next Tuesday", "2026-12-08"),
        ("٢٠٢٦-١٢-١٥", "2026-12-15"),
    ],
)
def test_common_forms_are_read(text: str, day: str) -> None:
    assert read_date(text, TODAY) == Read(day)


def test_day_and_month_both_possible_is_offered_both_ways_until_the_order_is_known() -> None:
    assert read_date("03/04/2027", TODAY) == Either(("2027-04-03", "2027-03-04"), "03/04/2027")
    assert read_date("03/04/2027", TODAY, date_order("Europe/Berlin")) == Read("2027-04-03")
    assert read_date("03/04/2027", TODAY, date_order("America/Chicago")) == Read("2027-03-04")
    assert date_order(None) is None


def test_next_friday_said_on_a_wednesday_is_asked_and_next_monday_is_not() -> None:
    assert read_date("next friday", TODAY) == Either(("2026-12-04", "2026-12-11"), "next friday")
    assert read_date("next monday", TODAY) == Read("2026-12-07")


@pytest.mark.parametrize("text", ["january", "next year", "asap", "2027-02-30", "32/01/2027"])
def test_vague_or_impossible_dates_are_not_guessed(text: str) -> None:
    assert read_date(text, TODAY) is None
