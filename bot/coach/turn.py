"""One turn of the conversation: what a single inbound message does, inside its transaction.

`Turn` holds what one message works on (the user, their open session, the conversation),
routes the message through the merged `Router` (a pending action, a command, a button, an
answer, or something it cannot read) and collects outgoing payloads and transcript lines. It
never commits and never sends: `CoachService` does both around it. Features never subclass
it: their handlers are functions that take the turn and use its public helpers (`info`,
`send`, `ask`, `attach`, ...).

Slightly over 300 lines on purpose: routing, the dialogue step and the helpers features call
are one small public surface; split, every feature would import three modules to answer.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from textwrap import shorten
from typing import TYPE_CHECKING, Any, TypeVar

from bot.coach import callbacks
from bot.coach.reports import REPORT_LINE, report_payloads, store_findings
from bot.coach.router import Router
from bot.engine.answers import Unsure, date_echo, hint
from bot.engine.content import Content
from bot.engine.dates import date_order
from bot.engine.lessons import Finding
from bot.engine.machine import Conversation
from bot.engine.render import Format, to_plain
from bot.engine.script import END
from storage import reminders as reminder_store
from storage import repository as repo
from storage.records import SessionRecord, UserRecord
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from bot.coach.messages import Inbound

log = logging.getLogger(__name__)
MAX_LINE = 4096
CONFIRM = "confirm"
"""`user.pending_action` while the coach waits for "Did you mean ...?" (bot.coach.confirm)."""
T = TypeVar("T")


class Turn:
    """Routes one inbound message; see the module docstring."""

    def __init__(
        self,
        db: UnitOfWork,
        content: Content,
        routes: Router[Turn],
        user: UserRecord,
        inbound: Inbound,
        fmt: Format,
        now: datetime,
        current: SessionRecord | None = None,
        settings: Mapping[type, object] | None = None,
    ) -> None:
        self.db = db
        self.default_content = content
        self.routes = routes
        self.user = user
        self.user_id: int | None = user.id
        self.inbound = inbound
        self.fmt = fmt
        self.now = now
        self.settings = settings or {}
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

    @property
    def content(self) -> Content:
        """The content of the open session's script (a session keeps the script it was
        started on: a debrief runs `debrief`); the default script's when none is open."""
        if self.row is None:
            return self.default_content
        return self.default_content.for_script(self.row.script_id)

    def setting(self, kind: type[T]) -> T:
        """A feature's settings, as the composition root configured them (else defaults)."""
        found = self.settings.get(kind)
        return found if isinstance(found, kind) else kind()

    # ---- routing -------------------------------------------------------------------------------
    def run(self) -> None:
        self.user.active = True  # a user who blocked the bot and writes again is back
        self._load_current()
        self._route()
        if self.user_id is None:
            return  # the user and all their data were deleted
        self.save()

    def _route(self) -> None:
        pending = self.user.pending_action
        if pending:
            claim = self.routes.pending_for(pending)
            if claim is not None and claim(self):
                return
        if self.inbound.button is not None:
            self._button(self.inbound.button)
        elif self.inbound.media is not None:
            self.line("user", f"[{self.inbound.media}]")
            self.info("not_text", media=self.inbound.media, hint=self.hint())
        elif self.inbound.text is not None and self.inbound.text.lstrip().startswith("/"):
            self._command(self.inbound.text.strip())
        else:
            self._answer(self.inbound.text or "")

    def _command(self, text: str) -> None:
        name, _, args = text.partition(" ")
        name = name.split("@", 1)[0].lower()
        command = self.routes.commands.get(name)
        if self.row is not None and not (command is not None and command.private):
            self.line("user", text[:200])
        if command is None:
            self.info("unknown_command", command=name[:40])
            self.reshow()
            return
        command.handler(self, args.strip())

    def _button(self, data: str) -> None:
        found = self.routes.parse_button(data)
        self.pressed = "refused"
        if found is None:
            self.info("forged_button")
            self.notice = self.content.say("forged_button", "text")
            return
        button, pressed = found
        # The handler checks that what the button names is the presser's, and sets `pressed`.
        button.handler(self, pressed)

    def _load_current(self) -> None:
        """Attach the open session, loaded and locked with the user (repo.load_user)."""
        if self.user.current_session_id is None:
            return
        row = self.current
        if row is None or row.user_id != self.user.id:
            self.user.current_session_id = None
            return
        if self.attach(row):
            self.info("script_changed")

    def _answer(self, text: str) -> None:
        if self.row is None or self.conv is None:
            if repo.count_sessions(self.db, self.user.id) == 0:
                start = self.routes.commands["/start"]
                start.handler(self, "")
                return
            self.info("no_session")
            return
        self.line("user", text)
        if self.conv.state == END:
            self.info("session_complete", title=self.title())
            return
        step = self.content.dialogue.answer(
            self.conv, text, self.now.date(), order=self._date_order()
        )
        if step.unsure is not None:
            self.confirm(step.unsure)
            return
        self.after_step(step.accepted, step.question, step.shown, step.reason)

    def _date_order(self) -> str | None:
        """Day/month order from the person's time zone, read only at a date question."""
        assert self.conv is not None
        if self.content.script.question(self.conv.state).kind != "date":
            return None
        settings = reminder_store.settings_of(self.db, self.user.id)
        return date_order(settings.timezone) if settings.timezone_set else None

    def confirm(self, unsure: Unsure) -> None:
        """Ask which reading the person meant, with each as a button plus "Something else";
        kept on the session (durable across restarts) until bot.coach.confirm takes it."""
        assert self.row is not None and self.conv is not None
        question = self.content.script.question(self.conv.state)
        shown = [
            str(value) if question.kind != "choice" else label
            for value, label in zip(unsure.candidates, unsure.labels, strict=True)
        ]
        self.row.pending_answer = {
            "question": self.conv.state,
            "values": list(unsure.candidates),
            "labels": list(unsure.labels),
            "shown": shown,
            "words": unsure.words,
        }
        self.user.pending_action = CONFIRM
        labels = [*unsure.labels, self.content.say("confirm_something_else", "text")]
        buttons = [
            [(label, callbacks.make("u", self.row.id, index))] for index, label in enumerate(labels)
        ]
        text = self.content.say("confirm_did_you_mean", self.fmt, labels=unsure.labels)
        self.send(text, buttons=buttons)

    # ---- the dialogue --------------------------------------------------------------------------
    def after_step(self, accepted: bool, question_id: str, shown: str, reason: str) -> None:
        """Store an accepted answer and ask the next question (or report); re-ask if not."""
        assert self.row is not None and self.conv is not None
        if not accepted:
            # The short hint, as a reply to what they wrote; the question stays where it is,
            # with its buttons: one live question, not a new copy per misreading.
            self.send(reason, kind="error", reply_to=self.inbound.message_id)
            return
        if self.inbound.button is not None:  # a toast for the pressed button
            self.chosen = shown
            self.notice = self.content.say("answer_saved", "text", answer=shown[:60])
        value = self.conv.values[question_id]
        words = self.conv.words.get(question_id, "")
        repo.save_answer(self.db, self.row.id, question_id, value, shown, words)
        self.row.answer_map[question_id] = [value, shown, words] if words else [value, shown]
        question = self.content.script.question(question_id)
        if question.kind == "date" and isinstance(value, str) and value[:1].isdigit():
            day = date_echo(value, self.now.date(), self.content.engine_phrases)
            self.info("date_understood", day=day)
        for saved in self.routes.answer_saved:
            saved(self, question_id, value)
        if question_id == self.content.script.title_from:  # also when changed after /back
            self.row.title = shorten(shown.splitlines()[0], 60, placeholder="…")
        if self.conv.state == END:
            self.row.status = "completed"
            self.row.completed_at = self.now
            findings = self.content.findings(self.conv)
            store_findings(self.db, self.row.id, findings)
            self.outgoing.extend(self.report_payloads(findings))
            for completed in self.routes.session_completed:
                completed(self, findings)
            return
        self.ask()

    def usable(self, row: SessionRecord) -> bool:
        """Whether the loaded content has `row`'s script; if not, say so (once) and make sure
        the user is not left pointing at it, so every later message still gets an answer."""
        if self.default_content.has_script(row.script_id):
            return True
        log.warning("session uses a script that is not loaded script=%s", row.script_id[:40])
        if self.user.current_session_id == row.id:
            self.user.current_session_id = None
        self.info("script_unavailable", ident=row.id)
        return False

    def attach(self, row: SessionRecord) -> bool:
        """Make `row` the open session; True when its state had to move (script changed).
        A session whose script is not loaded is not attached (see `usable`)."""
        if not self.usable(row):
            return False
        if self.row is not None and self.row.id != row.id:
            self.save()  # the session we leave keeps what this turn did to it
        dialogue = self.default_content.for_script(row.script_id).dialogue
        state, path, moved = dialogue.resume_state(row.state, list(row.path))
        self.row = row
        self.row_before = self._snapshot()
        answers = row.answer_map
        self.conv = Conversation(
            state=state,
            values={qid: pair[0] for qid, pair in answers.items()},
            shown={qid: pair[1] for qid, pair in answers.items()},
            path=path,
            words={qid: pair[2] for qid, pair in answers.items() if len(pair) > 2 and pair[2]},
        )
        self.user.current_session_id = row.id
        return moved

    def open_new(self) -> None:
        """A new session of the default script (the preparation), whatever is open now."""
        script = self.default_content.script
        row = repo.create_session(
            self.db, self.user.id, script.id, script.version, script.start, self.now
        )
        self.attach(row)
        self.session_opened()

    def session_opened(self) -> None:
        """Tell the features a new session was attached (a cohort shares it, say)."""
        for opened in self.routes.session_opened:
            opened(self)

    def report_payloads(self, findings: list[Finding] | None = None) -> list[dict[str, Any]]:
        assert self.row is not None and self.conv is not None
        payloads = report_payloads(self.content, self.row, self.conv, self.fmt, findings)
        for payload in payloads:
            self.line("bot", payload["text"], REPORT_LINE)
        return payloads

    # ---- speaking ------------------------------------------------------------------------------
    def title(self) -> str:
        """The open session's title as the person sees it."""
        if self.row is not None and self.row.title:
            return self.row.title
        return self.content.say("untitled_negotiation", "text")

    def hint(self) -> str:
        if self.conv is None or self.conv.state == END:
            return ""
        return hint(self.content.script.question(self.conv.state), self.content.engine_phrases)

    def reshow(self) -> None:
        if self.conv is not None and self.conv.state != END:
            self.ask()

    def ask(self) -> None:
        assert self.row is not None and self.conv is not None
        prompt = self.content.prompt(self.conv.state, self.fmt, self.conv)
        buttons = [
            [(label, callbacks.answer(self.row.id, prompt.position, index))]
            for index, (_value, label) in enumerate(prompt.options)
        ]
        if prompt.kind == "scale":
            buttons = [[button for row in buttons[:5] for button in row], *buttons[5:]]
        self.send(
            prompt.text,
            buttons=buttons,
            kind="question",
            question=prompt.question,
            progress=[prompt.step, prompt.about],
        )

    def info(self, key: str, **context: Any) -> None:
        """Say the message `key` of the content files."""
        self.send(self.content.say(key, self.fmt, **context))

    def send(self, text: str, kind: str = "info", **extra: Any) -> None:
        self.outgoing.append({"text": text, "kind": kind, "format": self.fmt, **extra})
        self.line("bot", text, extra.get("question"))

    def line(self, sender: str, text: str, question: str | None = None) -> None:
        """Transcripts keep plain text whatever the channel, so exports escape it once."""
        if self.row is not None:
            plain = to_plain(text) if sender == "bot" and self.fmt == "html" else text
            self.lines.append(
                repo.line_row(self.db, self.row.id, sender, plain[:MAX_LINE], question)
            )

    # ---- saving --------------------------------------------------------------------------------
    def save(self) -> None:
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
        return row.snapshot()
