"""One rehearsal, step by step: start, show a moment, read a reply, Try again / Next / Stop.

Every step works on the stored rehearsal row (storage.rehearsals) inside the turn's transaction,
and the user's `pending_action` (`rehearse:<id>`) sends their next message here, so a restart
in the middle of a moment continues exactly where the last committed message left it. What the
person reads comes from dialogues/rehearsal.yaml (`say:`), the reading from bot.engine.rehearsal.
"""

from __future__ import annotations

from typing import Any

from bot.coach import callbacks
from bot.coach.rehearsals import lesson_title, summarise
from bot.coach.turn import Turn
from bot.engine.rehearsal import MAX_REPLY, Moment, Reading, RehearsalBook, material
from bot.engine.render import to_plain
from storage import debriefs as debrief_store
from storage import rehearsals as store
from storage.records import SessionRecord
from storage.rehearsals import RehearsalRecord, ReplyRecord

PENDING = "rehearse"
AGAIN, NEXT, STOP = 1, 2, 3
"""The operations of the "rh" button: (rehearsal id, moment position, operation)."""


def book_of(turn: Turn) -> RehearsalBook | None:
    return turn.default_content.rehearsal


def say(turn: Turn, key: str, **context: Any) -> str:
    book = book_of(turn)
    assert book is not None
    return book.say(key, turn.fmt, turn.default_content.renderer, **context)


def rehearsable(turn: Turn, row: SessionRecord) -> bool:
    book = book_of(turn)
    return book is not None and row.script_id == book.spec.script


def prepared_material(turn: Turn) -> dict[str, Any]:
    """The moment templates' material, from the attached preparation."""
    assert turn.conv is not None
    return material(turn.content.context(turn.conv))


def start(turn: Turn, prepared: SessionRecord) -> None:
    """Open (or continue) the rehearsal of a completed preparation the user owns."""
    book = book_of(turn)
    assert book is not None
    if turn.row is None or turn.row.id != prepared.id:
        turn.attach(prepared)
    active = store.active_of_session(turn.db, prepared.id)
    if active is not None:
        turn.user.pending_action = f"{PENDING}:{active.id}"
        show_current(turn, active)
        return
    content = turn.content
    assert turn.conv is not None
    levels = debrief_store.levels_of(turn.db, prepared.id) or {
        finding.lesson.id: finding.level for finding in content.findings(turn.conv)
    }
    ordered = {lesson.id: levels.get(lesson.id, "clear") for lesson in content.book.lessons}
    picked = book.pick(ordered, turn.conv.answered_on_path())
    if not picked:
        turn.send(say(turn, "no_moments"), kind="error")
        return
    record = store.create(turn.db, turn.user.id, prepared.id, picked)
    turn.user.pending_action = f"{PENDING}:{record.id}"
    said = prepared_material(turn)
    turn.send(say(turn, "intro", title=turn.title(), count=len(picked), name=said["name"]))
    show_moment(turn, record)


def show_current(turn: Turn, record: RehearsalRecord) -> None:
    """Where a continued rehearsal stands: the moment's line, or the choice after feedback."""
    turn.send(say(turn, "resumed"))
    if record.phase == "choose":
        offer_choice(turn, record, say(turn, "choose", tries_left=_tries_left(turn, record)))
    else:
        show_moment(turn, record)


def _moment(turn: Turn, record: RehearsalRecord) -> Moment | None:
    book = book_of(turn)
    moment_id = record.moment_id
    return book.moment(moment_id) if book is not None and moment_id is not None else None


def show_moment(turn: Turn, record: RehearsalRecord, retry: bool = False) -> None:
    moment = _moment(turn, record)
    book = book_of(turn)
    if moment is None or book is None:  # the moment was removed from the content: skip it
        advance(turn, record)
        return
    said = prepared_material(turn)
    # Plain text inside, escaped once by the phrase around it.
    scene, line = book.scene(moment, "text", turn.default_content.renderer, said)
    if retry:
        turn.send(say(turn, "retry", speaker=said["name"], line=line))
        return
    turn.send(
        say(
            turn,
            "moment",
            position=record.position + 1,
            count=len(record.moments),
            lesson=lesson_title(turn.content, moment.lesson),
            scene=scene,
            speaker=said["name"],
            line=line,
        )
    )


