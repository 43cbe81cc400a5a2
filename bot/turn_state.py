"""The state of one turn and how it speaks: shared by the command and answer handlers.

`TurnState` holds what one inbound message works on (the user, their open session, the
conversation) and collects what the turn will say and store. It never commits or sends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from bot import callbacks
from bot.callbacks import Callback
from bot.engine.content import Content
from bot.engine.lessons import Finding
from bot.engine.machine import Conversation
from bot.engine.render import Format, to_plain
from bot.engine.script import END
from bot.reports import report_payloads
from storage import repository as repo
from storage.records import SessionRecord, UserRecord

if TYPE_CHECKING:
    from bot.coach import Inbound

log = logging.getLogger(__name__)
MAX_LINE = 4096


class TurnState:
    """What one turn works on, and the helpers that record what it says."""

    PRIVATE_COMMANDS: ClassVar[frozenset[str]] = frozenset()
    """Commands (of this class's `COMMANDS`) not copied into the open session's transcript:
    each class lists its own, and `_is_private_command` looks through them all."""

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
        self.default_content = content
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

    @property
    def content(self) -> Content:
        """The content of the open session's script (a session keeps the script it was
        started on: a debrief runs `debrief`); the default script's when none is open."""
        if self.row is None:
            return self.default_content
        return self.default_content.for_script(self.row.script_id)

    def _handler_for(self, command: str) -> Callable[[str], None] | None:
        """The method for a /command, looked up in `COMMANDS` of this class and its bases
        (nearest class wins), so each feature mixin declares its own commands."""
        found: Callable[[str], None] | None = self._lookup("COMMANDS", command)
        return found

    def _button_handler_for(self, action: str) -> Callable[[Callback], None] | None:
        """The method for a button action letter, from `BUTTONS` tables like `COMMANDS`."""
        found: Callable[[Callback], None] | None = self._lookup("BUTTONS", action)
        return found

    def _is_private_command(self, command: str) -> bool:
        return any(command in vars(k).get("PRIVATE_COMMANDS", ()) for k in type(self).__mro__)

    def _lookup(self, table: str, key: str) -> Any:
        for klass in type(self).__mro__:
            name = vars(klass).get(table, {}).get(key)
            if name is not None:
                return getattr(self, name)
        return None

    # ---- hooks: a feature mixin overrides these and calls super() ----------------------------
    def _on_session_opened(self) -> None:
        """A new session was just created and attached (`self.row`)."""

    def _on_answer_saved(self, question_id: str, value: Any) -> None:
        """An answer to `question_id` was accepted and stored for `self.row`."""

    def _on_session_completed(self, findings: list[Finding]) -> None:
        """`self.row` reached its end; `findings` were stored; the report is queued."""

    def _claim_message(self) -> bool:
        """A feature waiting for this user's next message (its own `pending_action`) takes it
        here: return True when it handled the message, which then goes nowhere else."""
        return False

    def _usable(self, row: SessionRecord) -> bool:
        """Whether the loaded content has `row`'s script; if not, say so (once) and make sure
        the user is not left pointing at it, so every later message still gets an answer."""
        if self.default_content.has_script(row.script_id):
            return True
        log.warning("session uses a script that is not loaded script=%s", row.script_id[:40])
        if self.user.current_session_id == row.id:
            self.user.current_session_id = None
        self._info("script_unavailable", ident=row.id)
        return False

    def _attach(self, row: SessionRecord) -> bool:
        """Make `row` the open session; True when its state had to move (script changed).
        A session whose script is not loaded is not attached (see `_usable`)."""
        if not self._usable(row):
            return False
        if self.row is not None and self.row.id != row.id:
            self._save()  # the session we leave keeps what this turn did to it
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
        )
        self.user.current_session_id = row.id
        return moved

    def _open_new(self) -> None:
        """A new session of the default script (the preparation), whatever is open now."""
        script = self.default_content.script
        row = repo.create_session(
            self.db, self.user.id, script.id, script.version, script.start, self.now
        )
        self._attach(row)
        self._on_session_opened()

    def _report_payloads(self, findings: list[Finding] | None = None) -> list[dict[str, Any]]:
        assert self.row is not None and self.conv is not None
        payloads = report_payloads(self.content, self.row, self.conv, self.fmt, findings)
        for payload in payloads:
            self._line("bot", payload["text"])
        return payloads

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
