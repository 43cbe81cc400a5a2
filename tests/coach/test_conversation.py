"""The conversation as a person follows it: the question counter, what a typed number means
in a menu, the question shown again after a side command, the title after /back."""

from __future__ import annotations

import pytest

from bot.coach.service import CoachService
from tests import persona as persona_file
from tests.conftest import Chat


def started(chat: Chat) -> Chat:
    chat.says("/start")
    chat.presses("OK, let's start")
    return chat


@pytest.mark.parametrize("name", ["lease_single_issue", "parent_in_mediation", "one_issue_buyer"])
def test_the_counter_counts_the_questions_on_this_persons_path_without_skipping(
    chat: Chat, name: str
) -> None:
    chat.says("/start")
    seen = [chat.question().progress]
    for answer in persona_file.answers(name, chat.service.clock().date()):
        chat.says(answer)
        if "Your report" not in chat.text():
            seen.append(chat.question().progress)
    steps = [progress[0] for progress in seen if progress is not None]
    assert steps == list(range(1, len(steps) + 1))  # 1, 2, 3, ... never 1 → 3
    assert seen[-1] == (len(steps), len(steps))  # the last question knows the path's length
    for step, about in (p for p in seen if p is not None):
        assert step <= about <= len(steps) + 3  # "about" the path, never the whole file


def test_the_counter_says_about_and_the_report_not_ready_names_the_same_numbers(
    chat: Chat,
) -> None:
    started(chat)
    step, about = chat.question().progress or (0, 0)
    assert step == 2
    chat.says("/report")
    assert f"we're at question 2 of about {about}" in chat.text()
    assert "negotiating" in chat.question().text.lower()  # the open question comes back


def test_a_number_typed_in_the_resume_picker_picks_that_session(
    chat: Chat, service: CoachService
) -> None:
    started(chat)
    chat.says("A raise at Acme")
    chat.says("/new")
    chat.presses("OK, let's start")
    chat.says("A lease for the bakery")
    first, second = service.list_sessions("console", "ana")
    chat.says("/resume")
    assert "type its number" in chat.text()
    chat.says(str(first.id))
    assert "Welcome back" in chat.text() and "A raise at Acme" in chat.text()
    assert "kind" in chat.question().text.lower()  # the first session's open question
    assert service.list_sessions("console", "ana")[1].state == second.state == "kind"
    chat.says("/resume")
    chat.says(f"#{second.id}")
    assert "A lease for the bakery" in chat.text()


def test_words_at_the_forget_confirmation_are_asked_again_not_stored_as_an_answer(
    chat: Chat, service: CoachService
) -> None:
    started(chat)
    chat.says("/forget")
    chat.says("Renewing my lease")
    assert "I need a yes or a no" in chat.text()
    assert chat.button("No, keep my data")  # the confirmation again, with its buttons
    assert service.list_sessions("console", "ana")[0].state == "topic"
    chat.says("no")
    assert "Nothing was deleted" in chat.text()
    assert "negotiating" in chat.question().text.lower()  # the open question comes back
    chat.says("Renewing my lease")
    assert service.list_sessions("console", "ana")[0].title == "Renewing my lease"


def test_a_cancelled_forget_and_sessions_show_the_open_question_again(chat: Chat) -> None:
    started(chat)
    chat.says("/forget")
    chat.presses("No, keep my data")
    assert "negotiating" in chat.question().text.lower()
    chat.says("/sessions")
    assert "Your negotiations" in chat.text()
    assert "negotiating" in chat.question().text.lower()
    chat.says("/progress")
    assert "once you have completed a session" in chat.text()
    assert "negotiating" in chat.question().text.lower()


def test_the_title_follows_an_answer_changed_after_back(chat: Chat, service: CoachService) -> None:
    started(chat)
    chat.says("idk")
    chat.says("/back")
    chat.says("Renewing the lease of our bakery")
    assert service.list_sessions("console", "ana")[0].title == "Renewing the lease of our bakery"


def test_the_back_echo_ends_in_one_full_stop(chat: Chat) -> None:
    started(chat)
    chat.says("A raise at Acme.")
    chat.says("/back")
    assert "(You answered: A raise at Acme. Send a new answer" in chat.text()
    assert ".." not in chat.text()


def test_tell_me_more_explains_the_coaching_not_the_storage(chat: Chat) -> None:
    chat.says("/start")
    chat.presses("Tell me more")
    more = chat.question().text
    for lesson in ("Power is not size", "Time cuts both ways", "Talk where deals get made"):
        assert lesson in more
    assert "Five lessons" in more and "the report" in more and "clear, watch or risk" in more
    assert "stored" not in more


def test_the_counter_follows_back_and_the_loop_to_the_short_version(chat: Chat) -> None:
    chat.says("/start")
    _, about = chat.question().progress or (0, 0)
    chat.presses("Tell me more")
    assert chat.question().progress == (2, about + 1)  # one more question on this path
    chat.presses("Back to the short version")
    assert chat.question().progress == (3, about + 2)  # the consent again, counted once more
    chat.presses("OK, let's start")
    chat.says("A raise at Acme")
    step, _ = chat.question().progress or (0, 0)
    chat.says("/back")
    assert (chat.question().progress or (0,))[0] == step - 1
