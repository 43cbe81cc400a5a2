"""Reminder commands and buttons, and planning reminders when the negotiation date is answered.

The date question (named by the script's `reminders:` block) plans two reminders for the
session: a checklist the day before and a debrief invitation the day after, at local times in
the user's zone, stored as rows (bot.reminders.service sends them). Answering the date again,
`/reminders date`, `/timezone`, `/snooze` and `/stop` change the rows in the turn's own
transaction; a changed reminder is cancelled and replaced, never edited, so a job armed for the
old row finds nothing to send.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.coach import callbacks
from bot.coach.callbacks import Callback
from bot.coach.router import Router
from bot.coach.turn import Turn
from bot.engine.answers import Invalid, Valid, hint, parse_answer
from bot.engine.script import ReminderPlan
from bot.reminders.schedule import (
    DEBRIEF,
    KINDS,
    SNOOZE,
    local_time,
    negotiation_day,
    parse_zone,
    plan_for,
    shown_time,
    to_utc,
)
from storage import reminders as store
from storage import repository as repo

SNOOZE_OP, STOP_OP, LATER_OP = 1, 2, 3
"""Operations of the `m` button: m(operation, reminder id)."""
MAX_ZONE_INPUT = 64


router: Router[Turn] = Router("reminders")


@router.on_answer_saved
def plan_on_answer(turn: Turn, question_id: str, value: Any) -> None:
    """The negotiation date was answered (again): plan its reminders anew."""
    plan = _reminder_plan(turn)
    if plan is not None and question_id == plan.date:
        _replan(turn, plan, negotiation_day(value))


def _reminder_plan(turn: Turn) -> ReminderPlan | None:
    """The open session's plan, if its script has one."""
    if turn.row is None or turn.row.script_id != turn.content.script.id:
        return None
    return turn.content.script.reminders


def _replan(
    turn: Turn, plan: ReminderPlan, day: date | None, kinds: tuple[str, ...] = KINDS
) -> None:
    """Replace the open session's pending reminders with those for `day` (none if None)."""
    assert turn.row is not None
    store.cancel_pending(turn.db, turn.user.id, turn.row.id)
    if day is None:
        return
    settings = store.settings_of(turn.db, turn.user.id)
    if not settings.enabled:
        turn.info("reminders_off_note")
        return
    planned = plan_for(day, settings.timezone, plan, turn.now, kinds)
    store.add(turn.db, turn.user.id, turn.row.id, planned, turn.now)
    if planned:
        items = [{"kind": k, "when": shown_time(due, settings.timezone)} for k, due in planned]
        turn.info("reminders_planned", items=items, **_zone_context(turn, settings))


def _zone_context(turn: Turn, settings: store.ReminderSettings) -> dict[str, Any]:
    return {
        "zone": settings.timezone,
        "zone_set": settings.timezone_set,
        "console": turn.inbound.channel == "console",
    }


# ---- commands ---------------------------------------------------------------------------


@router.command("/reminders")
def reminders(turn: Turn, args: str) -> None:
    word, _, rest = args.partition(" ")
    word = word.casefold()
    if not word:
        _list_reminders(turn)
    elif word == "date":
        _change_date(turn, rest.strip())
    elif word == "on":
        _reminders_on(turn)
    elif word == "off":
        stop_reminders(turn, "")
    else:
        turn.info("reminders_usage")


def _list_reminders(turn: Turn) -> None:
    settings = store.settings_of(turn.db, turn.user.id)
    if not settings.enabled:
        turn.info("reminders_disabled")
        return
    rows = store.pending_of(turn.db, turn.user.id)
    if not rows:
        turn.info("reminders_empty", console=turn.inbound.channel == "console")
        return
    titles: dict[int, str] = {}
    untitled = turn.content.say("untitled_negotiation", "text")
    for row in rows:
        if row.session_id not in titles:
            session = repo.get_session(turn.db, row.session_id)
            titles[row.session_id] = (session.title if session else "") or untitled
    items = [
        {
            "kind": row.kind,
            "when": shown_time(row.due_at, settings.timezone),
            "title": titles[row.session_id],
        }
        for row in rows
    ]
    buttons = [
        [
            (
                turn.content.say("reminder_button_snooze", turn.fmt),
                _button_data(SNOOZE_OP, rows),
            )
        ],
        [
            (
                turn.content.say("reminder_button_stop", turn.fmt),
                _button_data(STOP_OP, rows),
            )
        ],
    ]
    text = turn.content.say(
        "reminders_list", turn.fmt, items=items, **_zone_context(turn, settings)
    )
    turn.send(text, buttons=buttons)


def _button_data(operation: int, rows: list[store.ReminderRow]) -> str:
    return callbacks.make("m", operation, rows[0].id)


