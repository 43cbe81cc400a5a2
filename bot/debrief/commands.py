"""/debrief: a look back at a prepared negotiation; /progress: lessons across negotiations.

A debrief is an ordinary session on the follow-up script (dialogues/debrief.yaml, `follows:
coach`), linked to the preparation in the `debriefs` table and started with the preparation's
context (its title, verdicts and answers; bot.engine.debrief), so it asks about the lessons that
preparation flagged. One debrief per preparation: asking again offers the existing one.
The "d" button (the reminders' invitation) carries the prepared session's id.
"""

from __future__ import annotations

from datetime import date
from textwrap import shorten

from bot.coach import callbacks
from bot.coach.callbacks import Callback
from bot.coach.ids import parse_row_id
from bot.coach.router import Router
from bot.coach.turn import Turn
from bot.engine import debrief
from bot.engine.conditions import stored_date
from bot.engine.content import Content
from bot.engine.lessons import ASKED, progress
from bot.engine.machine import Conversation
from storage import debriefs as store
from storage import rehearsals as rehearsal_store
from storage import repository as repo
from storage.records import SessionRecord


def conversation_of_row(row: SessionRecord, content: Content) -> Conversation:
    """A stored session's conversation from its row (answers and context in `answer_map`)."""
    state, path, _moved = content.dialogue.resume_state(row.state, list(row.path))
    return Conversation(
        state=state,
        values={key: pair[0] for key, pair in row.answer_map.items()},
        shown={key: pair[1] for key, pair in row.answer_map.items()},
        path=path,
    )


router: Router[Turn] = Router("debrief")


def _preparation_scripts(turn: Turn, debriefable: bool) -> list[str]:
    """Scripts whose sessions are negotiations prepared (not follow-ups); with
    `debriefable`, only those the content has a debrief script for."""
    found = []
    for script_id in turn.default_content.script_ids:
        content = turn.default_content.for_script(script_id)
        if content.script.follows is None and (not debriefable or content.follow_up() is not None):
            found.append(script_id)
    return found


def _refuse(turn: Turn, key: str, **context: object) -> None:
    """A /debrief that cannot go ahead: said as an error (the console exits 1 on it)."""
    turn.send(turn.content.say(key, turn.fmt, **context), kind="error")


@router.command("/debrief")
def start_debrief(turn: Turn, args: str) -> None:
    ident = args.strip().lstrip("#")
    if not ident:
        latest = store.latest_undebriefed(
            turn.db, turn.user.id, _preparation_scripts(turn, debriefable=True)
        )
        if latest is None:
            _refuse(turn, "debrief_none")
            turn.reshow()
            return
        _debrief_for(turn, latest, str(latest))
    elif (session_id := parse_row_id(ident)) is not None:
        _debrief_for(turn, session_id, ident)
    else:
        _refuse(turn, "debrief_unknown", ident=args.strip()[:20])


@router.button("d", arity=1)
def debrief_pressed(turn: Turn, pressed: Callback) -> None:
    prepared_id = int(pressed.args[0])
    outcome = _debrief_for(turn, prepared_id, str(prepared_id))
    turn.pressed = "accepted" if outcome else "refused"
    if not outcome:
        turn.notice = turn.content.say("debrief_button_refused", "text")


def _debrief_for(turn: Turn, prepared_id: int, shown: str) -> bool:
    """Open (or offer) the debrief of one of the user's completed preparations; False,
    with the reason said, when it can't be. Another user's session reads as unknown."""
    row = repo.lock_session(turn.db, prepared_id)
    if row is None or row.user_id != turn.user.id:
        _refuse(turn, "debrief_unknown", ident=shown[:20])
        return False
    if not turn.usable(row):
        return False
    follow_up = turn.default_content.for_script(row.script_id).follow_up()
    if follow_up is None:
        _refuse(turn, "debrief_not_preparation", ident=row.id)
        return False
    if row.status != "completed":
        _refuse(
            turn,
            "debrief_incomplete",
            ident=row.id,
            title=row.title or turn.content.say("untitled", "text"),
        )
        return False
    day = _negotiation_day(turn, row)
    if day is not None and day > turn.now.date():
        shown = f"{day:%A} {day.day} {day:%B %Y}"  # "Monday 7 December 2026"
        _refuse(turn, "debrief_too_early", title=row.title or "", day=shown, ident=row.id)
        turn.reshow()
        return False
    existing = store.debrief_of(turn.db, row.id)
    if existing is not None:
        _offer_existing(turn, existing, row)
        return True
    _open_debrief(turn, row, follow_up)
    return True


