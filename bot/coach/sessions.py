"""The core's own commands and buttons: start, new, resume, sessions, back, skip, report,
export, forget, privacy and help; the answer, resume and forget buttons.

`/start`, `/help` and `/privacy` are assembled here from what the features registered: a
`/start` link (`join-<code>`) goes to its feature, and each feature's help and privacy sections
follow the core text in the order the composition root merged the routers.
"""

from __future__ import annotations

import json
import re

from bot.coach import callbacks
from bot.coach.attachments import file_payload
from bot.coach.callbacks import Callback
from bot.coach.ids import parse_row_id
from bot.coach.reports import export_document, export_json
from bot.coach.router import Router
from bot.coach.turn import Turn
from bot.engine.script import END
from storage import debriefs
from storage import repository as repo

router: Router[Turn] = Router("sessions")
AFFIRMATIVE = {"1", "yes", "y", "delete", "yes, delete everything"}
NEGATIVE = {"2", "no", "n", "keep", "cancel"}
"""Typed answers to the /forget confirmation besides its buttons (numbered 1 and 2 on the
console); anything else is asked again, never taken for an answer."""
RESUME_PENDING = "resume"
SESSION_NUMBER = re.compile(r"#?\s*\d{1,12}")


# ---- starting and resuming ------------------------------------------------------------------
@router.command("/start")
def start(turn: Turn, args: str) -> None:
    """Greet and start preparing, or follow a feature's /start link (`join-<code>`)."""
    link = turn.routes.start_link_for(args) if args else None
    if link is not None:
        handler, rest = link
        handler(turn, rest)
        return
    if turn.row is not None and turn.row.status == "active":
        welcome_back(turn, moved=False)
        return
    turn.info("welcome", name=turn.user.display_name)
    turn.open_new()
    turn.ask()


@router.command("/new")
def new(turn: Turn, _args: str) -> None:
    had_sessions = repo.count_sessions(turn.db, turn.user.id) > 0
    turn.info("new_session" if had_sessions else "welcome", name=turn.user.display_name)
    turn.open_new()
    turn.ask()


def welcome_back(turn: Turn, moved: bool) -> None:
    """Back in the open session: where they are, then its question (or its report)."""
    assert turn.row is not None and turn.conv is not None
    if turn.conv.state == END:
        turn.info("resume_done")
        turn.outgoing.extend(turn.report_payloads())
        return
    position, about = turn.content.progress(turn.conv)
    turn.info("welcome_back", title=turn.title(), position=position, total=about)
    if moved:
        turn.info("script_changed")
    turn.ask()


@router.command("/resume")
def resume(turn: Turn, args: str) -> None:
    if not args:
        sessions = repo.sessions_of(turn.db, turn.user.id)
        if not sessions:
            turn.info("sessions_empty")
            return
        untitled = turn.content.say("untitled", "text")
        buttons = [
            [(f"#{s.id} {s.title or untitled}"[:40], callbacks.resume(s.id))] for s in sessions[-8:]
        ]
        turn.send(turn.content.say("resume_which", turn.fmt), buttons=buttons)
        turn.user.pending_action = RESUME_PENDING
        return
    resume_id(turn, parse_row_id(args), args)


@router.pending(RESUME_PENDING)
def resume_typed(turn: Turn) -> bool:
    """The message after the /resume picker: a typed session number ("3", "#3") picks that
    session, as its button would, instead of becoming the open question's answer. Anything
    else goes on as usual (a button, a command, or an answer in words)."""
    turn.user.pending_action = None
    typed = (turn.inbound.text or "").strip()
    if turn.inbound.button is not None or not SESSION_NUMBER.fullmatch(typed):
        return False
    turn.line("user", typed)
    resume_id(turn, parse_row_id(typed.lstrip("#").strip()), typed)
    return True


def resume_id(turn: Turn, session_id: int | None, shown: str) -> None:
    row = repo.lock_session(turn.db, session_id) if session_id is not None else None
    if row is None or row.user_id != turn.user.id:
        turn.info("resume_unknown", ident=shown[:20])
        return
    if not turn.usable(row):  # its script is no longer loaded: said so
        return
    welcome_back(turn, moved=turn.attach(row))


@router.button("r", arity=1)
def resume_pressed(turn: Turn, pressed: Callback) -> None:
    session_id = int(pressed.args[0])
    owner = repo.lock_session(turn.db, session_id)
    if owner is None or owner.user_id != turn.user.id:
        turn.notice = turn.content.say("foreign_button", "text")
        turn.info("foreign_button")
        return
    turn.pressed = "accepted"
    resume_id(turn, session_id, str(session_id))


@router.command("/sessions")
def sessions(turn: Turn, _args: str) -> None:
    found = repo.sessions_of(turn.db, turn.user.id)
    if not found:
        turn.info("sessions_empty")
        return
    debrief_links = debriefs.links_of(turn.db, turn.user.id)
    listing = [
        {
            "debrief_of": debrief_links.get(s.id),
            "id": s.id,
            "title": s.title,
            "status": s.status,
            "current": turn.row is not None and turn.row.id == s.id,
        }
        for s in found
    ]
    turn.info("sessions_list", sessions=listing)
    turn.reshow()


