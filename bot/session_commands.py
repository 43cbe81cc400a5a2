"""Commands that manage sessions: start, new, resume, sessions, report, export, forget."""

from __future__ import annotations

import json
from typing import ClassVar

from bot import callbacks
from bot.attachments import file_payload
from bot.engine.script import END
from bot.reports import export_document, export_json
from bot.turn_state import TurnState
from storage import debriefs
from storage import repository as repo


class SessionCommands(TurnState):
    """Handlers for the commands that open, list, report on and delete sessions."""

    COMMANDS: ClassVar[dict[str, str]] = {
        "/start": "_start",
        "/new": "_new",
        "/resume": "_resume",
        "/sessions": "_sessions",
        "/back": "_back",
        "/skip": "_skip",
        "/report": "_report",
        "/export": "_export",
        "/forget": "_ask_forget",
        "/privacy": "_privacy",
        "/help": "_help",
    }
    PRIVATE_COMMANDS: ClassVar[frozenset[str]] = frozenset({"/forget", "/privacy", "/help"})

    def _privacy(self, _args: str) -> None:
        self._info("privacy")

    def _help(self, _args: str) -> None:
        self._info("help")

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
        self._resume_id(callbacks.row_id(ident), args)

    def _resume_id(self, session_id: int | None, shown: str) -> None:
        row = repo.lock_session(self.db, session_id) if session_id is not None else None
        if row is None or row.user_id != self.user.id:
            self._info("resume_unknown", ident=shown[:20])
            return
        if not self._usable(row):  # its script is no longer loaded: said so
            return
        self._welcome_back(moved=self._attach(row))

    def _sessions(self, _args: str) -> None:
        sessions = repo.sessions_of(self.db, self.user.id)
        if not sessions:
            self._info("sessions_empty")
            return
        debrief_links = debriefs.links_of(self.db, self.user.id)
        listing = [
            {
                "debrief_of": debrief_links.get(s.id),
                "id": s.id,
                "title": s.title,
                "status": s.status,
                "current": self.row is not None and self.row.id == s.id,
            }
            for s in sessions
        ]
        self._info("sessions_list", sessions=listing)

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

    def _export(self, _args: str) -> None:
        """On the console: how to export. Elsewhere: the session as JSON and HTML files,
        queued in the outbox like any reply."""
        if self.row is None:
            self._info("no_session")
            return
        if self.inbound.channel == "console":
            self._info("export_console", ident=self.row.id)
            return
        data = export_json(self.db, self.content, self.row, self.user.display_name)
        stem = f"parley-session-{self.row.id}"
        body = json.dumps(data, ensure_ascii=False, indent=2).encode()
        page = export_document(self.content, data, "html").encode()
        caption = self.content.say("export_caption", self.fmt, title=self._title())
        self.outgoing.append(file_payload("document", f"{stem}.json", body, "", self.fmt))
        self.outgoing.append(file_payload("document", f"{stem}.html", page, caption, self.fmt))
        self._line("bot", f"[{stem}.json, {stem}.html]")

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
