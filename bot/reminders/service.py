"""Firing reminders: a due reminder becomes outbox messages, exactly once.

`fire` is the only way a reminder is sent. In one transaction it claims the row (pending → sent,
only if it is still pending and due) and writes the message to the outbox; the adapter then
sends the outbox as it sends any reply. A job armed twice, two bot processes, or a restart that
re-arms a reminder already sent all meet a row that is no longer pending and do nothing. A
reminder that was stopped, replaced or whose user was deleted is never sent for the same reason.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from bot.coach import callbacks, ids
from bot.coach.messages import FORMATS
from bot.coach.service import CoachService
from bot.engine.machine import Conversation
from bot.engine.render import Format, to_plain
from bot.reminders.schedule import CHECKLIST, checklist, negotiation_day
from storage import reminders as store
from storage import repository as repo
from storage.records import SessionRecord

log = logging.getLogger(__name__)

DEBRIEF_ACTION = "d"
"""The debrief dialogue's button: starts the debrief of the session given as its argument."""
LATER = 3
"""`m` button operation "ask me again tomorrow" (see bot.reminders.commands)."""


class ReminderService:
    """Reads due reminders and fires them, in transactions of its own (no inbound message)."""

    def __init__(self, coach: CoachService) -> None:
        self.coach = coach
        self.content = coach.content

    def now(self) -> datetime:
        return self.coach.clock()

    def due(self, channel: str, within: timedelta | None = None) -> list[tuple[int, datetime]]:
        """Pending reminders of `channel`'s users due within `within` from now (all if None)."""
        until = None if within is None else self.now() + within
        with self.coach.database.begin() as db:
            return store.due_before(db, channel, until)

    def fire(self, reminder_id: int) -> str | None:
        """Claim a due reminder and queue its message; the chat to send to, or None if this
        call did not send it (not due yet, already sent, cancelled, or its user is gone)."""
        now = self.now()
        with self.coach.database.begin() as db:
            if not store.claim(db, reminder_id, now):
                return None
            reminder = store.get(db, reminder_id)
            assert reminder is not None  # just claimed in this transaction
            user = repo.user_by_id(db, reminder.user_id)
            row = repo.get_session(db, reminder.session_id)
            settings = store.settings_of(db, reminder.user_id)
            if user is None or row is None or not user.active or not settings.enabled:
                # Claimed but never sent: a blocked bot or stopped reminders get nothing.
                store.cancel_claimed(db, reminder_id)
                log.info("reminder dropped id=%d (user inactive or reminders off)", reminder_id)
                return None
            fmt = FORMATS.get(user.channel, "text")
            payloads = self.payloads(reminder, row, fmt)
            chat_id = ids.split_external_id(user.external_id)[1]
            repo.add_outbox(db, user.id, user.channel, chat_id, payloads)
            for payload in payloads:
                text = to_plain(payload["text"]) if fmt == "html" else payload["text"]
                repo.add_line(db, row.id, "bot", text, None)
        log.info("reminder queued id=%d kind=%s", reminder_id, reminder.kind)
        return chat_id

    def payloads(
        self, reminder: store.ReminderRow, row: SessionRecord, fmt: Format
    ) -> list[dict[str, Any]]:
        """The reminder's message(s) as outbox payloads."""
        say = self.content.say
        plan = self.content.script.reminders
        answer = row.answer_map.get(plan.date) if plan is not None else None
        day = negotiation_day(answer[0] if answer else None)
        context = {
            "title": row.title or say("untitled_negotiation", "text"),
            "day": f"{day:%a} {day.day} {day:%b}" if day else "",
            "session_id": row.id,
        }
        if reminder.kind == CHECKLIST:
            conv = Conversation(
                state=row.state,
                values={qid: pair[0] for qid, pair in row.answer_map.items()},
                shown={qid: pair[1] for qid, pair in row.answer_map.items()},
                path=list(row.path),
            )
            found = checklist(self.content, conv)
            text = say("reminder_checklist", fmt, **context, **found.as_context())
            return [{"text": text, "kind": "reminder", "format": fmt}]
        buttons = []
        if DEBRIEF_ACTION in self.coach.routes.buttons:  # the debrief feature is plugged in
            debrief = say("reminder_button_debrief", fmt)
            buttons.append([(debrief, callbacks.make(DEBRIEF_ACTION, row.id))])
        later = say("reminder_button_later", fmt)
        buttons.append([(later, callbacks.make("m", LATER, reminder.id))])
        text = say("reminder_debrief", fmt, **context)
        return [{"text": text, "kind": "reminder", "format": fmt, "buttons": buttons}]