def _negotiation_day(turn: Turn, row: SessionRecord) -> date | None:
    """The date the person gave for the negotiation itself (the script's reminder date
    question), if they gave one: a debrief looks back, so not before that day."""
    plan = turn.default_content.for_script(row.script_id).script.reminders
    pair = row.answer_map.get(plan.date) if plan is not None else None
    return stored_date(pair[0]) if pair else None


def _offer_existing(turn: Turn, debrief_id: int, prepared: SessionRecord) -> None:
    found = repo.get_session(turn.db, debrief_id)
    done = found is not None and found.status == "completed"
    label = turn.content.say("debrief_show" if done else "debrief_continue", turn.fmt)
    text = turn.content.say(
        "debrief_exists",
        turn.fmt,
        title=prepared.title or turn.content.say("untitled", "text"),
        done=done,
    )
    turn.send(text, buttons=[[(label, callbacks.resume(debrief_id))]])


def _open_debrief(turn: Turn, prepared: SessionRecord, follow_up: Content) -> None:
    prep_content = turn.default_content.for_script(prepared.script_id)
    prepared_conv = conversation_of_row(prepared, prep_content)
    stored = store.levels_of(turn.db, prepared.id) or {
        finding.lesson.id: finding.level for finding in prep_content.findings(prepared_conv)
    }
    levels = {lesson.id: stored.get(lesson.id, "clear") for lesson in turn.content.book.lessons}
    title = prepared.title or turn.content.say("untitled_negotiation", "text")
    context = debrief.seed(
        prep_content.script, title, levels, prepared_conv, _rehearsed(turn, prepared.id)
    )
    script = follow_up.script
    row = repo.create_session(
        turn.db, turn.user.id, script.id, script.version, script.start, turn.now
    )
    store.link(turn.db, row.id, prepared.id)
    turn.attach(row)
    assert turn.row is not None and turn.conv is not None
    named = turn.content.say("debrief_title", "text", title=title)
    turn.row.title = shorten(named, 60, placeholder="…")
    for key, (value, shown) in context.items():
        turn.row.answer_map[key] = [value, shown]
        turn.conv.values[key] = value
        turn.conv.shown[key] = shown
    turn.session_opened()
    asked = [lesson for lesson, level in levels.items() if level in ASKED]
    turn.info("debrief_intro", title=title, flagged=len(asked))
    turn.ask()


def _rehearsed(turn: Turn, prepared_id: int) -> str:
    """The titles of the lessons whose moments the person answered in a rehearsal of this
    preparation ("" when none was answered), for the debrief's "did one come up?" question."""
    titles = {lesson.id: lesson.title for lesson in turn.content.book.lessons}
    book = turn.default_content.rehearsal
    seen: list[str] = []
    for record in rehearsal_store.of_session(turn.db, prepared_id):
        answered = {reply.moment_id for reply in rehearsal_store.replies_of(turn.db, record.id)}
        for moment_id in record.moments:
            moment = book.moment(moment_id) if book is not None else None
            if moment is None or moment_id not in answered:
                continue
            name = titles.get(moment.lesson) or book.label(moment.lesson) if book else ""
            if name and name not in seen:
                seen.append(name)
    return ", ".join(seen)


@router.command("/progress")
def show_progress(turn: Turn, _args: str) -> None:
    """Which lessons recur across the user's negotiations and which they have overcome:
    their completed preparations' verdicts and what their completed debriefs said."""
    found = store.negotiations(turn.db, turn.user.id, _preparation_scripts(turn, debriefable=False))
    if not found:
        turn.info("progress_none")
        turn.reshow()
        return
    lesson_ids = [lesson.id for lesson in turn.content.book.lessons]
    said: list[dict[str, str]] = []
    debriefed = 0
    for negotiation in found:
        row = negotiation.debrief
        if (
            row is None
            or row.status != "completed"
            or not turn.default_content.has_script(row.script_id)
        ):
            said.append({})
            continue
        debriefed += 1
        content = turn.default_content.for_script(row.script_id)
        conv = conversation_of_row(row, content)
        said.append(debrief.verdicts(content.script, conv, lesson_ids))
    verdicts = progress([n.levels for n in found], said)
    titles = {lesson.id: lesson.title for lesson in turn.content.book.lessons}
    grouped: dict[str, list[str]] = {}
    for lesson_id, verdict in verdicts.items():
        grouped.setdefault(verdict, []).append(titles[lesson_id])
    turn.info(
        "progress",
        count=len(found),
        debriefs=debriefed,
        latest=found[-1].title,
        groups=grouped,
    )
    turn.reshow()  # the open question comes back under the summary
