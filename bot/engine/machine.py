"""The dialogue manager: one shared transitions Machine per script.

Building a Machine per user costs memory and milliseconds (DESIGN.md), so each script gets one
Machine, built at start with `model=None`. A step attaches a short-lived `Conversation` (the
session row's state, answers and path), fires a trigger and detaches it in `finally`. Branch
conditions are the script's declarative `when:` clauses; nothing is `eval`-ed.

Triggers: `answer` (follow the first branch whose condition holds) and `back` (return along the
recorded path). The path matters: only answers on it count, so changing an early answer that
switches branches never leaves stale answers from the abandoned branch in the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from transitions import EventData, Machine, MachineError

from bot.engine.answers import Invalid, Parsed, Unsure, parse_answer, parse_button
from bot.engine.conditions import Condition
from bot.engine.phrases import Phrases
from bot.engine.script import END, Script


@dataclass
class Conversation:
    """The per-step model: everything the machine needs, loaded from and saved to one row."""

    state: str
    values: dict[str, Any] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)
    path: list[str] = field(default_factory=list)
    words: dict[str, str] = field(default_factory=dict)
    """What the person typed for each answer (also when it was read as an option)."""

    def answered_on_path(self) -> dict[str, Any]:
        """Answers to questions actually on the route taken (stale branches excluded)."""
        route = {*self.path, self.state}
        return {qid: value for qid, value in self.values.items() if qid in route}


@dataclass(frozen=True)
class Step:
    """What one input did: accepted (and where it led) or a re-ask with the reason."""

    accepted: bool
    question: str
    state: str
    shown: str = ""
    reason: str = ""
    unsure: Unsure | None = None
    """Readings to offer back before taking the answer ("Did you mean ...?")."""

    @property
    def finished(self) -> bool:
        return self.state == END


def _model(event: EventData) -> Conversation:
    model = event.model
    assert isinstance(model, Conversation)
    return model


def _holds(condition: Condition) -> Any:
    def check(event: EventData) -> bool:
        return condition.holds(_model(event).values)

    return check


def _came_from(source: str) -> Any:
    def check(event: EventData) -> bool:
        path = _model(event).path
        return bool(path) and path[-1] == source

    return check


def _push(event: EventData) -> None:
    assert event.transition is not None
    _model(event).path.append(event.transition.source)


def _pop(event: EventData) -> None:
    _model(event).path.pop()


class Dialogue:
    """A script plus its shared state machine; safe to share across sessions in one thread.
    `words` are the content's phrases for re-asks and refusals."""

    def __init__(self, script: Script, words: Phrases) -> None:
        self.script = script
        self.words = words
        transitions: list[dict[str, Any]] = []
        edges: set[tuple[str, str]] = set()
        for question in script.questions:
            branches = (
                [(None, question.next)]
                if isinstance(question.next, str)
                else [(b.when, b.goto) for b in question.next]
            )
            for when, target in branches:
                spec: dict[str, Any] = {
                    "trigger": "answer",
                    "source": question.id,
                    "dest": target,
                    "before": _push,
                }
                if when is not None:
                    spec["conditions"] = [_holds(when)]
                transitions.append(spec)
                edges.add((question.id, target))
        for source, target in sorted(edges):
            transitions.append(
                {
                    "trigger": "back",
                    "source": target,
                    "dest": source,
                    "conditions": [_came_from(source)],
                    "before": _pop,
                }
            )
        self.machine = Machine(
            model=None,
            states=[q.id for q in script.questions] + [END],
            transitions=transitions,
            initial=script.start,
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=False,
        )

    def start(self) -> Conversation:
        return Conversation(state=self.script.start)

    def _fire(self, conversation: Conversation, trigger: str) -> bool:
        """Fire `trigger` on the shared machine for this conversation.

        DESIGN.md describes add_model/remove_model around each step. Measured here, add_model
        binds a trigger and an `is_<state>` helper per state onto the model (about 80 for the
        coaching script), which cost ~1 ms a step and logged warnings when a model was reused.
        Firing the machine's Event directly runs the same transitions, conditions and callbacks
        on the same shared Machine without binding anything (see `make bench`).
        """
        try:
            return bool(self.machine.events[trigger].trigger(conversation))
        except MachineError:
            return False

    def answer(
        self,
        conversation: Conversation,
        text: str | None,
        today: date,
        button: str | None = None,
        order: str | None = None,
    ) -> Step:
        """Check an answer to the current question; if valid, store it and move on; if the
        reading is unsure, return the readings to offer (`Step.unsure`) and stay."""
        question_id = conversation.state
        if question_id == END:
            return Step(False, END, END, reason=self.words.say("step_session_complete"))
        question = self.script.question(question_id)
        if button is not None:
            parsed: Parsed = parse_button(question, button, self.words)
        else:
            parsed = parse_answer(question, text or "", today, self.words, order)
        if isinstance(parsed, Invalid):
            return Step(False, question_id, question_id, reason=parsed.reason)
        if isinstance(parsed, Unsure):
            return Step(False, question_id, question_id, unsure=parsed)
        return self._record(conversation, question_id, parsed.value, parsed.shown, parsed.words)

    def take(self, conversation: Conversation, value: Any, shown: str, words: str) -> Step:
        """Store a reading the person confirmed (one of `Step.unsure`'s) and move on."""
        if conversation.state == END:
            return Step(False, END, END, reason=self.words.say("step_session_complete"))
        return self._record(conversation, conversation.state, value, shown, words)

    def skip(self, conversation: Conversation) -> Step:
        """Skip an optional question; required ones say why they cannot be skipped."""
        question_id = conversation.state
        if question_id == END:
            return Step(False, END, END, reason=self.words.say("step_session_complete"))
        if not self.script.question(question_id).optional:
            reason = self.words.say("step_not_skippable")
            return Step(False, question_id, question_id, reason=reason)
        return self._record(conversation, question_id, None, self.words.skipped)

    def _record(
        self, conversation: Conversation, question_id: str, value: Any, shown: str, words: str = ""
    ) -> Step:
        conversation.values[question_id] = value
        conversation.shown[question_id] = shown
        if words:
            conversation.words[question_id] = words
        else:
            conversation.words.pop(question_id, None)
        if not self._fire(conversation, "answer"):  # validated scripts always have a default
            raise RuntimeError(f"no branch out of {question_id!r}")
        return Step(True, question_id, conversation.state, shown=shown)

    def back(self, conversation: Conversation) -> bool:
        """Return to the previous question on the path; its answer is kept until re-answered."""
        return bool(conversation.path) and self._fire(conversation, "back")

    def resume_state(self, state: str, path: list[str]) -> tuple[str, list[str], bool]:
        """Where a saved session continues: its state if the script still has it, otherwise the
        nearest earlier question on its path (True when it had to move)."""
        if state == END or self.script.has_question(state):
            return state, path, False
        kept = list(path)
        while kept:
            candidate = kept.pop()
            if self.script.has_question(candidate):
                return candidate, kept, True
        return self.script.start, [], True
