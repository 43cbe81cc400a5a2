"""Router: what a feature adds to a turn, registered instead of inherited.

Each feature package owns one `Router` and registers on it, at import, what it handles:

- commands (`@router.command("/snooze")`), marked `private` when what they show must stay out
  of the speaker's own coaching transcript;
- buttons by action (`@router.button("m", arity=2)`): a pressed payload reaches the handler
  only with the declared number of arguments, all ids in range (or one of its `words`);
- pending actions (`@router.pending("feedback")`): the user's next message, while
  `user.pending_action` starts with that key, goes to this handler first. Only then: a
  student's ordinary message never enters a feature that is not waiting for it;
- `/start` links (`@router.start_link("join-")`), `/help` and `/privacy` sections, and hooks
  (`session_opened`, `answer_saved`, `session_completed`);
- send-time hooks (`@router.on_send`): what a stored message becomes when it is sent, for text
  that must not be kept at rest (a sign-in link is derived then from a reference).

`Router.merge(a, b, c)` in the composition root builds the one table a turn routes by. A
command, button action, pending key or start link claimed twice raises `DuplicateRouteError`
there, at start-up, naming both owners; help and privacy sections run in merge order.
Handlers are plain typed functions taking the `Turn`, so an IDE follows a command to its code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from bot.coach import callbacks
from bot.coach.callbacks import Callback
from bot.coach.ids import MAX_ROW_ID
from bot.engine.lessons import Finding
from bot.errors import ParleyError

TurnT = TypeVar("TurnT")
"""The turn type handlers take (`bot.coach.turn.Turn`); a parameter, so this module does not
import the turn that imports it."""
CommandHandler = Callable[[TurnT, str], None]
ButtonHandler = Callable[[TurnT, Callback], None]
PendingHandler = Callable[[TurnT], bool]
"""Returns True when it took the message (nothing else sees it)."""
TurnHook = Callable[[TurnT], None]
AnswerHook = Callable[[TurnT, str, Any], None]
CompletedHook = Callable[[TurnT, list[Finding]], None]
SendHook = Callable[[Mapping[type, object], dict[str, Any]], dict[str, Any]]
"""Given the features' settings and a stored outgoing payload, the payload to send now."""
F = TypeVar("F", bound=Callable[..., Any])


class DuplicateRouteError(ParleyError):
    """Two features claim the same command, button action, pending key or start link."""


@dataclass(frozen=True)
class Command(Generic[TurnT]):
    name: str
    handler: CommandHandler[TurnT]
    private: bool
    owner: str


@dataclass(frozen=True)
class Button(Generic[TurnT]):
    action: str
    arity: int
    handler: ButtonHandler[TurnT]
    owner: str
    words: frozenset[str] = frozenset()
    """For a button whose one argument is a word (`f:yes`), the words it may carry."""


@dataclass(frozen=True)
class Registered:
    """Something keyed by a string (a pending action, a /start link) and who registered it."""

    key: str
    handler: Any
    owner: str


