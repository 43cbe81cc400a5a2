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
