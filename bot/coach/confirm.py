"""Taking the answer to "Did you mean ...?": a button, the candidate's number or its label.

When the engine is unsure how it read an answer (two options, "4 or 5", "03/04/2027" without a
known day/month order), the turn asks with each reading as a button plus "Something else", and
keeps the readings on the session (`pending_answer`) with the person's words, so a restart in
between loses nothing. The person's next message comes here first: a pick stores the reading
with their original words; "Something else" asks the question again with a hint; anything else
(new words, a command, another button) drops the confirmation and is handled as usual.
"""

from __future__ import annotations

from typing import Any

from bot.coach import callbacks
from bot.coach.callbacks import Callback
from bot.coach.router import Router
from bot.coach.turn import CONFIRM, Turn
from bot.engine.understand import whole_number

router: Router[Turn] = Router("confirm")
PICK = "u"
"""The button action of a reading on offer: (session id, index); made by `Turn.confirm`."""


def _pending(turn: Turn) -> dict[str, Any] | None:
    """The readings on offer, if they still belong to the open question."""
    row, conv = turn.row, turn.conv
    if row is None or conv is None or not row.pending_answer:
        return None
    pending = row.pending_answer
    return pending if pending.get("question") == conv.state else None


def _drop(turn: Turn) -> None:
    turn.user.pending_action = None
    if turn.row is not None:
        turn.row.pending_answer = None


@router.pending(CONFIRM)
def typed(turn: Turn) -> bool:
    """A typed pick (its number or its label) is taken; anything else goes on as usual."""
    pending = _pending(turn)
    text = (turn.inbound.text or "").strip()
    button = turn.inbound.button
    if button is not None and (callbacks.split(button) or ("",))[0] == PICK:
        return False  # a pressed reading: the button handler takes it
    if pending is None or button is not None or not text or text.startswith("/"):
        _drop(turn)
        return False
    labels = [str(label) for label in pending["labels"]]
    number = whole_number(text)
    folded = [label.casefold() for label in labels]
    if text.casefold() in folded:  # a label first: "5" at "Did you mean 4 or 5?" is 5
        index = folded.index(text.casefold())
    elif number is not None and 1 <= number <= len(labels) + 1:
        index = number - 1
    else:
        _drop(turn)
        return False
    turn.line("user", text)
    _choose(turn, pending, index)
    return True


@router.button(PICK, arity=2)
def pressed(turn: Turn, pressed: Callback) -> None:
    """A pressed reading (session, index); the last index is "Something else"."""
    session_id, index = (int(arg) for arg in pressed.args)
    pending = _pending(turn)
    if pending is None or turn.row is None or turn.row.id != session_id:
        turn.notice = turn.content.say("stale_button", "text")
        turn.pressed = "stale"
        turn.info("stale_button")
        turn.reshow()
        return
    if not 0 <= index <= len(pending["labels"]):
        turn.info("forged_button")
        return
    turn.pressed = "accepted"
    labels = [*pending["labels"], turn.content.say("confirm_something_else", "text")]
    turn.line("user", str(labels[index]))
    _choose(turn, pending, index)


def _choose(turn: Turn, pending: dict[str, Any], index: int) -> None:
    _drop(turn)
    assert turn.conv is not None
    if index >= len(pending["values"]):  # "Something else"
        turn.info("confirm_retry", hint=turn.hint())
        turn.ask()
        return
    value, shown = pending["values"][index], str(pending["shown"][index])
    step = turn.content.dialogue.take(turn.conv, value, shown, str(pending.get("words", "")))
    turn.after_step(step.accepted, step.question, step.shown, step.reason)
