"""Which old keyboard a reply leaves behind (the Telegram adapter then removes its buttons)."""

from __future__ import annotations

from bot.coach.messages import Outbound, Reply
from bot.telegram.keyboards import OpenKeyboards

QUESTION = Outbound(7, "42", "Who needs the deal more?", kind="question", question="power_need")
INFO = Outbound(8, "42", "Here is how this works")


def shown_power_need() -> OpenKeyboards:
    keyboards = OpenKeyboards()
    keyboards.shown("42", 100, "power_need")
    return keyboards


def test_a_typed_answer_that_moves_on_leaves_the_old_keyboard_to_retire() -> None:
    keyboards = shown_power_need()
    assert keyboards.obsolete("42", Reply([QUESTION], state="power_walkaway"), None) == 100
    assert keyboards.obsolete("42", Reply([], state="power_walkaway"), None) is None, "only once"


def test_the_last_answer_retires_the_keyboard_though_no_question_follows() -> None:
    keyboards = shown_power_need()
    assert keyboards.obsolete("42", Reply([INFO], state="done"), None) == 100


def test_help_or_a_rejected_answer_keeps_the_waiting_questions_buttons() -> None:
    keyboards = shown_power_need()
    assert keyboards.obsolete("42", Reply([INFO], state="power_need"), None) is None
    assert keyboards.obsolete("42", Reply([QUESTION], state="power_need"), None) == 100


def test_a_press_on_that_question_retires_it_itself_and_duplicates_change_nothing() -> None:
    keyboards = shown_power_need()
    assert keyboards.obsolete("42", Reply(duplicate=True), None) is None
    assert keyboards.obsolete("42", Reply([QUESTION], state="power_walkaway"), 100) is None
    assert len(keyboards) == 0


def test_another_chats_reply_never_touches_this_chats_keyboard() -> None:
    keyboards = shown_power_need()
    assert keyboards.obsolete("43", Reply([QUESTION], state="kind"), None) is None
    assert keyboards.obsolete("42", Reply([QUESTION], state="x"), None) == 100


def test_memory_is_bounded_by_forgetting_the_longest_quiet_chat() -> None:
    keyboards = OpenKeyboards(limit=2)
    keyboards.shown("1", 10, "a")
    keyboards.shown("2", 20, "a")
    keyboards.shown("1", 11, "b")  # chat 1 is recent again
    keyboards.shown("3", 30, "a")
    assert len(keyboards) == 2
    assert keyboards.obsolete("2", Reply([QUESTION], state="b"), None) is None
    assert keyboards.obsolete("1", Reply([QUESTION], state="c"), None) == 11
