"""The shipped coaching content (dialogues/coach.yaml and lessons.yaml) keeps its promises.

These tests read the real content files, not fixtures: the number of questions, the rules behind
every lesson, branches that skip what does not apply, scales explained in words, prompts that are
plain text, and rules that only judge free text through the documented cues.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date, timedelta

import pytest

from bot.engine.conditions import UNKNOWN, Condition
from bot.engine.content import Content, load_content
from bot.engine.lessons import LESSON_IDS
from bot.engine.machine import Conversation
from bot.engine.script import END, Question

TODAY = date(2026, 11, 25)
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content()


def leaves(condition: Condition) -> Iterator[Condition]:
    """Every single-answer test inside a condition."""
    children = (*(condition.all_ or ()), *(condition.any_ or ()))
    if condition.not_ is not None:
        children = (*children, condition.not_)
    if not children:
        yield condition
    for child in children:
        yield from leaves(child)


def typical_answer(question: Question) -> str:
    if question.kind == "choice":
        return question.options[0].label
    if question.kind == "scale":
        return "3"
    if question.kind == "date":
        return (TODAY + timedelta(days=15)).isoformat()
    return "price, timing"


def walk(content: Content, choose: Mapping[str, str]) -> list[str]:
    """Answer every question (with `choose` overriding choices by question id) until done."""
    conversation: Conversation = content.dialogue.start()
    visited: list[str] = []
    while conversation.state != END:
        assert len(visited) < 60, f"the dialogue does not end: {visited[-10:]}"
        question = content.script.question(conversation.state)
        text = choose.get(question.id, typical_answer(question))
        step = content.dialogue.answer(conversation, text, today=TODAY)
        assert step.accepted, f"{question.id}: {text!r} refused: {step.reason}"
        visited.append(question.id)
    return visited


def test_shipped_content_loads_with_twenty_to_thirty_six_questions(content: Content) -> None:
    # about 30 on any one path: privacy, the deadline reveal, side talks and the mediator's
    # role are asked only where they apply
    assert content.script.id == "coach"
    assert 20 <= len(content.script.questions) <= 36
    assert content.script.start == "consent"


def test_session_is_named_from_the_first_free_text_question(content: Content) -> None:
    first_text = next(q for q in content.script.questions if q.kind == "text")
    assert content.script.title_from == first_text.id == "topic"


@pytest.mark.parametrize("lesson", LESSON_IDS)
def test_every_lesson_has_rules_and_questions(content: Content, lesson: str) -> None:
    rules = [r for r in content.script.rules if r.lesson == lesson]
    questions = [q for q in content.script.questions if q.lesson == lesson]
    assert len(rules) >= 2, f"{lesson}: only {len(rules)} rule(s)"
    assert len(questions) >= 3, f"{lesson}: only {len(questions)} question(s) tagged"


def test_rule_ids_start_with_their_lesson_and_are_kebab_case(content: Content) -> None:
    ids = [r.id for r in content.script.rules]
    assert len(ids) == len(set(ids))
    for rule in content.script.rules:
        assert re.fullmatch(rf"{rule.lesson}\.[a-z]+(-[a-z]+)*", rule.id), rule.id


def test_rules_quote_the_answers_they_read_or_the_persons_own_words(content: Content) -> None:
    for rule in (*content.script.rules, *content.script.strengths):
        assert rule.evidence, f"{rule.id}: name the answers to quote back"
        for question in set(rule.evidence) - rule.when.questions():
            assert content.script.question(question).kind == "text", (rule.id, question)
    for rule in content.script.rules:
        assert rule.explain.strip() and rule.advice.strip(), rule.id


def test_free_text_fires_rules_only_through_documented_cues(content: Content) -> None:
    for rule in content.script.rules:
        for leaf in leaves(rule.when):
            assert leaf.answer is not None
            question = content.script.question(leaf.answer)
            if question.kind == "text" and leaf.unknown is None:
                assert leaf.cue is not None, f"{rule.id} judges free text without a cue"
                if question.allow_unknown:
                    # no_idea would fire on "I don't know", which must stay a gap
                    assert leaf.cue != "no_idea", rule.id
            elif question.kind != "text":
                assert leaf.cue is None, f"{rule.id}: cues are for free text only"


def test_no_rule_fires_when_every_answer_it_reads_is_unknown(content: Content) -> None:
    for rule in content.script.rules:
        values = dict.fromkeys(rule.when.questions(), UNKNOWN)
        assert not rule.when.holds(values), f"{rule.id} fires on 'I don't know'"


def test_with_no_third_party_the_mediator_role_question_is_unreachable(content: Content) -> None:
    for parties in ("Two: me and them", "Three or more"):
        visited = walk(content, {"third_party": "No, just us", "parties": parties})
        assert "mediator_expect" not in visited
        assert visited[-2:] == ["mediator_direct", "opening_lines"]


@pytest.mark.parametrize(
    "third_party", ["A neutral mediator", "Someone close to their side", "My own agent or lawyer"]
)
def test_with_a_third_party_their_role_is_asked(content: Content, third_party: str) -> None:
    visited = walk(content, {"third_party": third_party})
    assert visited[-3:] == ["mediator_expect", "mediator_direct", "opening_lines"]


def test_forum_questions_adapt_to_the_number_of_parties(content: Content) -> None:
    two = walk(content, {"parties": "Two: me and them"})
    many = walk(content, {"parties": "Three or more"})
    assert "forum_side_channel" not in two
    assert "forum_side_channel" in many


def test_deadline_reveal_is_skipped_without_a_deadline(content: Content) -> None:
    assert "time_reveal" not in walk(content, {"deadline": "No real deadline"})
    assert "time_reveal" not in walk(content, {"deadline": "I don't know"})
    assert "time_reveal" in walk(content, {"deadline": "Soft, it could move"})


def test_tell_me_more_shows_one_privacy_question_then_rejoins_the_flow(content: Content) -> None:
    visited = walk(content, {"consent": "Tell me more", "privacy_more": "OK, let's start"})
    assert visited[:3] == ["consent", "privacy_more", "topic"]
    consent = content.script.question("consent").prompt
    assert "/export" in consent and "/forget" in consent and "instructor" in consent


def test_scale_prompts_explain_both_ends_in_words(content: Content) -> None:
    sample = Conversation(state=content.script.start)
    for question in content.script.questions:
        if question.kind != "scale":
            continue
        assert question.low and question.high, f"{question.id}: low/high labels missing"
        text = content.prompt(question.id, "text", sample).text
        assert f"1 = {question.low}" in text, question.id
        assert f"5 = {question.high}" in text, question.id


def test_prompts_are_short_plain_text_without_html_or_markdown(content: Content) -> None:
    sample = Conversation(state=content.script.start)
    sample.shown = {q.id: "Sam" for q in content.script.questions}
    for question in content.script.questions:
        text = content.prompt(question.id, "text", sample).text
        html = content.prompt(question.id, "html", sample).text
        assert text == html, f"{question.id}: the prompt has characters HTML would change"
        assert not re.search(r"[<>&*`_#\[\]]", text), f"{question.id}: HTML or Markdown in prompt"
        assert len(text) <= 400, f"{question.id}: {len(text)} characters is too long"


def test_ids_and_option_values_are_lower_snake_case(content: Content) -> None:
    for question in content.script.questions:
        assert SNAKE.match(question.id), question.id
        for option in question.options:
            assert SNAKE.match(option.value), f"{question.id}: {option.value}"
            assert len(option.label) <= 40


def test_text_questions_bound_their_length(content: Content) -> None:
    for question in content.script.questions:
        if question.kind == "text":
            assert 1 <= question.min_length <= 2, question.id
            assert 300 <= question.max_length <= 1000, question.id


def test_the_negotiation_date_is_optional_future_and_may_be_unknown(content: Content) -> None:
    dates = [q for q in content.script.questions if q.kind == "date"]
    assert [q.id for q in dates] == ["negotiation_date"]
    assert dates[0].optional and dates[0].future_only and dates[0].allow_unknown


def test_lessons_cite_the_article_and_close_with_kennedy(content: Content) -> None:
    book = content.book
    assert "San Francisco Chronicle" in book.source and "2006" in book.source
    assert book.quote.author == "John F. Kennedy"
    assert (
        book.quote.text == "Let us never negotiate out of fear. But let us never fear to negotiate."
    )
    assert [lesson.id for lesson in book.lessons] == list(LESSON_IDS)
    for lesson in book.lessons:
        fields = ("title", "assumption", "summary", "advice", "action", "gap_action", "research")
        for name in fields:
            assert getattr(lesson, name).strip(), f"{lesson.id}.{name} is empty"
        assert lesson.assumption.startswith("“") and lesson.assumption.endswith("”")
