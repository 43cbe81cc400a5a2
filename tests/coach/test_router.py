"""Features register commands, buttons and hooks on routers; the composition root merges them.

These tests build small routers of their own (a made-up feature) and push real messages through
the real coach service, so what they check is what a person would meet.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.coach import callbacks
from bot.coach.callbacks import Callback
from bot.coach.router import DuplicateRouteError, Router
from bot.coach.service import CoachService
from bot.coach.turn import Turn
from bot.engine.content import Content
from bot.wiring import routes
from storage.uow import Database
from tests.conftest import Chat, Clock


def test_every_shipped_command_and_button_has_exactly_one_owner() -> None:
    merged = routes()
    assert {"/start", "/help", "/privacy", "/reminders", "/debrief", "/cohort", "/review"} <= set(
        merged.commands
    )
    assert set(merged.buttons) == {
        "a",
        "u",
        "r",
        "f",
        "m",
        "d",
        "cj",
        "cs",
        "cl",
        "cu",
        "cv",
        "rs",
        "rh",
    }


def test_a_command_claimed_twice_stops_start_up_naming_both_features() -> None:
    first: Router[Turn] = Router("reminders")
    second: Router[Turn] = Router("rehearsal")
    first.command("/stop")(lambda turn, args: None)
    second.command("/stop")(lambda turn, args: None)
    with pytest.raises(DuplicateRouteError, match=r"'/stop'.*reminders.*rehearsal"):
        Router.merge(first, second)


def test_a_button_action_claimed_twice_stops_start_up() -> None:
    first: Router[Turn] = Router("one")
    second: Router[Turn] = Router("two")
    first.button("x", arity=1)(lambda turn, pressed: None)
    second.button("x", arity=2)(lambda turn, pressed: None)
    with pytest.raises(DuplicateRouteError, match="button action 'x'"):
        Router.merge(first, second)


def test_the_same_command_twice_in_one_router_is_refused_at_registration() -> None:
    router: Router[Turn] = Router("one")
    router.command("/x")(lambda turn, args: None)
    with pytest.raises(DuplicateRouteError):
        router.command("/x")(lambda turn, args: None)


def test_commands_must_be_lowercase_slash_names() -> None:
    router: Router[Turn] = Router("one")
    with pytest.raises(ValueError, match="lowercase"):
        router.command("Stop")


def test_a_payload_reaches_its_button_only_with_the_declared_arguments() -> None:
    router: Router[Turn] = Router("one")
    router.button("x", arity=2)(lambda turn, pressed: None)
    router.button("w", arity=1, words=("yes", "no"))(lambda turn, pressed: None)
    assert router.parse_button("v1:x:1:2") is not None
    for forged in ("v1:x:1", "v1:x:1:2:3", "v1:x:²:1", "v1:x:-1:2", "v1:x:99999999999:1"):
        assert router.parse_button(forged) is None, forged
    assert router.parse_button("v1:y:1") is None  # nobody registered y
    assert router.parse_button("v1:w:yes") is not None
    assert router.parse_button("v1:w:maybe") is None
    assert router.parse_button("v2:x:1:2") is None
    assert router.parse_button("v1:x:" + "1" * 70 + ":1") is None


def test_button_payloads_refuse_what_a_client_could_not_send_back() -> None:
    assert callbacks.make("m", 1, 2) == "v1:m:1:2"
    for bad in (("m", -1), ("M", 1), ("m", "YES"), ("m", "a:b")):
        with pytest.raises(ValueError, match="bad"):
            callbacks.make(*bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="64 bytes"):
        callbacks.make("m", *range(10**6, 10**6 + 9))


# ---- a made-up feature plugged into the real service ------------------------------------------
def shouting_feature(seen: list[str]) -> Router[Turn]:
    router: Router[Turn] = Router("shouting")

    @router.command("/shout")
    def shout(turn: Turn, args: str) -> None:
        turn.send(args.upper() or "?")
        turn.user.pending_action = "shout:1"

    @router.command("/whisper", private=True)
    def whisper(turn: Turn, args: str) -> None:
        turn.outgoing.append({"text": "shh", "kind": "info", "format": turn.fmt})

    @router.pending("shout")
    def echo_once(turn: Turn) -> bool:
        seen.append(turn.inbound.text or "")
        turn.user.pending_action = None
        turn.send("echo: " + (turn.inbound.text or ""))
        return True

    @router.button("sh", arity=1)
    def pressed(turn: Turn, pressed: Callback) -> None:
        turn.pressed = "accepted"
        turn.send(f"pressed {pressed.args[0]}")

    @router.help_section
    def help_(turn: Turn) -> None:
        turn.send("/shout shouts")

    @router.on_session_opened
    def opened(turn: Turn) -> None:
        seen.append("opened")

    @router.on_answer_saved
    def saved(turn: Turn, question: str, value: object) -> None:
        seen.append(f"saved {question}")

    return router


@pytest.fixture
def seen() -> list[str]:
    return []


@pytest.fixture
def loud(sessions: Database, content: Content, clock: Clock, seen: list[str]) -> Iterator[Chat]:
    merged = Router.merge(routes(), shouting_feature(seen))
    service = CoachService(sessions, content, merged, clock)
    yield Chat(service)
    service.close()


def test_a_feature_adds_a_command_without_touching_the_core(loud: Chat) -> None:
    loud.says("/shout hello")
    assert loud.text() == "HELLO"


def test_help_lists_the_features_sections_after_the_core_in_merge_order(loud: Chat) -> None:
    loud.says("/help")
    texts = [m.text for m in loud.last]
    assert texts[0].startswith("I coach you through a negotiation")
    assert texts[-1] == "/shout shouts"


def test_hooks_hear_of_new_sessions_and_saved_answers(loud: Chat, seen: list[str]) -> None:
    loud.says("/start")
    loud.says("1")
    assert seen[0] == "opened"
    assert seen[1].startswith("saved ")


def test_a_pending_action_takes_the_next_message_and_only_that_one(
    loud: Chat, seen: list[str]
) -> None:
    loud.says("/start")
    loud.says("/shout hi")
    loud.says("just a line")
    assert loud.text() == "echo: just a line"
    loud.says("1")  # an ordinary answer again: the feature is not asked
    assert seen == ["opened", "just a line", "saved consent"]


def test_a_private_command_stays_out_of_the_transcript(loud: Chat) -> None:
    loud.says("/start")
    loud.says("/whisper SECRET")
    loud.says("/shout LOUD")
    [summary] = loud.service.list_sessions("console", "ana")
    export = loud.service.export(summary.id)
    assert export is not None
    said = " ".join(line["text"] for line in export["transcript"])
    assert "/shout LOUD" in said
    assert "SECRET" not in said


def test_a_features_button_is_routed_to_it(loud: Chat) -> None:
    reply = loud.send(button=callbacks.make("sh", 7))
    assert reply.pressed == "accepted"
    assert loud.text() == "pressed 7"


def test_an_unregistered_button_is_answered_as_forged(loud: Chat) -> None:
    reply = loud.send(button="v1:zz:1")
    assert reply.pressed == "refused"
    assert "I couldn't read that button" in loud.text()
