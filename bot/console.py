"""The coach in a terminal: one answer per line in, the bot's messages out.

Pipe-friendly by contract (DESIGN.md): it reads standard input line by line, writes every
message to standard output, numbers the options of a choice, and on end of input saves and exits
0. At a terminal, lines that arrive together (a pasted block) are one answer: a person pasting
a list means one message, while a pipe still gives one answer per line. Ctrl-C says goodbye in
one line and exits 0: every answer given is already saved. The coaching itself is the coach
service's; this adapter only translates.
"""

from __future__ import annotations

import select
import shlex
import uuid
from typing import TextIO

from bot.coach.messages import Inbound, Outbound
from bot.coach.service import CoachService

CHANNEL = "console"
PASTE_GAP = 0.05
"""Seconds within which a further line counts as part of the same paste. A person typing
takes far longer between two Enters; a terminal delivers a pasted block at once."""


class Console:
    """Translates lines to `Inbound`s and `Outbound`s to printed text for one user."""

    def __init__(self, service: CoachService, user: str, out: TextIO, prompt: bool = False) -> None:
        self.service = service
        self.user = user
        self.out = out
        self.prompt = prompt
        self.menu: list[tuple[str, str]] = []

    def send(self, text: str | None = None, button: str | None = None) -> list[Outbound]:
        inbound = Inbound(
            channel=CHANNEL,
            user_ref=self.user,
            chat_id=self.user,
            delivery_id=uuid.uuid4().hex,
            text=text,
            button=button,
            display_name=self.user,
        )
        reply = self.service.handle(inbound)
        for message in reply.messages:
            self.show(message)
        self.service.mark_delivered([m.outbox_id for m in reply.messages])
        self.out.flush()
        return reply.messages

    def show(self, message: Outbound) -> None:
        lines = []
        if message.progress is not None:
            position, total = message.progress
            progress = self.service.content.say(
                "question_progress", "text", position=position, total=total
            )
            lines.append(f"[{progress}]")
        lines.append(message.text)
        if message.attachment is not None:
            # A terminal shows no pictures or files: print what they hold instead.
            file = message.attachment
            lines.append(f"[{file.media}: {file.filename}]")
            if file.alt:
                lines.append(file.alt)
        options = message.options
        scale = [label for label, _data in options[:5]] == ["1", "2", "3", "4", "5"]
        if scale:
            lines.append("  1 · 2 · 3 · 4 · 5")
            lines += [f"  {n}. {label}" for n, (label, _data) in enumerate(options, 1) if n > 5]
        elif options and all(label.startswith("#") for label, _data in options):
            # Labels that carry their own number (the /resume picker's "#3 Lease") are not
            # numbered again: the typed number is the session's, read by the coach service.
            lines += [f"  {label}" for label, _data in options]
            self.menu = []
        elif options:
            width = len(str(len(options)))
            lines += [f"  {n:>{width}}. {label}" for n, (label, _data) in enumerate(options, 1)]
            # A numbered menu that is not a question (forget, reminders) is answered by button.
            self.menu = options if message.kind != "question" else []
        print("\n".join(lines) + "\n", file=self.out)

    def line(self, raw: str) -> None:
        """One typed line: a number picks from a non-question menu, anything else is text."""
        text = raw.rstrip("\n")
        choice = text.strip()
        if (
            self.menu
            and choice.isascii()
            and choice.isdigit()
            and len(choice) < 4
            and 1 <= int(choice) <= len(self.menu)
        ):
            data = self.menu[int(choice) - 1][1]
            self.menu = []
            self.send(button=data)
            return
        self.menu = []
        self.send(text=text)

    def loop(self, source: TextIO) -> None:
        while True:
            if self.prompt:
                print("> ", end="", file=self.out, flush=True)
            raw = self.read(source)
            if not raw:
                break
            self.line(raw)

    def read(self, source: TextIO) -> str:
        """The next answer: one line from a pipe; at a terminal, a line and every line that
        arrives with it (a pasted block), joined with new lines."""
        raw = source.readline()
        if not self.prompt or not raw:
            return raw
        lines = [raw.rstrip("\n")]
        while _more_waiting(source):
            more = source.readline()
            if not more:
                break
            lines.append(more.rstrip("\n"))
        while len(lines) > 1 and not lines[-1].strip():
            lines.pop()  # the paste's own trailing Enter
        return "\n".join(lines) + "\n"


def _more_waiting(source: TextIO) -> bool:
    """Whether another line is already there (a terminal reads one line per read, so what
    the paste holds beyond it is still in the terminal, where select sees it)."""
    try:
        ready, _w, _x = select.select([source], [], [], PASTE_GAP)
    except (OSError, ValueError, TypeError):
        return False  # not a real file (tests' StringIO): one line at a time
    return bool(ready)


def run_chat(
    service: CoachService,
    user: str,
    resume: int | None,
    resume_latest: bool,
    source: TextIO,
    out: TextIO,
    interactive: bool,
    debrief: int | None = None,
) -> int:
    """Open (or resume) a session, converse until end of input, and say how to come back.
    With `debrief`, the debrief of that completed session; exit 1 if it can't be opened (not
    the user's, unknown, unfinished: the reason is printed)."""
    console = Console(service, user, out, prompt=interactive)
    try:
        if not _open(console, resume, resume_latest, debrief):
            return 1
        console.loop(source)
    except KeyboardInterrupt:
        # Ctrl-C: what was answered is saved (each answer commits on its own); say so once.
        print("\n" + service.content.say("console_interrupted", "text"), file=out)
        return 0
    mine = service.list_sessions(CHANNEL, user)
    if mine:
        latest = max(mine, key=lambda s: (s.updated_at, s.id))
        key = "console_saved" if latest.status == "active" else "console_saved_done"
        saved = service.content.say(key, "text", user=shlex.quote(user), ident=latest.id)
        print(saved, file=out)
    return 0


def _open(console: Console, resume: int | None, resume_latest: bool, debrief: int | None) -> bool:
    """The first message of a chat: the debrief asked for (False if it can't be opened), the
    session to resume, or /start."""
    service, user = console.service, console.user
    if debrief is not None:
        opened = console.send(text=f"/debrief {debrief}")
        return not any(message.kind == "error" for message in opened)
    if resume is not None:
        console.send(text=f"/resume {resume}")
    elif resume_latest:
        open_ones = [s for s in service.list_sessions(CHANNEL, user) if s.status == "active"]
        if not open_ones:
            nothing = service.content.say("console_nothing_to_resume", "text")
            print(nothing + "\n", file=console.out)
            console.send(text="/new")
        else:
            latest = max(open_ones, key=lambda s: (s.updated_at, s.id))
            console.send(text=f"/resume {latest.id}")
    else:
        console.send(text="/start")
    return True
