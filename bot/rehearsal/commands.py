"""/rehearse [ID|stop], the rehearsal's buttons, and the offer after a report.

- `/rehearse` rehearses the open completed preparation, else the latest completed one;
  `/rehearse ID` that preparation (another user's reads as unknown); `/rehearse stop` ends the
  rehearsal under way. A rehearsal under way is continued, never started twice.
- "rs" (session id): the button under a report that starts it; "rh" (rehearsal id, moment
  position, operation): Try again, Next, Stop. Both are checked against the presser's own rows
  and the moment under way; anything else is answered as stale or foreign, and changes nothing.
- While a rehearsal waits for a reply (`pending_action` "rehearse:<id>"), a typed message is
  the reply; a sticker or photo gets a clear answer and loses nothing; another command pauses
  the rehearsal (/rehearse continues it).
"""

from __future__ import annotations

from bot.coach import callbacks
from bot.coach.callbacks import Callback
from bot.coach.ids import parse_row_id
from bot.coach.router import Router
from bot.coach.turn import Turn
from bot.engine.lessons import Finding
from bot.rehearsal import flow
from storage import rehearsals as store
from storage import repository as repo
from storage.records import SessionRecord
from storage.rehearsals import RehearsalRecord

router: Router[Turn] = Router("rehearsal")
STOP_WORDS = ("stop", "end", "quit")


def _refuse(turn: Turn, key: str, **context: object) -> None:
    turn.send(flow.say(turn, key, **context), kind="error")


@router.command("/rehearse")
def rehearse(turn: Turn, args: str) -> None:
    if flow.book_of(turn) is None:
        turn.info("unknown_command", command="/rehearse")
        return
    ident = args.strip().lstrip("#")
    if ident.casefold() in STOP_WORDS:
        _stop_current(turn)
        return
    if not ident:
        found = _default_preparation(turn)
        if found is None:
            _refuse(turn, "none")
            return
        _start(turn, found, str(found.id))
        return
    session_id = parse_row_id(ident)
    if session_id is None:
        _refuse(turn, "unknown", ident=ident[:20])
        return
    row = repo.lock_session(turn.db, session_id)
    if row is None or row.user_id != turn.user.id:
        _refuse(turn, "unknown", ident=ident[:20])
        return
    _start(turn, row, ident)


def _default_preparation(turn: Turn) -> SessionRecord | None:
    """The open session when it is a completed preparation, else the latest completed one."""
    if turn.row is not None and turn.row.status == "completed" and flow.rehearsable(turn, turn.row):
        return turn.row
    done = [
        row
        for row in repo.sessions_of(turn.db, turn.user.id)
        if row.status == "completed" and flow.rehearsable(turn, row)
    ]
    if not done:
        return None
    latest = max(done, key=lambda row: (row.completed_at or row.updated_at, row.id))
    return repo.lock_session(turn.db, latest.id)


def _start(turn: Turn, row: SessionRecord, shown: str) -> bool:
    if not turn.usable(row):
        return False
    if not flow.rehearsable(turn, row):
        _refuse(turn, "unknown", ident=shown[:20])
        return False
    if row.status != "completed":
        _refuse(turn, "incomplete", ident=row.id)
        return False
    flow.start(turn, row)
    return True


def _stop_current(turn: Turn) -> None:
    record = _pending_record(turn)
    if record is None:
        _refuse(turn, "not_rehearsing")
        return
    _attach_preparation(turn, record)
    flow.finish(turn, record, "stopped")


def _pending_record(turn: Turn) -> RehearsalRecord | None:
    """The user's rehearsal under way, from `pending_action` or their open preparation."""
    pending = turn.user.pending_action or ""
    key, _, raw = pending.partition(":")
    if key == flow.PENDING and (rehearsal_id := parse_row_id(raw)) is not None:
        found = store.get(turn.db, rehearsal_id)
        if found is not None and found.user_id == turn.user.id and found.status == "active":
            return found
    if turn.row is not None:
        return store.active_of_session(turn.db, turn.row.id)
    return None


