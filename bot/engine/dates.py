"""Reading a date as people write it: "next Tuesday", "the 14th of next month", "19/01/2027".

Cheap, certain forms are read here (ISO dates, numbers with / . -, "next <weekday>"); words go
to dateparser, which is loaded once at import and only called when the cheap forms fail, with
its readings kept (a coach step must stay fast). Day and month order comes from the person's
time zone when it is known ("DMY" or "MDY"); when it is not and both readings are possible
("03/04/2027"), the reader offers both. A week day that is still ahead this week said as
"next Friday" is offered both ways too: people mean either.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

from dateparser.date import DateDataParser
from rapidfuzz import fuzz

from bot.engine.conditions import cue_book
from bot.engine.cues import fold
from bot.engine.understand import Either, Read, Reading, digits

_PARSER = DateDataParser(languages=["en"])
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})\s*[./-]\s*(\d{1,2})(?:\s*[./-]\s*(\d{2}|\d{4})?)?\.?")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_NEXT_DAY = re.compile(
    r"\bnext\s+(mon|tue|wed|thu|fri|sat|sun)(?:day|sday|nesday|rsday|urday|s|r|rs)?\b"
)
_DAY_OF_MONTH = re.compile(r"(?:on\s+)?(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)")
_FROM_NOW = re.compile(r"^(.+?)\s+from\s+(?:today|now)$")
_DATE_WORDS = re.compile(
    r"\d|today|tomorrow|tonight|yesterday|week|day|month|year|"
    r"\b(mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
)
MONTH_DAY_ZONES = ("America/", "US/", "Canada/", "Pacific/Guam", "Asia/Manila")
"""Time zones where people write the month first (12/15/2026); elsewhere the day comes first."""


def date_order(zone: str | None) -> str | None:
    """ "MDY" or "DMY" for a time zone the person set; None when they have not set one."""
    if not zone:
        return None
    return "MDY" if zone.startswith(MONTH_DAY_ZONES) else "DMY"


def read_date(text: str, today: date, order: str | None = None) -> Reading:
    """An ISO date string, two to choose from, or None."""
    return _read(" ".join(digits(text).casefold().split()), today, order)


@lru_cache(maxsize=8192)
def _read(text: str, today: date, order: str | None) -> Reading:
    clean = text.strip(" .,!?")
    iso = _ISO.fullmatch(clean)
    if iso:
        return _day(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)), text)
    numeric = _NUMERIC.fullmatch(clean)
    if numeric:
        return _numeric(numeric, today, order, text)
    day_of_month = _DAY_OF_MONTH.fullmatch(clean)
    if day_of_month:
        return _next_day_of_month(int(day_of_month.group(1)), today)
    from_now = _FROM_NOW.match(clean)
    if from_now:
        clean = "in " + from_now.group(1)
    clean = re.sub(r"\b(a|an|one)\s+(day|week|month)\b", r"1 \2", clean)
    week_day = _NEXT_DAY.search(clean)
    if week_day:
        return _next_week_day(week_day.group(1), today, text)
    if not _DATE_WORDS.search(clean):
        return None
    words = cue_book().strip_hedges(fold(clean))  # "probably next Tuesday", "monday i think"
    return _parsed(_months_spelled(words), today, text)


def _day(year: int, month: int, day: int, text: str) -> Reading:
    try:
        return Read(date(year, month, day).isoformat())
    except ValueError:
        return None


def _numeric(found: re.Match[str], today: date, order: str | None, text: str) -> Reading:
    first, second = int(found.group(1)), int(found.group(2))
    year_text = found.group(3)
    readings = []
    for day, month in ((first, second), (second, first)):
        if order == "DMY" and (day, month) != (first, second) and first <= 12 >= second:
            continue
        if order == "MDY" and (day, month) != (second, first) and first <= 12 >= second:
            continue
        when = _dated(day, month, year_text, today)
        if when is not None and when not in readings:
            readings.append(when)
    if not readings:
        return None
    if len(readings) == 1:
        return Read(readings[0])
    return Either(tuple(readings), text)


def _dated(day: int, month: int, year_text: str | None, today: date) -> str | None:
    """The date, in the given year or (no year) the next time that day comes."""
    try:
        if year_text is None:
            when = date(today.year, month, day)
            return (when if when >= today else date(today.year + 1, month, day)).isoformat()
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _next_day_of_month(day: int, today: date) -> Reading:
    """ "the 21st": this month's if it is still ahead, else next month's."""
    month, year = today.month, today.year
    for _ in range(3):
        try:
            when = date(year, month, day)
        except ValueError:
            when = None
        if when is not None and when >= today:
            return Read(when.isoformat())
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    return None


def _next_week_day(prefix: str, today: date, text: str) -> Reading:
    wanted = next(i for i, name in enumerate(_WEEKDAYS) if name.startswith(prefix))
    ahead = (wanted - today.weekday()) % 7 or 7
    nearest = today + timedelta(days=ahead)
    if wanted > today.weekday():  # still ahead this week: this one or the one after?
        return Either((nearest.isoformat(), (nearest + timedelta(days=7)).isoformat()), text)
    return Read(nearest.isoformat())


def _months_spelled(text: str) -> str:
    """Misspelt month names put right ("decmber 14" → "december 14")."""
    words = text.split()
    for i, word in enumerate(words):
        if len(word) >= 5 and word.isalpha() and word not in _MONTHS:
            best = max(_MONTHS, key=lambda month: fuzz.ratio(month, word))
            if fuzz.ratio(best, word) >= 85:
                words[i] = best
    return " ".join(words)


def _parsed(text: str, today: date, original: str) -> Reading:
    """dateparser, for words; a reading vaguer than a day ("january", "next year") is none."""
    base = datetime(today.year, today.month, today.day, 12, 0)
    settings = {"PREFER_DATES_FROM": "future", "RELATIVE_BASE": base}
    found = DateDataParser(languages=["en"], settings=settings).get_date_data(text)
    if found.date_obj is None:
        return None
    if found.period == "day" or (found.period == "week" and re.search(r"\b(in|from)\b", text)):
        return Read(found.date_obj.date().isoformat())
    return None


def warm_up() -> None:
    """Load dateparser's language data now (about a second), not in someone's first date
    answer; the composition root calls this at start."""
    _PARSER.get_date_data("next tuesday")