def _tries_left(turn: Turn, record: RehearsalRecord) -> bool:
    book = book_of(turn)
    return book is not None and record.attempt < book.spec.tries


def offer_choice(turn: Turn, record: RehearsalRecord, text: str) -> None:
    """`text` with the buttons: Try again (while tries are left), Next (Finish), Stop."""
    last = record.position + 1 >= len(record.moments)
    buttons = []
    if _tries_left(turn, record):
        buttons.append([(say(turn, "try_again"), _button(record, AGAIN))])
    buttons.append([(say(turn, "finish" if last else "next"), _button(record, NEXT))])
    buttons.append([(say(turn, "stop"), _button(record, STOP))])
    turn.send(text, buttons=buttons)


def _button(record: RehearsalRecord, op: int) -> str:
    return callbacks.make("rh", record.id, record.position, op)


def reply(turn: Turn, record: RehearsalRecord, text: str) -> None:
    """A typed reply to the moment under way: read it, store it, give the feedback."""
    book = book_of(turn)
    moment = _moment(turn, record)
    assert book is not None
    turn.line("user", text)
    said = prepared_material(turn)
    if moment is None:
        advance(turn, record)
        return
    if record.phase == "choose" and not _tries_left(turn, record):
        offer_choice(turn, record, say(turn, "no_tries_left"))
        return
    if not text.strip():
        turn.send(say(turn, "empty", speaker=said["name"]), kind="error")
        return
    if len(text) > MAX_REPLY:
        turn.send(say(turn, "too_long", limit=MAX_REPLY), kind="error")
        return
    reading = book.reading(moment, text, turn.default_content.renderer, "text", said)
    feedback = _feedback(turn, reading)
    record.attempt += 1
    record.phase = "choose"
    store.add_reply(
        turn.db,
        record.id,
        ReplyRecord(
            moment_id=moment.id,
            attempt=record.attempt,
            text=text,
            cues=[{"cue": f.name, "words": f.words, "said": f.said} for f in reading.cues],
            traps=[{"trap": f.name, "words": f.words, "said": f.said} for f in reading.traps],
            feedback=to_plain(feedback) if turn.fmt == "html" else feedback,
        ),
    )
    store.save(turn.db, record)
    offer_choice(turn, record, feedback)


def _feedback(turn: Turn, reading: Reading) -> str:
    return say(
        turn,
        "feedback",
        worked=reading.worked,
        traps=reading.named,
        try_=reading.try_,
        rule=reading.rule,
    )


def choose(turn: Turn, record: RehearsalRecord, op: int) -> None:
    if op == AGAIN:
        if not _tries_left(turn, record):
            offer_choice(turn, record, say(turn, "no_tries_left"))
            return
        record.phase = "reply"
        store.save(turn.db, record)
        show_moment(turn, record, retry=True)
    elif op == NEXT:
        advance(turn, record)
    else:
        finish(turn, record, "stopped")


def advance(turn: Turn, record: RehearsalRecord) -> None:
    record.position += 1
    record.attempt = 0
    record.phase = "reply"
    if record.position >= len(record.moments):
        finish(turn, record, "done")
        return
    store.save(turn.db, record)
    show_moment(turn, record)


def finish(turn: Turn, record: RehearsalRecord, status: str) -> None:
    """End the rehearsal: its summary (moments, best reply, one sentence to remember)."""
    record.status = status
    record.completed_at = turn.now
    store.save(turn.db, record)
    if turn.user.pending_action == f"{PENDING}:{record.id}":
        turn.user.pending_action = None
    summary = summarise(turn.default_content, record, store.replies_of(turn.db, record.id))
    said = prepared_material(turn)
    if summary["best"]:
        turn.send(say(turn, "summary", title=turn.title(), name=said["name"], **summary))
    if status == "stopped":
        turn.send(say(turn, "stopped", ident=record.session_id))