@dataclass
class Router(Generic[TurnT]):
    """One feature's registrations, or (after `merge`) everyone's."""

    name: str
    commands: dict[str, Command[TurnT]] = field(default_factory=dict)
    buttons: dict[str, Button[TurnT]] = field(default_factory=dict)
    pendings: dict[str, Registered] = field(default_factory=dict)
    start_links: dict[str, Registered] = field(default_factory=dict)
    help_sections: list[TurnHook[TurnT]] = field(default_factory=list)
    privacy_sections: list[TurnHook[TurnT]] = field(default_factory=list)
    session_opened: list[TurnHook[TurnT]] = field(default_factory=list)
    answer_saved: list[AnswerHook[TurnT]] = field(default_factory=list)
    session_completed: list[CompletedHook[TurnT]] = field(default_factory=list)
    send_hooks: list[SendHook] = field(default_factory=list)

    # ---- registering ---------------------------------------------------------------------------
    def command(self, name: str, *, private: bool = False) -> Callable[[F], F]:
        """Register `/name`. `private`: neither the command nor its answer is copied into the
        speaker's open session transcript (what an instructor sees of students, /forget)."""
        if not name.startswith("/") or name != name.lower():
            raise ValueError(f"a command is /lowercase: {name!r}")

        def register(handler: F) -> F:
            self._put(self.commands, name, Command(name, handler, private, self.name), "command")
            return handler

        return register

    def button(self, action: str, *, arity: int, words: tuple[str, ...] = ()) -> Callable[[F], F]:
        """Register the button action (`callbacks.make(action, *args)` with `arity` args)."""
        callbacks.make(action)  # the action must be a valid payload word

        def register(handler: F) -> F:
            button = Button(action, arity, handler, self.name, frozenset(words))
            self._put(self.buttons, action, button, "button action")
            return handler

        return register

    def pending(self, key: str) -> Callable[[F], F]:
        """Register the handler for messages while `user.pending_action` is `key` or
        `key:...`."""

        def register(handler: F) -> F:
            self._put(self.pendings, key, Registered(key, handler, self.name), "pending action")
            return handler

        return register

    def start_link(self, prefix: str) -> Callable[[F], F]:
        """Register `/start <prefix><rest>` (a deep link); the handler gets `rest`."""

        def register(handler: F) -> F:
            entry = Registered(prefix, handler, self.name)
            self._put(self.start_links, prefix, entry, "/start link")
            return handler

        return register

    def help_section(self, handler: TurnHook[TurnT]) -> TurnHook[TurnT]:
        """Add to /help after the core text (sections in merge order)."""
        self.help_sections.append(handler)
        return handler

    def privacy_section(self, handler: TurnHook[TurnT]) -> TurnHook[TurnT]:
        """Add to /privacy after the core text (sections in merge order)."""
        self.privacy_sections.append(handler)
        return handler

    def on_session_opened(self, handler: TurnHook[TurnT]) -> TurnHook[TurnT]:
        """A new session was just created and attached (`turn.row`)."""
        self.session_opened.append(handler)
        return handler

    def on_answer_saved(self, handler: AnswerHook[TurnT]) -> AnswerHook[TurnT]:
        """An answer (question id, value) was accepted and stored for `turn.row`."""
        self.answer_saved.append(handler)
        return handler

    def on_session_completed(self, handler: CompletedHook[TurnT]) -> CompletedHook[TurnT]:
        """`turn.row` reached its end; its findings are stored and the report is queued."""
        self.session_completed.append(handler)
        return handler

    def on_send(self, handler: SendHook) -> SendHook:
        """Every outgoing payload passes through this just before it is sent (each time it
        is sent); it returns the payload to send. The stored payload is not changed."""
        self.send_hooks.append(handler)
        return handler

    def _put(self, table: dict[str, Any], key: str, entry: Any, kind: str) -> None:
        if key in table:
            raise DuplicateRouteError(
                f"{kind} {key!r} is registered twice: by {table[key].owner} and by {entry.owner}"
            )
        table[key] = entry

    # ---- merging -------------------------------------------------------------------------------
    @classmethod
    def merge(cls, *routers: Router[TurnT]) -> Router[TurnT]:
        """One table for every feature, in the order given; duplicates refused."""
        merged: Router[TurnT] = cls("+".join(router.name for router in routers))
        for router in routers:
            for table, kind in (
                ("commands", "command"),
                ("buttons", "button action"),
                ("pendings", "pending action"),
                ("start_links", "/start link"),
            ):
                for key, entry in getattr(router, table).items():
                    merged._put(getattr(merged, table), key, entry, kind)
            merged.help_sections.extend(router.help_sections)
            merged.privacy_sections.extend(router.privacy_sections)
            merged.session_opened.extend(router.session_opened)
            merged.answer_saved.extend(router.answer_saved)
            merged.session_completed.extend(router.session_completed)
            merged.send_hooks.extend(router.send_hooks)
        return merged

    # ---- looking up ----------------------------------------------------------------------------
    def pending_for(self, pending_action: str) -> PendingHandler[TurnT] | None:
        entry = self.pendings.get(pending_action.partition(":")[0])
        return entry.handler if entry is not None else None

    def start_link_for(self, payload: str) -> tuple[CommandHandler[TurnT], str] | None:
        for prefix, entry in self.start_links.items():
            if payload.startswith(prefix):
                return entry.handler, payload.removeprefix(prefix)
        return None

    def parse_button(self, data: str) -> tuple[Button[TurnT], Callback] | None:
        """The registered button a payload names, with its checked arguments; None for
        anything we did not produce (unknown action, wrong count, ids out of range)."""
        split = callbacks.split(data)
        if split is None:
            return None
        action, args = split
        button = self.buttons.get(action)
        if button is None or len(args) != button.arity:
            return None
        if button.words:
            return (button, Callback(action, (args[0],))) if args[0] in button.words else None
        if not all(arg.isascii() and arg.isdigit() and len(arg) < 11 for arg in args):
            return None
        values = tuple(int(arg) for arg in args)
        if any(value > MAX_ROW_ID for value in values):
            return None
        return button, Callback(action, values)
