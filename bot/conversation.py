"""One turn of the conversation: what a single inbound message does, inside its transaction.

`Turn` reads the user's open session, routes the message (a command, a button, an answer, or
something it cannot read), and collects outgoing payloads and transcript lines. It never
commits and never sends: `CoachService` does both around it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from textwrap import shorten
from typing import TYPE_CHECKING, Any

from bot import callbacks
from bot.engine.content import Content
from bot.engine.lessons import Finding
from bot.engine.machine import Conversation
from bot.engine.render import Format, to_plain
from bot.engine.script import END
from bot.reports import report_payloads, store_findings
from storage import repository as repo
from storage.records import SessionRecord, UserRecord

if TYPE_CHECKING:
    from bot.coach import Inbound

MAX_LINE = 4096
AFFIRMATIVE = {"1", "yes", "y", "delete", "yes, delete everything"}


class Turn:
    """Routes one inbound message; see the module docstring."""

    def __init__(
        self,
        db: repo.Db,
        content: Content,
        user: UserRecord,
        inbound: Inbound,
        fmt: Format,
        now: datetime,
        current: SessionRecord | None = None,
    ) -> None:
        self.db = db
        self.content = content
        self.user = user
        self.user_id: int | None = user.id
        self.inbound = inbound
        self.fmt = fmt
        self.now = now
        self.outgoing: list[dict[str, Any]] = []
        self.notice: str | None = None
        self.pressed: str | None = None
        self.chosen: str | None = None
        self.row: SessionRecord | None = None
        self.conv: Conversation | None = None
        self.state_after = "-"
        self.user_before = user.snapshot()
        self.row_before: tuple[object, ...] = ()
        self.lines: list[dict[str, Any]] = []
        self.current = current

    # ---- routing ---------------------------------------------------------------------------
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
        if self.row is not None and name not in ("/forget", "/privacy", "/help"):
            self._line("user", text[:200])
        handlers: dict[str, Callable[[str], None]] = {
            "/start": self._start,
            "/new": self._new,
            "/resume": self._resume,
            "/sessions": self._sessions,
            "/back": self._back,
            "/skip": self._skip,
            "/report": self._report,
            "/export": self._export,
            "/forget": self._ask_forget,
            "/privacy": lambda _args: self._info("privacy"),
            "/help": lambda _args: self._info("help"),
        }
        handler = handlers.get(name)
        if handler is None:
            self._info("unknown_command", command=name[:40])
            self._reshow()
            return
        handler(args)

    # ---- sessions --------------------------------------------------------------------------
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

    def _attach(self, row: SessionRecord) -> bool:
        """Make `row` the open session; True when its state had to move (script changed)."""
        if self.row is not None and self.row.id != row.id:
            self._save()  # the session we leave keeps what this turn did to it
        state, path, moved = self.content.dialogue.resume_state(row.state, list(row.path))
        self.row = row
        self.row_before = self._snapshot()
        answers = row.answer_map
        self.conv = Conversation(
            state=state,
            values={qid: pair[0] for qid, pair in answers.items()},
            shown={qid: pair[1] for qid, pair in answers.items()},
            path=path,
        )
        self.user.current_session_id = row.id
        return moved

    def _open_new(self) -> None:
        script = self.content.script
        row = repo.create_session(
            self.db, self.user.id, script.id, script.version, script.start, self.now
        )
        self._attach(row)

    def _start(self, _args: str) -> None:
        if self.row is not None and self.row.status == "active":
            self._welcome_back(moved=False)
            return
        self._info("welcome", name=self.user.display_name)
        self._open_new()
        self._ask()

    def _new(self, _args: str) -> None:
        had_sessions = repo.count_sessions(self.db, self.user.id) > 0
        self._info("new_session" if had_sessions else "welcome", name=self.user.display_name)
        self._open_new()
        self._ask()

    def _welcome_back(self, moved: bool) -> None:
        assert self.row is not None and self.conv is not None
        if self.conv.state == END:
            self._info("resume_done")
            self.outgoing.extend(self._report_payloads())
            return
        position = self.content.script.position(self.conv.state)
        self._info(
            "welcome_back",
            title=self.row.title or "your negotiation",
            position=position,
            total=len(self.content.script.questions),
        )
        if moved:
            self._info("script_changed")
        self._ask()

    def _resume(self, args: str) -> None:
        if not args:
            sessions = repo.sessions_of(self.db, self.user.id)
            if not sessions:
                self._info("sessions_empty")
                return
            buttons = [
                [(f"#{s.id} {s.title or '(untitled)'}"[:40], callbacks.resume(s.id))]
                for s in sessions[-8:]
            ]
            self._send(self.content.say("resume_which", self.fmt), buttons=buttons)
            return
        ident = args.lstrip("#")
        self._resume_id(int(ident) if ident.isdigit() and len(ident) < 12 else None, args)

    def _resume_id(self, session_id: int | None, shown: str) -> None:
        row = repo.lock_session(self.db, session_id) if session_id is not None else None
        if row is None or row.user_id != self.user.id:
            self._info("resume_unknown", ident=shown[:20])
            return
        self._welcome_back(moved=self._attach(row))

    def _sessions(self, _args: str) -> None:
        sessions = repo.sessions_of(self.db, self.user.id)
        if not sessions:
            self._info("sessions_empty")
            return
        listing = [
            {
                "id": s.id,
                "title": s.title,
                "status": s.status,
                "current": self.row is not None and self.row.id == s.id,
            }
            for s in sessions
        ]
        self._info("sessions_list", sessions=listing)

    # ---- answering -------------------------------------------------------------------------
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
        if question_id == self.content.script.title_from and not self.row.title:
            self.row.title = shorten(shown.splitlines()[0], 60, placeholder="…")
        if self.conv.state == END:
            self.row.status = "completed"
            self.row.completed_at = self.now
            findings = self.content.findings(self.conv)
            store_findings(self.db, self.row.id, findings)
            self.outgoing.extend(self._report_payloads(findings))
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

    # ---- report, export, privacy -----------------------------------------------------------
    def _report(self, _args: str) -> None:
        if self.row is None or self.conv is None:
            self._info("no_session")
        elif self.conv.state != END:
            self._info(
                "report_not_ready",
                position=self.content.script.position(self.conv.state),
                total=len(self.content.script.questions),
            )
        else:
            self.outgoing.extend(self._report_payloads())

    def _report_payloads(self, findings: list[Finding] | None = None) -> list[dict[str, Any]]:
        assert self.row is not None and self.conv is not None
        payloads = report_payloads(self.content, self.row, self.conv, self.fmt, findings)
        for payload in payloads:
            self._line("bot", payload["text"])
        return payloads

    def _export(self, _args: str) -> None:
        if self.row is None:
            self._info("no_session")
            return
        self._info("export_console", ident=self.row.id)

    def _ask_forget(self, _args: str) -> None:
        self.user.pending_action = "forget"
        buttons = [
            [(self.content.say("forget_yes", self.fmt), callbacks.forget("yes"))],
            [(self.content.say("forget_no", self.fmt), callbacks.forget("no"))],
        ]
        self._send(self.content.say("forget_confirm", self.fmt), buttons=buttons)

    def _forget(self) -> None:
        repo.delete_user(self.db, self.user.id)
        self.user_id = None
        self.row = self.conv = None
        self.lines = []  # their sessions are gone; so is everything said in them
        self._info("forget_done")

    # ---- output ----------------------------------------------------------------------------
    def _title(self) -> str:
        return (self.row.title if self.row else "") or "your negotiation"

    def _hint(self) -> str:
        if self.conv is None or self.conv.state == END:
            return ""
        from bot.engine.answers import hint

        return hint(self.content.script.question(self.conv.state))

    def _reshow(self) -> None:
        if self.conv is not None and self.conv.state != END:
            self._ask()

    def _ask(self) -> None:
        assert self.row is not None and self.conv is not None
        prompt = self.content.prompt(self.conv.state, self.fmt, self.conv)
        buttons = [
            [(label, callbacks.answer(self.row.id, prompt.position, index))]
            for index, (_value, label) in enumerate(prompt.options)
        ]
        if prompt.kind == "scale":
            buttons = [[button for row in buttons[:5] for button in row], *buttons[5:]]
        self._send(
            prompt.text,
            buttons=buttons,
            kind="question",
            question=prompt.question,
            progress=[prompt.position, prompt.total],
        )

    def _info(self, key: str, **context: Any) -> None:
        self._send(self.content.say(key, self.fmt, **context))

    def _send(self, text: str, kind: str = "info", **extra: Any) -> None:
        self.outgoing.append({"text": text, "kind": kind, "format": self.fmt, **extra})
        self._line("bot", text, extra.get("question"))

    def _line(self, sender: str, text: str, question: str | None = None) -> None:
        """Transcripts keep plain text whatever the channel, so exports escape it once."""
        if self.row is not None:
            plain = to_plain(text) if sender == "bot" and self.fmt == "html" else text
            self.lines.append(repo.line_row(self.row.id, sender, plain[:MAX_LINE], question))

    def _save(self) -> None:
        """Write the open session (if this turn touched it) and the user (if changed)."""
        if self.user_id is not None and self.user.snapshot() != self.user_before:
            repo.save_user(self.db, self.user)
            self.user_before = self.user.snapshot()
        if self.row is None or self.conv is None:
            self.state_after = "-"
            return
        self.row.state = self.conv.state
        self.row.path = list(self.conv.path)
        self.state_after = self.conv.state
        if self._snapshot() != self.row_before:
            self.row.updated_at = self.now
            repo.save_session(self.db, self.row)
            self.row_before = self._snapshot()

    def _snapshot(self) -> tuple[object, ...]:
        row = self.row
        assert row is not None
        return (row.state, list(row.path), row.title, row.status, dict(row.answer_map))
