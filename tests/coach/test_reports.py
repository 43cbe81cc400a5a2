"""The report speaks to the person: the lessons' advice names their own issues, alternative,
decision-maker and date, not "your issues" in general."""

from __future__ import annotations

from bot.coach.service import CoachService
from tests import persona as persona_file
from tests.conftest import Chat


def _report(chat: Chat, name: str) -> str:
    chat.says("/start")
    for answer in persona_file.answers(name, chat.service.clock().date()):
        chat.says(answer)
    assert "Your report" in chat.text()
    return chat.text()


def test_the_advice_names_the_persons_issues_alternative_and_counterpart(
    chat: Chat, service: CoachService
) -> None:
    report = _report(chat, "time_believer_weak_alternative")
    # power (risk): their own walk-away, quoted in the lesson's advice and this week's action
    assert "Strengthen your own walk-away option (“some weddings in the spring maybe" in report
    assert "(today it is “some weddings in the spring maybe, nothing firm”)" in report
    # time (risk): the counterpart by name, and the date they meet
    assert "what it costs Ines, then when you meet on" in report
    data = service.export(service.list_sessions("console", "ana")[0].id)
    assert data is not None
    lessons = {lesson["id"]: lesson for lesson in data["lessons"]}
    assert "start from yours (“price per head, the menu" in lessons["package"]["advice"]
    assert lessons["forum"]["action"] == "Ask for a one-to-one conversation with Ines."


def test_the_one_issue_buyer_is_told_to_start_from_his_own_list(chat: Chat) -> None:
    report = _report(chat, "one_issue_buyer")
    assert "start from yours (“Unit price, down 8%. Nothing else is on my list.”)" in report
    assert "and add Mr. Haas's" in report


def test_a_lesson_that_does_not_apply_says_so_in_the_report(chat: Chat) -> None:
    report = _report(chat, "one_issue_buyer")  # no one in the middle
    assert "[NOT APPLICABLE] A mediator is not your agent" in report
    assert "[CLEAR] A mediator is not your agent" not in report
