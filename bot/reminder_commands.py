"""Reminder commands and buttons, and planning reminders when the negotiation date is answered.

The date question (named by the script's `reminders:` block) plans two reminders for the
session: a checklist the day before and a debrief invitation the day after, at local times in
the user's zone, stored as rows (bot.reminder_service sends them). Answering the date again,
`/reminders date`, `/timezone`, `/snooze` and `/stop` change the rows in the turn's own
transaction; a changed reminder is cancelled and replaced, never edited, so a job armed for the
old row finds nothing to send.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from bot import callbacks
from bot.callbacks import Callback
from bot.engine.answers import Valid, parse_answer
from bot.engine.script import ReminderPlan
from bot.reminders import (
    DEBRIEF,
    KINDS,
    SNOOZE,
    local_time,
    negotiation_day,
    parse_zone,
    plan_for,
    shown_time,
    to_utc,
)
from bot.turn_state import TurnState
from storage import reminders as store
from storage import repository as repo

SNOOZE_OP, STOP_OP, LATER_OP = 1, 2, 3
"""Operations of the `m` button: m(operation, reminder id)."""
MAX_ZONE_INPUT = 64


class ReminderCommands(TurnState):
    """/reminders, /snooze, /stop, /timezone and the `m` buttons."""

    COMMANDS: ClassVar[dict[str, str]] = {
        "/reminders": "_reminders",
        "/snooze": "_snooze",
        "/stop": "_stop_reminders",
        "/timezone": "_timezone",
    }
    BUTTONS: ClassVar[dict[str, str]] = {"m": "_reminder_button"}

    # ---- planning ---------------------------------------------------------------------------
    def _on_answer_saved(self, question_id: str, value: Any) -> None:
        super()._on_answer_saved(question_id, value)
        plan = self._reminder_plan()
        if plan is not None and question_id == plan.date:
            self._replan(plan, negotiation_day(value))

    def _reminder_plan(self) -> ReminderPlan | None:
        """The open session's plan, if its script has one."""
        if self.row is None or self.row.script_id != self.content.script.id:
            return None
        return self.content.script.reminders

    def _replan(self, plan: ReminderPlan, day: date | None, kinds: tuple[str, ...] = KINDS) -> None:
        """Replace the open session's pending reminders with those for `day` (none if None)."""
        assert self.row is not None
        store.cancel_pending(self.db, self.user.id, self.row.id)
        if day is None:
            return
        settings = store.settings_of(self.db, self.user.id)
        if not settings.enabled:
            self._info("reminders_off_note")
            return
        planned = plan_for(day, settings.timezone, plan, self.now, kinds)
        store.add(self.db, self.user.id, self.row.id, planned, self.now)
        if planned:
            items = [{"kind": k, "when": shown_time(due, settings.timezone)} for k, due in planned]
            self._info("reminders_planned", items=items, **self._zone_context(settings))

    def _zone_context(self, settings: store.ReminderSettings) -> dict[str, Any]:
        return {
            "zone": settings.timezone,
            "zone_set": settings.timezone_set,
            "console": self.inbound.channel == "console",
        }

    # ---- commands ---------------------------------------------------------------------------
    def _reminders(self, args: str) -> None:
        word, _, rest = args.partition(" ")
        word = word.casefold()
        if not word:
            self._list_reminders()
        elif word == "date":
            self._change_date(rest.strip())
        elif word == "on":
            self._reminders_on()
        elif word == "off":
            self._stop_reminders("")
        else:
            self._info("reminders_usage")

    def _list_reminders(self) -> None:
        settings = store.settings_of(self.db, self.user.id)
        if not settings.enabled:
            self._info("reminders_disabled")
            return
        rows = store.pending_of(self.db, self.user.id)
        if not rows:
            self._info("reminders_empty", console=self.inbound.channel == "console")
            return
        titles: dict[int, str] = {}
        for row in rows:
            if row.session_id not in titles:
                session = repo.get_session(self.db, row.session_id)
                titles[row.session_id] = (session.title if session else "") or "your negotiation"
        items = [
            {
                "kind": row.kind,
                "when": shown_time(row.due_at, settings.timezone),
                "title": titles[row.session_id],
            }
            for row in rows
        ]
        buttons = [
            [
                (
                    self.content.say("reminder_button_snooze", self.fmt),
                    self._button_data(SNOOZE_OP, rows),
                )
            ],
            [
                (
                    self.content.say("reminder_button_stop", self.fmt),
                    self._button_data(STOP_OP, rows),
                )
            ],
        ]
        text = self.content.say(
            "reminders_list", self.fmt, items=items, **self._zone_context(settings)
        )
        self._send(text, buttons=buttons)

    @staticmethod
    def _button_data(operation: int, rows: list[store.ReminderRow]) -> str:
        return callbacks.make("m", operation, rows[0].id)

    def _change_date(self, raw: str) -> None:
        plan = self._reminder_plan()
        if plan is None or self.row is None or self.conv is None:
            self._info("no_session")
            return
        question = self.content.script.question(plan.date)
        parsed = parse_answer(question, raw[:100], self.now.date())
        if not isinstance(parsed, Valid):
            self._info("reminders_date_bad", reason=parsed.reason)
            return
        repo.save_answer(self.db, self.row.id, plan.date, parsed.value, parsed.shown)
        self.row.answer_map[plan.date] = [parsed.value, parsed.shown]
        self.conv.values[plan.date] = parsed.value
        self.conv.shown[plan.date] = parsed.shown
        day = negotiation_day(parsed.value)
        self._info(
            "reminders_date_changed", title=self._title(), day=day.isoformat() if day else None
        )
        self._replan(plan, day)

    def _reminders_on(self) -> None:
        store.set_enabled(self.db, self.user.id, True)
        self._info("reminders_on_done")
        plan = self._reminder_plan()
        if plan is None or self.row is None:
            return
        if store.pending_of(self.db, self.user.id):
            return
        answer = self.row.answer_map.get(plan.date)
        day = negotiation_day(answer[0] if answer else None)
        sent = store.sent_kinds(self.db, self.row.id)
        kinds = tuple(kind for kind in KINDS if kind not in sent)
        if day is not None and kinds:
            self._replan(plan, day, kinds)

    def _snooze(self, _args: str) -> None:
        rows = store.pending_of(self.db, self.user.id)
        if not rows:
            self._info("snooze_nothing")
            return
        self._snooze_row(rows[0])

    def _snooze_row(self, row: store.ReminderRow) -> None:
        store.cancel(self.db, row.id)
        due = max(row.due_at, self.now) + SNOOZE
        store.add(self.db, self.user.id, row.session_id, [(row.kind, due)], self.now)
        zone = store.settings_of(self.db, self.user.id).timezone
        self._info("snooze_done", kind=row.kind, when=shown_time(due, zone))

    def _stop_reminders(self, _args: str) -> None:
        count = store.cancel_pending(self.db, self.user.id)
        store.set_enabled(self.db, self.user.id, False)
        self._info("stop_done", count=count)

    def _timezone(self, args: str) -> None:
        settings = store.settings_of(self.db, self.user.id)
        if not args:
            self._info("timezone_show", **self._zone_context(settings))
            return
        name = parse_zone(args[:MAX_ZONE_INPUT])
        if name is None:
            self._info("timezone_bad", given=args[:40])
            return
        store.set_timezone(self.db, self.user.id, name)
        moved = self._move_pending(settings.timezone, name)
        new = store.ReminderSettings(name, True, settings.enabled)
        self._info("timezone_done", moved=moved, **self._zone_context(new))

    def _move_pending(self, old_zone: str, new_zone: str) -> int:
        """Keep every pending reminder at the same local clock time in the new zone (a
        reminder that would fall in the past is sent at once rather than lost)."""
        rows = store.pending_of(self.db, self.user.id)
        for row in rows:
            local = local_time(row.due_at, old_zone)
            due = max(to_utc(local.date(), local.time(), new_zone), self.now)
            store.cancel(self.db, row.id)
            store.add(self.db, self.user.id, row.session_id, [(row.kind, due)], self.now)
        return len(rows)

    # ---- buttons ----------------------------------------------------------------------------
    def _reminder_button(self, parsed: Callback) -> None:
        operation, reminder_id = (int(arg) for arg in parsed.args)
        if operation not in (SNOOZE_OP, STOP_OP, LATER_OP):
            self._info("forged_button")
            return
        row = store.get(self.db, reminder_id)
        if row is None or row.user_id != self.user.id:
            self.notice = self.content.say("foreign_button", "text")
            self._info("foreign_button")
            return
        if operation == STOP_OP:
            self.pressed = "accepted"
            self._stop_reminders("")
        elif operation == SNOOZE_OP and row.status == "pending":
            self.pressed = "accepted"
            self._snooze_row(row)
        elif operation == LATER_OP and self._ask_again_tomorrow(row):
            self.pressed = "accepted"
        else:
            self.pressed = "stale"
            self.notice = self.content.say("reminder_stale", "text")
            self._info("reminder_stale")

    def _ask_again_tomorrow(self, row: store.ReminderRow) -> bool:
        """The debrief invitation's "ask me tomorrow": one new invitation a day from now,
        unless one is already planned for that session (False: nothing to do)."""
        if row.kind != DEBRIEF or row.status != "sent":
            return False
        settings = store.settings_of(self.db, self.user.id)
        planned = store.pending_of(self.db, self.user.id)
        if not settings.enabled or any(
            r.kind == DEBRIEF and r.session_id == row.session_id for r in planned
        ):
            return False
        due: datetime = self.now + SNOOZE
        store.add(self.db, self.user.id, row.session_id, [(DEBRIEF, due)], self.now)
        self._info("later_done", when=shown_time(due, settings.timezone))
        return True