# ---- moving through the questions -----------------------------------------------------------
@router.button("a", arity=3)
def answer_pressed(turn: Turn, pressed: Callback) -> None:
    """An option of a question: (session, question position, option index)."""
    session_id, position, option = (int(arg) for arg in pressed.args)
    owner = repo.lock_session(turn.db, session_id)
    if owner is None or owner.user_id != turn.user.id:
        turn.notice = turn.content.say("foreign_button", "text")
        turn.info("foreign_button")
        return
    if (
        turn.row is None
        or turn.row.id != owner.id
        or turn.conv is None
        or turn.conv.state == END
        or (turn.content.script.position(turn.conv.state) != position)
    ):
        turn.notice = turn.content.say("stale_button", "text")
        turn.pressed = "stale"
        turn.info("stale_button")
        turn.reshow()
        return
    options = turn.content.prompt(turn.conv.state, turn.fmt, turn.conv).options
    if not 0 <= option < len(options):
        turn.info("forged_button")
        return
    turn.line("user", options[option][1])
    turn.pressed = "accepted"
    step = turn.content.dialogue.answer(turn.conv, None, turn.now.date(), options[option][0])
    turn.after_step(step.accepted, step.question, step.shown, step.reason)


@router.command("/skip")
def skip(turn: Turn, _args: str) -> None:
    if turn.row is None or turn.conv is None or turn.conv.state == END:
        turn.info("no_session" if turn.row is None else "session_complete", title=turn.title())
        return
    step = turn.content.dialogue.skip(turn.conv)
    turn.after_step(step.accepted, step.question, step.shown, step.reason)


@router.command("/back")
def back(turn: Turn, _args: str) -> None:
    if turn.row is None or turn.conv is None:
        turn.info("no_session")
        return
    if not turn.content.dialogue.back(turn.conv):
        turn.info("back_at_start")
        turn.ask()
        return
    if turn.row.status == "completed":
        turn.row.status = "active"
        turn.row.completed_at = None
    turn.ask()
    previous = turn.conv.shown.get(turn.conv.state)
    if previous:
        turn.info("previous_answer", answer=previous)


# ---- the report and the data ----------------------------------------------------------------
@router.command("/report")
def report(turn: Turn, _args: str) -> None:
    if turn.row is None or turn.conv is None:
        turn.info("no_session")
    elif turn.conv.state != END:
        position, about = turn.content.progress(turn.conv)
        turn.info("report_not_ready", position=position, total=about)
        turn.reshow()
    else:
        turn.outgoing.extend(turn.report_payloads())


@router.command("/export")
def export(turn: Turn, _args: str) -> None:
    """On the console: how to export. Elsewhere: the session as JSON and HTML files,
    queued in the outbox like any reply."""
    if turn.row is None:
        turn.info("no_session")
        return
    if turn.inbound.channel == "console":
        turn.info("export_console", ident=turn.row.id)
        return
    data = export_json(turn.db, turn.content, turn.row, turn.user.display_name)
    stem = f"parley-session-{turn.row.id}"
    body = json.dumps(data, ensure_ascii=False, indent=2).encode()
    page = export_document(turn.content, data, "html").encode()
    caption = turn.content.say("export_caption", turn.fmt, title=turn.title())
    turn.outgoing.append(file_payload("document", f"{stem}.json", body, "", turn.fmt))
    turn.outgoing.append(file_payload("document", f"{stem}.html", page, caption, turn.fmt))
    turn.line("bot", f"[{stem}.json, {stem}.html]")


@router.command("/privacy", private=True)
def privacy(turn: Turn, _args: str) -> None:
    turn.info("privacy")
    for section in turn.routes.privacy_sections:
        section(turn)


@router.command("/help", private=True)
def help_(turn: Turn, _args: str) -> None:
    turn.info("help")
    for section in turn.routes.help_sections:
        section(turn)


# ---- forgetting everything -------------------------------------------------------------------
@router.command("/forget", private=True)
def ask_forget(turn: Turn, _args: str) -> None:
    turn.user.pending_action = "forget"
    confirm_forget(turn, "forget_confirm")


def confirm_forget(turn: Turn, key: str) -> None:
    buttons = [
        [(turn.content.say("forget_yes", turn.fmt), callbacks.forget("yes"))],
        [(turn.content.say("forget_no", turn.fmt), callbacks.forget("no"))],
    ]
    turn.send(turn.content.say(key, turn.fmt), buttons=buttons)


@router.pending("forget")
def forget_answered(turn: Turn) -> bool:
    """The message after /forget: yes deletes everything; no cancels and shows the open
    question again; a command or another button cancels and then goes on as usual. Other
    words are asked again: they are neither a yes nor an answer to the open question."""
    button = turn.inbound.button
    typed = (turn.inbound.text or "").strip().casefold()
    if button is None and typed not in AFFIRMATIVE | NEGATIVE and not typed.startswith("/"):
        confirm_forget(turn, "forget_unclear")
        return True
    turn.user.pending_action = None
    if button is not None:
        turn.pressed = "accepted"
    if button == callbacks.forget("yes") or (button is None and typed in AFFIRMATIVE):
        forget(turn)
        return True
    turn.info("forget_cancelled")
    split = callbacks.split(button) if button is not None else None
    if (split is not None and split[0] == "f") or typed in NEGATIVE:
        turn.reshow()
        return True
    return False


@router.button("f", arity=1, words=("yes", "no"))
def forget_pressed(turn: Turn, _pressed: Callback) -> None:
    """A confirmation no longer pending (answered already, or from before a restart)."""
    turn.pressed = "stale"
    turn.info("forget_cancelled")


def forget(turn: Turn) -> None:
    repo.delete_user(turn.db, turn.user.id)
    turn.user_id = None
    turn.row = turn.conv = None
    turn.lines = []  # their sessions are gone; so is everything said in them
    turn.info("forget_done")
