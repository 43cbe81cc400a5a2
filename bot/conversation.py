"""One turn of the conversation: what a single inbound message does, inside its transaction.

`Turn` reads the user's open session, routes the message (a command, a button, an answer, or
something it cannot read), and collects outgoing payloads and transcript lines. It never
commits and never sends: `CoachService` does both around it.
"""

from __future__ import annotations

from textwrap import shorten

from bot import callbacks
from bot.course_admin_commands import CourseAdminCommands
from bot.debrief_commands import DebriefCommands
from bot.engine.script import END
from bot.reminder_commands import ReminderCommands
from bot.reports import store_findings
from bot.review_commands import ReviewCommands
from bot.session_commands import SessionCommands
from storage import repository as repo

AFFIRMATIVE = {"1", "yes", "y", "delete", "yes, delete everything"}


class Turn(ReminderCommands, ReviewCommands, CourseAdminCommands, DebriefCommands, SessionCommands):
    """Routes one inbound message; see the module docstring.

    Commands and button actions come from the `COMMANDS` and `BUTTONS` tables of its bases
    (the first base that names a command wins), so a feature adds its commands in its own mixin:
    a `TurnState` subclass listed before `SessionCommands` here."""

    def run(self) -> None:
        self.user.active = True  # a user who blocked the bot and writes again is back
        self._load_current()
        if not self._route():
            return  # the user and all their data were deleted
        self._save()

    def _route(self) -> bool:
        """Dispatch the message; False when it deleted the user."""
        text = self.inbound.text
        if self.user.pending_action == "forget":
            self.user.pending_action = None
            if self.inbound.button is not None:
                self.pressed = "accepted"
            if self.inbound.button == callbacks.forget("yes") or (
                self.inbound.button is None and (text or "").strip().casefold() in AFFIRMATIVE
            ):
                self._forget()
                return False
            self._info("forget_cancelled")
            if self.inbound.button is not None and self.inbound.button.startswith("v1:f:"):
                return True
        if self._claim_message():
            return True
        if self.inbound.button is not None:
            self._button(self.inbound.button)
        elif self.inbound.media is not None:
            self._line("user", f"[{self.inbound.media}]")
            self._info("not_text", media=self.inbound.media, hint=self._hint())
        elif text is not None and text.lstrip().startswith("/"):
            self._command(text.strip())
        else:
            self._answer(text or "")
        return True

    def _command(self, text: str) -> None:
        name, _, args = text.partition(" ")
        name = name.split("@", 1)[0].lower()
        args = args.strip()
        if self.row is not None and not self._is_private_command(name):
            self._line("user", text[:200])
        handler = self._handler_for(name)
        if handler is None:
            self._info("unknown_command", command=name[:40])
            self._reshow()
            return
        handler(args)

    def _load_current(self) -> None:
        """Attach the open session, loaded and locked with the user (repo.load_user)."""
        if self.user.current_session_id is None:
            return
        row = self.current
        if row is None or row.user_id != self.user.id:
            self.user.current_session_id = None
            return
        if self._attach(row):
            self._info("script_changed")

    def _answer(self, text: str) -> None:
        if self.row is None or self.conv is None:
            if repo.count_sessions(self.db, self.user.id) == 0:
                self._start("")
                return
            self._info("no_session")
            return
        self._line("user", text)
        if self.conv.state == END:
            self._info("session_complete", title=self.row.title or "your negotiation")
            return
        step = self.content.dialogue.answer(self.conv, text, self.now.date())
        self._after_step(step.accepted, step.question, step.shown, step.reason)

    def _after_step(self, accepted: bool, question_id: str, shown: str, reason: str) -> None:
        assert self.row is not None and self.conv is not None
        if not accepted:
            self._send(reason, kind="error")
            if self.content.script.question(question_id).kind in ("choice", "scale"):
                self._ask()
            return
        if self.inbound.button is not None:  # a toast for the pressed button
            self.chosen = shown
            self.notice = self.content.say("answer_saved", "text", answer=shown[:60])
        value = self.conv.values[question_id]
        repo.save_answer(self.db, self.row.id, question_id, value, shown)
        self.row.answer_map[question_id] = [value, shown]
        self._on_answer_saved(question_id, value)
        if question_id == self.content.script.title_from and not self.row.title:
            self.row.title = shorten(shown.splitlines()[0], 60, placeholder="…")
        if self.conv.state == END:
            self.row.status = "completed"
            self.row.completed_at = self.now
            findings = self.content.findings(self.conv)
            store_findings(self.db, self.row.id, findings)
            self.outgoing.extend(self._report_payloads(findings))
            self._on_session_completed(findings)
            return
        self._ask()

    def _skip(self, _args: str) -> None:
        if self.row is None or self.conv is None or self.conv.state == END:
            self._info(
                "no_session" if self.row is None else "session_complete", title=self._title()
            )
            return
        step = self.content.dialogue.skip(self.conv)
        self._after_step(step.accepted, step.question, step.shown, step.reason)

    def _back(self, _args: str) -> None:
        if self.row is None or self.conv is None:
            self._info("no_session")
            return
        if not self.content.dialogue.back(self.conv):
            self._info("back_at_start")
            self._ask()
            return
        if self.row.status == "completed":
            self.row.status = "active"
            self.row.completed_at = None
        self._ask()
        previous = self.conv.shown.get(self.conv.state)
        if previous:
            self._info("previous_answer", answer=previous)

    def _button(self, data: str) -> None:
        parsed = callbacks.parse(data)
        self.pressed = "refused"
        if parsed is None:
            self._info("forged_button")
            self.notice = self.content.say("forged_button", "text")
            return
        if parsed.action == "f":
            self.pressed = "stale"  # a confirmation no longer pending
            self._info("forget_cancelled")
            return
        feature = self._button_handler_for(parsed.action)
        if feature is not None:
            # A feature's own button: it checks ownership itself and sets `pressed`.
            feature(parsed)
            return
        session_id = int(parsed.args[0])
        owner = repo.lock_session(self.db, session_id)
        if owner is None or owner.user_id != self.user.id:
            self.notice = self.content.say("foreign_button", "text")
            self._info("foreign_button")
            return
        if parsed.action == "r":
            self.pressed = "accepted"
            self._resume_id(session_id, str(session_id))
            return
        position, option = int(parsed.args[1]), int(parsed.args[2])
        if (
            self.row is None
            or self.row.id != owner.id
            or self.conv is None
            or self.conv.state == END
            or (self.content.script.position(self.conv.state) != position)
        ):
            self.notice = self.content.say("stale_button", "text")
            self.pressed = "stale"
            self._info("stale_button")
            self._reshow()
            return
        options = self.content.prompt(self.conv.state, self.fmt, self.conv).options
        if not 0 <= option < len(options):
            self._info("forged_button")
            return
        self._line("user", options[option][1])
        self.pressed = "accepted"
        step = self.content.dialogue.answer(self.conv, None, self.now.date(), options[option][0])
        self._after_step(step.accepted, step.question, step.shown, step.reason)
