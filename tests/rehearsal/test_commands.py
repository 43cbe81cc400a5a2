"""/rehearse through the coach service on real databases: the flow, its limits, bad input."""

from __future__ import annotations

from datetime import date

from bot.coach import callbacks
from bot.coach.service import CoachService
from tests import persona as persona_file
from tests.conftest import Chat

LEASE = persona_file.answers("lease_single_issue", date(2026, 11, 25))  # the conftest clock's day
GOOD = "I hear you. We have other options too. What would make you keep the rent?"


def prepared(chat: Chat) -> int:
    chat.says("/new")
    for answer in LEASE:
        chat.says(answer)
    assert "Want to practise? I'll play Mr. Okafor" in chat.text()
    return max(s.id for s in chat.service.list_sessions(chat.channel, chat.user))


def rehearsal_of(service: CoachService, prep_id: int) -> dict:  # type: ignore[type-arg]
    data = service.export(prep_id)
    assert data is not None
    (found,) = data["rehearsal"]
    assert isinstance(found, dict)
    return found


def test_the_button_under_the_report_starts_it_and_next_walks_to_the_summary(
    chat: Chat, service: CoachService
) -> None:
    prep_id = prepared(chat)
    chat.presses("Rehearse the hard moments")
    assert "4 moments, hardest first" in chat.text()
    for position in range(1, 5):
        assert f"Moment {position} of 4" in chat.text()
        chat.says(GOOD)
        assert "Why:" in chat.text()
        chat.presses("Finish" if position == 4 else "Next")
    summary = chat.text()
    assert "Rehearsal done" in summary and "Your best reply: “I hear you." in summary
    assert "To remember:" in summary
    found = rehearsal_of(service, prep_id)
    assert found["status"] == "done"
    assert [m["lesson"] for m in found["moments"]] == ["power", "package", "mediator", "opening"]


def test_a_moment_takes_three_replies_at_most(chat: Chat, service: CoachService) -> None:
    prep_id = prepared(chat)
    chat.says("/rehearse")
    chat.says("ok fine")
    chat.presses("Try again")
    chat.says("fine, whatever you say")
    chat.presses("Try again")
    chat.says(GOOD)
    assert [label for label, _data in chat.last[-1].options] == ["Next", "Stop"]
    chat.says("And one more try")
    assert "That was your last try for this moment" in chat.text()
    replies = rehearsal_of(service, prep_id)["moments"][0]["replies"]
    assert [r["attempt"] for r in replies] == [1, 2, 3]


def test_a_sticker_or_an_overlong_reply_is_answered_and_nothing_is_lost(
    chat: Chat, service: CoachService
) -> None:
    prep_id = prepared(chat)
    chat.says("/rehearse")
    chat.sends("a sticker")
    assert "I can't read a sticker in a rehearsal, only text. Answer Mr. Okafor" in chat.text()
    chat.says("x" * 1001)
    assert "more than 1000 characters" in chat.text()
    chat.says(GOOD)
    replies = rehearsal_of(service, prep_id)["moments"][0]["replies"]
    assert [r["text"] for r in replies] == [GOOD]


def test_another_command_pauses_and_rehearse_continues_the_same_rehearsal(
    chat: Chat, service: CoachService
) -> None:
    prep_id = prepared(chat)
    chat.says("/rehearse")
    chat.says("/sessions")
    assert "Rehearsal paused. /rehearse continues it." in chat.text()
    chat.says("this is not a reply")
    assert "Why:" not in chat.text()
    chat.says("/rehearse")
    assert "Back to the rehearsal." in chat.text() and "Moment 1 of 4" in chat.text()
    chat.says(GOOD)
    assert rehearsal_of(service, prep_id)["moments"][0]["replies"][0]["text"] == GOOD


def test_rehearse_stop_and_wrong_states_get_a_clear_answer(chat: Chat) -> None:
    chat.says("/rehearse")
    assert "no finished preparation to rehearse" in chat.text()
    chat.says("/rehearse stop")
    assert "There's no rehearsal under way" in chat.text()
    chat.says("/new")
    chat.says("1")
    chat.says("/rehearse 1")
    assert "Preparation #1 isn't finished yet" in chat.text()
    chat.says("/rehearse 99999999999999")
    assert "I can't find a finished preparation" in chat.text()


def test_another_users_and_forged_rehearsal_buttons_change_nothing(
    chat: Chat, service: CoachService
) -> None:
    prep_id = prepared(chat)
    chat.says("/rehearse")
    chat.says("ok fine")
    found = rehearsal_of(service, prep_id)
    mallory = Chat(service, "mallory")
    mallory.says("/start")
    for data in (callbacks.make("rh", found["id"], 0, 3), callbacks.make("rs", prep_id)):
        mallory.send(button=data)
        assert "isn't yours" in mallory.text() or "button" in mallory.text()
    mallory.send(button="v1:rh:1:0:7")
    assert "couldn't read that button" in mallory.text()
    mallory.says("/rehearse 1")
    assert "I can't find a finished preparation #1 of yours" in mallory.text()
    assert rehearsal_of(service, prep_id)["status"] == "active"
