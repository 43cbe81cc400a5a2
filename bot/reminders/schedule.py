"""Reminders before and after a negotiation: when they are due and what the checklist says.

Pure domain: no SQL, no Telegram. The script's `reminders:` block (bot.engine.script.ReminderPlan)
names the date question and the answers the checklist quotes; this module turns a date and the
user's time zone into due times (naive UTC, like every timestamp in the database) and gathers
what the day-before checklist shows. Time zones are IANA names (`Europe/Berlin`, through
zoneinfo, so daylight saving time is right on the day) or fixed offsets (`UTC+05:30`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.engine.conditions import UNKNOWN, stored_date
from bot.engine.content import Content
from bot.engine.machine import Conversation
from bot.engine.script import END, ReminderPlan

CHECKLIST = "checklist"
DEBRIEF = "debrief"
KINDS = (CHECKLIST, DEBRIEF)
SNOOZE = timedelta(hours=24)
FLAGGED_LEVELS = ("risk", "watch", "gap")
"""The levels a checklist names as the top risk, in this order (a clear lesson is no risk)."""

_OFFSET = re.compile(r"^(?:UTC|GMT)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_IANA = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+){0,2}$")


def parse_zone(text: str) -> str | None:
    """A time zone the user typed, as stored (`Europe/Berlin`, `UTC+05:30`); None if unknown.

    Offsets are limited to what exists on Earth (-12:00 to +14:00, minutes 00/15/30/45)."""
    raw = text.strip()
    match = _OFFSET.match(raw)
    if match:
        sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
        if minutes not in (0, 15, 30, 45) or hours > 14 or (sign == "-" and hours > 12):
            return None
        if hours == 0 and minutes == 0:
            return "UTC"
        return f"UTC{sign}{hours:02d}:{minutes:02d}"
    if raw.upper() in ("UTC", "GMT", "Z"):
        return "UTC"
    if len(raw) > 64 or not _IANA.match(raw):
        return None  # also keeps paths like ../../etc away from the zoneinfo lookup
    try:
        return ZoneInfo(raw).key
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone(name: str) -> tzinfo:
    """The tzinfo for a stored name; UTC for anything unreadable (it was checked on input)."""
    match = _OFFSET.match(name)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        offset = timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
        return timezone(sign * offset, name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def to_utc(day: date, at: time, zone_name: str) -> datetime:
    """`at` o'clock local time on `day` as naive UTC (the database's convention)."""
    local = datetime.combine(day, at, tzinfo=zone(zone_name))
    return local.astimezone(UTC).replace(tzinfo=None)


def local_time(due_utc: datetime, zone_name: str) -> datetime:
    """A stored naive-UTC time in the user's zone (aware)."""
    return due_utc.replace(tzinfo=UTC).astimezone(zone(zone_name))


def shown_time(due_utc: datetime, zone_name: str) -> str:
    """How a due time is shown to the user: "Wed 2 Dec, 09:00"."""
    local = local_time(due_utc, zone_name)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def negotiation_day(value: Any) -> date | None:
    """The stored answer of the date question as a date; None for unknown or skipped."""
    return stored_date(value)


def due_time(kind: str, day: date, zone_name: str, plan: ReminderPlan) -> datetime:
    """When a reminder of `kind` for a negotiation on `day` is due (naive UTC)."""
    if kind == CHECKLIST:
        return to_utc(day - timedelta(days=1), plan.checklist_at, zone_name)
    return to_utc(day + timedelta(days=1), plan.debrief_at, zone_name)


def plan_for(
    day: date, zone_name: str, plan: ReminderPlan, now: datetime, kinds: tuple[str, ...] = KINDS
) -> list[tuple[str, datetime]]:
    """(kind, due) for each reminder still ahead of `now`: a time already passed is skipped."""
    due = [(kind, due_time(kind, day, zone_name, plan)) for kind in kinds]
    return [(kind, when) for kind, when in due if when > now]


@dataclass(frozen=True)
class Checklist:
    """What the day-before message shows; `missing` names what the user has not answered."""

    walkaway: str | None
    opening: str | None
    risk_title: str | None
    risk_level: str | None
    action: str | None
    complete: bool

    @property
    def missing(self) -> list[str]:
        """Unanswered parts; an open session's risk is unknown, a complete one may have none."""
        names = [("walkaway", self.walkaway), ("opening", self.opening)]
        missing = [name for name, value in names if value is None]
        return missing if self.complete or self.risk_title else [*missing, "risk"]

    def as_context(self) -> dict[str, Any]:
        return {
            "walkaway": self.walkaway,
            "opening": self.opening,
            "risk_title": self.risk_title,
            "risk_level": self.risk_level,
            "action": self.action,
            "complete": self.complete,
            "missing": self.missing,
        }


def _said(conv: Conversation, question_id: str | None) -> str | None:
    """The user's own words for a question, or None when skipped, unknown or not reached."""
    if question_id is None or question_id not in conv.answered_on_path():
        return None
    value = conv.values.get(question_id)
    if value is None or value == UNKNOWN:
        return None
    return conv.shown.get(question_id) or None


def checklist(content: Content, conv: Conversation) -> Checklist:
    """The checklist for a session as it stands (a session still open gives what is known).

    The top risk is the first flagged finding (findings come sorted: risk, watch, gap), with
    its action item; an open session's findings come only from the answers given so far."""
    plan = content.script.reminders
    findings = content.findings(conv)
    top = next((f for f in findings if f.level in FLAGGED_LEVELS), None)
    return Checklist(
        walkaway=_said(conv, plan.walkaway if plan else None),
        opening=_said(conv, plan.opening if plan else None),
        risk_title=top.lesson.title if top else None,
        risk_level=top.level if top else None,
        action=top.action if top else None,
        complete=conv.state == END,
    )
