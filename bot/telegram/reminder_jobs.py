"""Reminder rows armed into python-telegram-bot's JobQueue.

The database holds the reminders; the JobQueue only holds timers. At start-up every pending
reminder is armed (one that came due while the bot was down fires at once); a cheap periodic scan
then arms rows created since (reminders are planned by turns while the bot runs) once they come
within two scan intervals. A timer that fires calls `ReminderService.fire`, which claims the row
and queues the message in one transaction, then the chat's outbox is sent under the chat's lock,
like any reply: a timer armed twice, or on several bot processes, sends once.

Instructors' digests of new work (bot/courses/digest.py) ride the same scan and timers: a
planned digest is a row with a due time like a reminder, fired by `DigestService.fire`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from telegram.ext import Application, CallbackContext, JobQueue

from bot.coach.service import CoachService
from bot.courses.digest import DigestService
from bot.reminders.service import ReminderService
from bot.telegram.blocking import DatabaseThread
from bot.telegram.ordering import ChatLocks
from bot.telegram.sender import CHANNEL, OutboxSender

log = logging.getLogger(__name__)

SCAN_EVERY = 30.0
Send = Callable[[int], Awaitable[None]]


class ReminderJobs:
    """Arms reminder rows as one-off jobs and fires them; knows which ids it has armed."""

    def __init__(
        self,
        job_queue: JobQueue[Any],
        reminders: ReminderService,
        db: DatabaseThread,
        send: Send,
        scan_every: float = SCAN_EVERY,
        digests: DigestService | None = None,
    ) -> None:
        self.job_queue = job_queue
        self.reminders = reminders
        self.digests = digests
        self.db = db
        self.send = send
        self.scan_every = scan_every
        self._armed: set[int] = set()
        self._armed_digests: set[int] = set()

    async def start(self) -> None:
        """Arm every pending reminder, then scan for new ones every `scan_every` seconds."""
        armed = await self.arm(None)
        log.info("reminders armed=%d scan_every=%.0fs", armed, self.scan_every)
        self.job_queue.run_repeating(
            self._scan, interval=self.scan_every, first=self.scan_every, name="reminder-scan"
        )

    async def arm(self, within: timedelta | None) -> int:
        """Arm pending reminders and planned digests due within `within` (all if None) not
        armed yet."""
        rows = await self.db(self.reminders.due, CHANNEL, within)
        now = self.reminders.now()
        count = 0
        for reminder_id, due in rows:
            if reminder_id in self._armed:
                continue
            self._armed.add(reminder_id)
            delay = max(0.0, (due - now).total_seconds())
            self.job_queue.run_once(
                self._fire, when=delay, data=reminder_id, name=f"reminder-{reminder_id}"
            )
            count += 1
        if self.digests is not None:
            count += await self._arm_digests(self.digests, within)
        return count

    async def _arm_digests(self, digests: DigestService, within: timedelta | None) -> int:
        rows = await self.db(digests.due, CHANNEL, within)
        now = digests.now()
        count = 0
        for instructor_id, due in rows:
            if instructor_id in self._armed_digests:
                continue
            self._armed_digests.add(instructor_id)
            delay = max(0.0, (due - now).total_seconds())
            self.job_queue.run_once(
                self._fire_digest, when=delay, data=instructor_id, name=f"digest-{instructor_id}"
            )
            count += 1
        return count

    async def _scan(self, _context: CallbackContext[Any, Any, Any, Any]) -> None:
        try:
            await self.arm(timedelta(seconds=2 * self.scan_every))
        except Exception:
            log.exception("reminder scan failed")

    async def _fire(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        job = context.job
        assert job is not None
        reminder_id = job.data
        assert isinstance(reminder_id, int)
        try:
            chat_id = await self.db(self.reminders.fire, reminder_id)
            if chat_id is not None and chat_id.lstrip("-").isdigit():
                await self.send(int(chat_id))
        except Exception:
            log.exception("reminder failed id=%d", reminder_id)
        finally:
            # Not due yet (a clock step) or failed: the next scan arms it again if still pending.
            self._armed.discard(reminder_id)

    async def _fire_digest(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        job = context.job
        assert job is not None and self.digests is not None
        instructor_id = job.data
        assert isinstance(instructor_id, int)
        try:
            chat_id = await self.db(self.digests.fire, instructor_id)
            if chat_id is not None and chat_id.lstrip("-").isdigit():
                await self.send(int(chat_id))
        except Exception:
            log.exception("digest failed user=%d", instructor_id)
        finally:
            # Not due yet or failed: the next scan arms it again while it is still planned.
            self._armed_digests.discard(instructor_id)


async def start_reminder_jobs(
    application: Application,  # type: ignore[type-arg]
    service: CoachService,
    db: DatabaseThread,
    sender: OutboxSender,
    locks: ChatLocks,
    kick: Callable[[int], None] | None = None,
    scan_every: float = SCAN_EVERY,
) -> ReminderJobs:
    """Arm reminders on `application`'s JobQueue. A fired reminder's chat is sent under its
    chat lock; with several workers (`kick` given) the chat drainer sends it instead, since
    only a drain holding the chat's advisory lock may send left-over messages."""
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")

    async def send_locked(chat_id: int) -> None:
        await locks.run(chat_id, sender.send_pending(chat_id))

    async def send_by_drain(chat_id: int) -> None:
        assert kick is not None
        kick(chat_id)

    jobs = ReminderJobs(
        job_queue,
        ReminderService(service),
        db,
        send_locked if kick is None else send_by_drain,
        scan_every,
        DigestService(service),
    )
    await jobs.start()
    return jobs