def _change_date(turn: Turn, raw: str) -> None:
    plan = _reminder_plan(turn)
    if plan is None or turn.row is None or turn.conv is None:
        turn.info("no_session")
        return
    question = turn.content.script.question(plan.date)
    phrases = turn.content.engine_phrases
    parsed = parse_answer(question, raw[:100], turn.now.date(), phrases)
    if not isinstance(parsed, Valid):  # two readings ("03/04/2027"): ask for a clearer date
        reason = parsed.reason if isinstance(parsed, Invalid) else hint(question, phrases)
        turn.info("reminders_date_bad", reason=reason)
        return
    repo.save_answer(turn.db, turn.row.id, plan.date, parsed.value, parsed.shown)
    turn.row.answer_map[plan.date] = [parsed.value, parsed.shown]
    turn.conv.values[plan.date] = parsed.value
    turn.conv.shown[plan.date] = parsed.shown
    day = negotiation_day(parsed.value)
    turn.info("reminders_date_changed", title=turn.title(), day=day.isoformat() if day else None)
    _replan(turn, plan, day)


def _reminders_on(turn: Turn) -> None:
    store.set_enabled(turn.db, turn.user.id, True)
    turn.info("reminders_on_done")
    plan = _reminder_plan(turn)
    if plan is None or turn.row is None:
        return
    if store.pending_of(turn.db, turn.user.id):
        return
    answer = turn.row.answer_map.get(plan.date)
    day = negotiation_day(answer[0] if answer else None)
    sent = store.sent_kinds(turn.db, turn.row.id)
    kinds = tuple(kind for kind in KINDS if kind not in sent)
    if day is not None and kinds:
        _replan(turn, plan, day, kinds)


@router.command("/snooze")
def snooze(turn: Turn, _args: str) -> None:
    rows = store.pending_of(turn.db, turn.user.id)
    if not rows:
        turn.info("snooze_nothing")
        return
    _snooze_row(turn, rows[0])


def _snooze_row(turn: Turn, row: store.ReminderRow) -> None:
    store.cancel(turn.db, row.id)
    due = max(row.due_at, turn.now) + SNOOZE
    store.add(turn.db, turn.user.id, row.session_id, [(row.kind, due)], turn.now)
    zone = store.settings_of(turn.db, turn.user.id).timezone
    turn.info("snooze_done", kind=row.kind, when=shown_time(due, zone))


@router.command("/stop")
def stop_reminders(turn: Turn, _args: str) -> None:
    count = store.cancel_pending(turn.db, turn.user.id)
    store.set_enabled(turn.db, turn.user.id, False)
    turn.info("stop_done", count=count)


@router.command("/timezone")
def timezone(turn: Turn, args: str) -> None:
    settings = store.settings_of(turn.db, turn.user.id)
    if not args:
        turn.info("timezone_show", **_zone_context(turn, settings))
        return
    name = parse_zone(args[:MAX_ZONE_INPUT])
    if name is None:
        turn.info("timezone_bad", given=args[:40])
        return
    store.set_timezone(turn.db, turn.user.id, name)
    moved = _move_pending(turn, settings.timezone, name)
    new = store.ReminderSettings(name, True, settings.enabled)
    turn.info("timezone_done", moved=moved, **_zone_context(turn, new))


def _move_pending(turn: Turn, old_zone: str, new_zone: str) -> int:
    """Keep every pending reminder at the same local clock time in the new zone (a
    reminder that would fall in the past is sent at once rather than lost)."""
    rows = store.pending_of(turn.db, turn.user.id)
    for row in rows:
        local = local_time(row.due_at, old_zone)
        due = max(to_utc(local.date(), local.time(), new_zone), turn.now)
        store.cancel(turn.db, row.id)
        store.add(turn.db, turn.user.id, row.session_id, [(row.kind, due)], turn.now)
    return len(rows)


# ---- buttons ----------------------------------------------------------------------------


@router.button("m", arity=2)
def reminder_button(turn: Turn, parsed: Callback) -> None:
    operation, reminder_id = (int(arg) for arg in parsed.args)
    if operation not in (SNOOZE_OP, STOP_OP, LATER_OP):
        turn.info("forged_button")
        return
    row = store.get(turn.db, reminder_id)
    if row is None or row.user_id != turn.user.id:
        turn.notice = turn.content.say("foreign_button", "text")
        turn.info("foreign_button")
        return
    if operation == STOP_OP:
        turn.pressed = "accepted"
        stop_reminders(turn, "")
    elif operation == SNOOZE_OP and row.status == "pending":
        turn.pressed = "accepted"
        _snooze_row(turn, row)
    elif operation == LATER_OP and _ask_again_tomorrow(turn, row):
        turn.pressed = "accepted"
    else:
        turn.pressed = "stale"
        turn.notice = turn.content.say("reminder_stale", "text")
        turn.info("reminder_stale")


def _ask_again_tomorrow(turn: Turn, row: store.ReminderRow) -> bool:
    """The debrief invitation's "ask me tomorrow": one new invitation a day from now,
    unless one is already planned for that session (False: nothing to do)."""
    if row.kind != DEBRIEF or row.status != "sent":
        return False
    settings = store.settings_of(turn.db, turn.user.id)
    planned = store.pending_of(turn.db, turn.user.id)
    if not settings.enabled or any(
        r.kind == DEBRIEF and r.session_id == row.session_id for r in planned
    ):
        return False
    due: datetime = turn.now + SNOOZE
    store.add(turn.db, turn.user.id, row.session_id, [(DEBRIEF, due)], turn.now)
    turn.info("later_done", when=shown_time(due, settings.timezone))
    return True
