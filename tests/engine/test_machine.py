"""The dialogue engine on a small script: branches, /back, kinds, levels and gaps."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.engine.content import Content, load_phrases
from bot.engine.lessons import load_lessons
from bot.engine.machine import Conversation
from bot.engine.render import Renderer
from bot.engine.script import END, load_script

SCRIPTS = Path(__file__).parent / "scripts"
DIALOGUES = Path(__file__).resolve().parents[2] / "dialogues"
TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def mini() -> Content:
    return Content(
        load_script(SCRIPTS / "mini.yaml"),
        load_lessons(DIALOGUES / "lessons.yaml"),
        Renderer(DIALOGUES / "templates"),
        load_phrases(DIALOGUES),
    )


def run(content: Content, *answers: str) -> Conversation:
    conv = content.dialogue.start()
    for text in answers:
        step = content.dialogue.answer(conv, text, TODAY)
        assert step.accepted, f"{step.question}: {step.reason}"
    return conv


def levels(content: Content, conv: Conversation) -> dict[str, str]:
    return {f.lesson.id: f.level for f in content.findings(conv)}


def test_branch_skips_forum_question_for_two_parties(mini: Content) -> None:
    conv = run(mini, "rent", "Two")
    assert conv.state == "stake"
    assert conv.path == ["topic", "parties"]


def test_branch_asks_forum_question_for_many_parties(mini: Content) -> None:
    conv = run(mini, "union deal", "2")
    assert conv.state == "forum"


def test_finishing_reaches_done_and_fires_rules_with_exact_answers(mini: Content) -> None:
    conv = run(mini, "union deal", "Three or more", "1", "5", "2026-12-03")
    assert conv.state == END
    findings = {f.lesson.id: f for f in mini.findings(conv)}
    assert findings["forum"].level == "watch"
    assert findings["forum"].rules[0].evidence[0].answer == "In the group"
    assert findings["power"].level == "risk"  # weight 2
    assert findings["time"].level == "clear"


def test_top_risks_come_first(mini: Content) -> None:
    conv = run(mini, "union deal", "Three or more", "1", "5", "2026-12-03")
    assert [f.level for f in mini.findings(conv)][:2] == ["risk", "watch"]


def test_i_dont_know_is_a_gap_not_a_wrong_assumption(mini: Content) -> None:
    conv = run(mini, "union deal", "Three or more", "I don't know", "6", "2026-12-03")
    assert levels(mini, conv)["forum"] == "gap"
    assert levels(mini, conv)["power"] == "gap"


def test_back_returns_to_previous_question_and_keeps_the_answer(mini: Content) -> None:
    conv = run(mini, "rent", "Two")
    assert mini.dialogue.back(conv)
    assert conv.state == "parties"
    assert conv.shown["parties"] == "Two"
    step = mini.dialogue.answer(conv, "Three or more", TODAY)
    assert step.accepted
    assert conv.state == "forum"
    assert conv.shown["parties"] == "Three or more"


def test_back_at_first_question_does_nothing(mini: Content) -> None:
    conv = mini.dialogue.start()
    assert not mini.dialogue.back(conv)
    assert conv.state == "topic"


def test_abandoned_branch_answers_do_not_count(mini: Content) -> None:
    conv = run(mini, "union deal", "Three or more", "In the group", "1", "2026-12-03")
    assert levels(mini, conv)["forum"] == "watch"
    for _ in range(4):
        assert mini.dialogue.back(conv)
    assert conv.state == "parties"
    for text in ("Two", "1", "2026-12-03"):
        assert mini.dialogue.answer(conv, text, TODAY).accepted
    assert conv.state == END
    assert levels(mini, conv)["forum"] == "clear"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("", "didn't catch"),
        ("   \n\t ", "didn't catch"),
        ("7", "no option 7"),
        ("0", "no option 0"),
        ("maybe", "didn't recognise"),
    ],
)
def test_bad_choice_answers_are_reasked_with_a_reason(
    mini: Content, answer: str, reason: str
) -> None:
    conv = run(mini, "rent")
    step = mini.dialogue.answer(conv, answer, TODAY)
    assert not step.accepted
    assert reason in step.reason
    assert "1 to 2" in step.reason
    assert conv.state == "parties"


def test_choice_by_label_is_case_insensitive(mini: Content) -> None:
    conv = run(mini, "rent", "three OR more")
    assert conv.shown["parties"] == "Three or more"


@pytest.mark.parametrize("answer", ["0", "9", "3.5", "banana"])
def test_scale_out_of_range_is_reasked(mini: Content, answer: str) -> None:
    conv = run(mini, "rent", "Two")
    step = mini.dialogue.answer(conv, answer, TODAY)
    assert not step.accepted
    assert "1 to 5" in step.reason


def test_text_over_the_limit_is_reasked_with_the_count(mini: Content) -> None:
    conv = mini.dialogue.start()
    step = mini.dialogue.answer(conv, "x" * 5000, TODAY)
    assert not step.accepted
    assert "5,000 characters" in step.reason
    assert conv.state == "topic"


def test_control_characters_are_removed_but_emoji_and_rtl_kept(mini: Content) -> None:
    conv = run(mini, "ra\x00is\x07e 💼 לשכר עלייה")
    assert conv.shown["topic"] == "raise 💼 לשכר עלייה"


def test_template_syntax_in_an_answer_is_shown_literally(mini: Content) -> None:
    conv = run(mini, "{{ 7*7 }} <script>alert(1)</script>")
    text = mini.prompt("parties", "text", conv).text
    html = mini.prompt("parties", "html", conv).text
    assert "{{ 7*7 }} <script>alert(1)</script>" in text
    assert "49" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html


@pytest.mark.parametrize(
    ("answer", "stored"),
    [
        ("2026-12-03", "2026-12-03"),
        ("3 Dec 2026", "2026-12-03"),
        ("December 3, 2026", "2026-12-03"),
    ],
)
def test_dates_are_read_in_common_forms(mini: Content, answer: str, stored: str) -> None:
    conv = run(mini, "rent", "Two", "3", answer)
    assert conv.values["when"] == stored


def test_past_date_is_refused_when_future_only(mini: Content) -> None:
    conv = run(mini, "rent", "Two", "3")
    step = mini.dialogue.answer(conv, "2020-01-01", TODAY)
    assert not step.accepted
    assert "already passed" in step.reason


def test_skip_only_works_on_optional_questions(mini: Content) -> None:
    conv = run(mini, "rent")
    assert not mini.dialogue.skip(conv).accepted
    conv = run(mini, "rent", "Two", "3")
    step = mini.dialogue.skip(conv)
    assert step.accepted
    assert conv.state == END
    assert conv.values["when"] is None


def test_pressed_button_must_be_an_offered_option(mini: Content) -> None:
    conv = run(mini, "rent")
    assert not mini.dialogue.answer(conv, None, TODAY, button="bogus").accepted
    assert mini.dialogue.answer(conv, None, TODAY, button="many").accepted


def test_resume_moves_to_nearest_known_question_when_state_vanished(mini: Content) -> None:
    state, path, moved = mini.dialogue.resume_state("deleted_q", ["topic", "parties"])
    assert moved
    assert state == "parties"
    assert path == ["topic"]
    assert mini.dialogue.resume_state("stake", ["topic"]) == ("stake", ["topic"], False)


def test_curly_apostrophe_i_dont_know_counts_as_a_gap(mini: Content) -> None:
    conv = run(mini, "union deal", "Three or more", "I don’t know")
    assert conv.values["forum"] == "unknown"


def test_progress_names_recurring_new_overcome_and_clear_lessons() -> None:
    from bot.engine.lessons import progress

    history = [
        {"power": "risk", "time": "watch", "forum": "clear", "package": "clear", "mediator": "gap"},
        {"power": "watch", "time": "clear", "forum": "risk", "package": "clear", "mediator": "gap"},
    ]
    assert progress(history) == {
        "power": "recurring",
        "time": "overcome",
        "forum": "new",
        "package": "clear",
        "mediator": "gap",
    }
    assert progress([]) == {}
