"""Instructors hear about new work (issue 14 item 6): a digest, at most one an hour.

A student's shared session that is completed (or a completed one shared), and a debrief of a
shared preparation that is completed, become news for each instructor of the cohort (`note`,
called by the courses router's hooks inside the student's turn). The first news plans the
instructor's digest: at once, or an hour after their last one. The digest is sent like a
reminder: the Telegram adapter's reminder scan arms it on the job queue
(bot/telegram/reminder_jobs.py) and `DigestService.fire` claims it and writes the message to the
outbox in one transaction, so it goes out once, through the outbox, on the services' clock.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from bot.coach import ids
from bot.coach.messages import FORMATS
from bot.coach.service import CoachService
from bot.courses.types import CourseSettings
from bot.engine.render import split_message
from storage import debriefs as debrief_store
from storage import repository as repo
from storage.courses import digests as store
from storage.courses.cohorts import person_name
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

EVERY = timedelta(hours=1)
"""At most one digest per instructor in this time."""


def note(db: UnitOfWork, session_id: int, now: datetime) -> list[int]:
    """News of a completed session that is shared: for the instructors of its cohorts (a
    debrief's kind is "debrief"). Returns the instructors whose digest is planned."""
    kind = "debrief" if debrief_store.prepared_of(db, session_id) is not None else "session"
    return store.record(db, session_id, kind, now, EVERY)


class DigestService:
    """Reads due digests and fires them, in transactions of its own (no inbound message)."""

    def __init__(self, coach: CoachService) -> None:
        self.coach = coach
        self.content = coach.content

    def now(self) -> datetime:
        return self.coach.clock()

    def due(self, channel: str, within: timedelta | None = None) -> list[tuple[int, datetime]]:
        """Planned digests of `channel`'s instructors due within `within` from now (all: None)."""
        until = None if within is None else self.now() + within
        with self.coach.database.begin() as db:
            return store.due_before(db, channel, until)

    def fire(self, instructor_id: int) -> str | None:
        """Claim a due digest and queue its message; the chat to send to, or None when this
        call sent nothing (not due, already sent, turned off, nothing left to tell)."""
        now = self.now()
        with self.coach.database.begin() as db:
            if not store.claim(db, instructor_id, now):
                return None
            items = store.take_news(db, instructor_id, now)
            user = repo.user_by_id(db, instructor_id)
            if user is None or not user.active or not items:
                log.info("digest dropped user=%d items=%d", instructor_id, len(items))
                return None
            fmt = FORMATS.get(user.channel, "text")
            text = self.content.say("instructor_digest", fmt, cohorts=self.cohorts(items))
            payloads = [
                {"text": part, "kind": "info", "format": fmt} for part in split_message(text, 4096)
            ]
            chat_id = ids.split_external_id(user.external_id)[1]
            repo.add_outbox(db, user.id, user.channel, chat_id, payloads)
        log.info("digest queued user=%d items=%d", instructor_id, len(items))
        return chat_id

    def cohorts(self, items: list[store.NewsItem]) -> list[dict[str, Any]]:
        """The news per cohort, for the phrase: its name, its page on the review site (when the
        site is set up) and each piece of news."""
        site = self.coach.setting(CourseSettings)
        base = site.web_base_url.rstrip("/") if site.web_secret else ""
        untitled = self.content.say("untitled", "text")
        grouped: dict[int, dict[str, Any]] = {}
        for item in items:
            cohort = grouped.setdefault(
                item.cohort_id,
                {
                    "name": item.cohort_name,
                    "link": f"{base}/cohorts/{item.cohort_id}" if base else "",
                    "sessions": [],
                    "debriefs": [],
                },
            )
            entry = {
                "student": person_name(item.student_name, None, item.student_user_id),
                "title": item.title or untitled,
                "session_id": item.session_id,
            }
            cohort["debriefs" if item.kind == "debrief" else "sessions"].append(entry)
        return list(grouped.values())