def _attach_preparation(turn: Turn, record: RehearsalRecord) -> bool:
    """Make the rehearsed preparation the open session (its transcript gets the lines)."""
    if turn.row is not None and turn.row.id == record.session_id:
        return True
    row = repo.lock_session(turn.db, record.session_id)
    if row is None or row.user_id != turn.user.id or not turn.usable(row):
        return False
    turn.attach(row)
    return True


@router.pending(flow.PENDING)
def reply_typed(turn: Turn) -> bool:
    """The person's next message while a rehearsal waits: their reply, unless it is a
    button or a command (those go their usual way; a command other than /rehearse pauses)."""
    record = _pending_record(turn)
    if record is None:
        turn.user.pending_action = None
        return False
    if turn.inbound.button is not None:
        return False
    text = turn.inbound.text
    if text is not None and text.lstrip().startswith("/"):
        if not text.lstrip().casefold().startswith("/rehearse"):
            turn.user.pending_action = None
            _attach_preparation(turn, record)
            turn.send(flow.say(turn, "paused"))
        return False
    if not _attach_preparation(turn, record):
        turn.user.pending_action = None
        return False
    if turn.inbound.media is not None:
        turn.line("user", f"[{turn.inbound.media}]")
        said = flow.prepared_material(turn)
        turn.send(
            flow.say(turn, "not_text", media=turn.inbound.media, speaker=said["name"]),
            kind="error",
        )
        return True
    if (text or "").strip().casefold() in STOP_WORDS:
        turn.line("user", text or "")
        flow.finish(turn, record, "stopped")
        return True
    flow.reply(turn, record, text or "")
    return True


@router.button("rs", arity=1)
def start_pressed(turn: Turn, pressed: Callback) -> None:
    session_id = int(pressed.args[0])
    row = repo.lock_session(turn.db, session_id)
    if row is None or row.user_id != turn.user.id:
        turn.pressed = "refused"
        turn.notice = turn.content.say("foreign_button", "text")
        turn.info("foreign_button")
        return
    turn.pressed = "accepted" if _start(turn, row, str(session_id)) else "refused"


@router.button("rh", arity=3)
def choice_pressed(turn: Turn, pressed: Callback) -> None:
    rehearsal_id, position, op = (int(arg) for arg in pressed.args)
    if op not in (flow.AGAIN, flow.NEXT, flow.STOP):  # a payload we never drew
        turn.pressed = "refused"
        turn.notice = turn.content.say("forged_button", "text")
        turn.info("forged_button")
        return
    record = store.get(turn.db, rehearsal_id)
    if record is None or record.user_id != turn.user.id:
        turn.pressed = "refused"
        turn.notice = turn.content.say("foreign_button", "text")
        turn.info("foreign_button")
        return
    if record.status != "active" or record.position != position or record.phase != "choose":
        turn.pressed = "stale"
        turn.notice = flow.say(turn, "stale")
        turn.send(flow.say(turn, "stale"))
        return
    if not _attach_preparation(turn, record):
        turn.pressed = "refused"
        return
    turn.pressed = "accepted"
    turn.user.pending_action = f"{flow.PENDING}:{record.id}"
    flow.choose(turn, record, op)


@router.on_session_completed
def offer_after_report(turn: Turn, _findings: list[Finding]) -> None:
    """Under the report of a preparation: the offer to rehearse, with its button."""
    if turn.row is None or not flow.rehearsable(turn, turn.row):
        return
    label = flow.say(turn, "offer_button")
    said = flow.prepared_material(turn)
    turn.send(
        flow.say(turn, "offer", name=said["name"]),
        buttons=[[(label, callbacks.make("rs", turn.row.id))]],
    )


@router.help_section
def help_section(turn: Turn) -> None:
    if flow.book_of(turn) is not None:
        turn.send(flow.say(turn, "help"))


@router.privacy_section
def privacy_section(turn: Turn) -> None:
    if flow.book_of(turn) is not None:
        turn.send(flow.say(turn, "privacy"))
