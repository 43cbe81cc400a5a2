"""Personas: realistic users typing their way through the shipped coaching dialogue.

Each file in tests/personas/ lists what one person types, in order, and the verdict Parley must
reach for each of the five lessons. The test drives the engine exactly as the terminal would
(one typed line per answer), so a change to the content that breaks a real conversation, or
changes a verdict, fails here with the persona's name and the question concerned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from bot.engine.answers import Unsure
from bot.engine.content import Content, load_content
from bot.engine.lessons import LESSON_IDS
from bot.engine.machine import Conversation
from bot.engine.render import short_name
from bot.engine.script import END
from tests import persona as persona_file

PERSONAS = persona_file.paths()
TODAY = date(2026, 11, 25)
LEVELS = {"clear", "watch", "risk", "gap"}


@dataclass
class Run:
    """One persona driven to the end: the conversation and what was typed at each question."""

    persona: dict[str, Any]
    conversation: Conversation
    typed: dict[str, str] = field(default_factory=dict)
    visited: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content()


def load_persona(path: Path) -> dict[str, Any]:
    persona = persona_file.load(path, TODAY)
    for key in ("name", "description", "answers", "expect"):
        assert persona.get(key), f"{path.name}: missing {key!r}"
    assert all(isinstance(a, str) for a in persona["answers"]), (
        f"{path.name}: every answer must be a string, as typed"
    )
    assert set(persona["expect"]) == set(LESSON_IDS), (
        f"{path.name}: expect must give all five lessons {LESSON_IDS}"
    )
    assert set(persona["expect"].values()) <= LEVELS, f"{path.name}: unknown level in expect"
    quotes = persona.get("expect_quotes") or []
    assert isinstance(quotes, list) and all(isinstance(q, str) and q for q in quotes), (
        f"{path.name}: expect_quotes is a list of the person's words"
    )
    return persona


def pick(unsure: Unsure, text: str) -> int | None:
    """The reading a persona picks after "Did you mean ...?": its number or its label, as the
    coach takes it (bot.coach.confirm); one past the last is "Something else"."""
    labels = [label.casefold() for label in unsure.labels]
    if text.strip().casefold() in labels:
        return labels.index(text.strip().casefold())
    if text.strip().isdigit() and 1 <= int(text) <= len(labels) + 1:
        return int(text) - 1
    return None


def drive(content: Content, path: Path) -> Run:
    """Type every answer in order; each must be accepted (or asked back, then picked) and the
    last must finish the dialogue."""
    persona = load_persona(path)
    run = Run(persona, content.dialogue.start())
    answers: list[str] = persona["answers"]
    unsure: Unsure | None = None
    for number, text in enumerate(answers, start=1):
        question = run.conversation.state
        assert question != END, (
            f"{persona['name']}: the dialogue ended after answer {number - 1}, "
            f"but {len(answers) - number + 1} answer(s) remain, starting with {text!r}"
        )
        if unsure is not None:
            index = pick(unsure, text)
            assert index is not None, f"{persona['name']}: {text!r} picks none of {unsure.labels}"
            if index == len(unsure.labels):  # "Something else": the question is asked again
                unsure = None
                continue
            value, label = unsure.candidates[index], unsure.labels[index]
            shown = label if content.script.question(question).kind == "choice" else str(value)
            step = content.dialogue.take(run.conversation, value, shown, unsure.words)
            unsure = None
        else:
            step = content.dialogue.answer(run.conversation, text, today=TODAY)
            run.typed[question] = text
            if step.unsure is not None:
                unsure = step.unsure
                continue
        assert step.accepted, (
            f"{persona['name']}: answer {number} {text!r} to question {question!r} was refused: "
            f"{step.reason}"
        )
        run.visited.append(question)
    assert run.conversation.state == END, (
        f"{persona['name']}: answers ran out at question {run.conversation.state!r} "
        "before the dialogue was done"
    )
    return run


@pytest.fixture(scope="module")
def runs(content: Content) -> dict[str, Run]:
    return {path.stem: drive(content, path) for path in PERSONAS}


def test_there_are_enough_personas_to_cover_the_brief() -> None:
    assert len(PERSONAS) >= 17


def report_text(content: Content, run: Run) -> str:
    return content.renderer.file(
        "report.txt.j2",
        "text",
        title="t",
        situation=[],
        findings=content.findings(run.conversation),
        quote=content.book.quote,
        session_id=1,
    )


@pytest.mark.parametrize("path", PERSONAS, ids=[p.stem for p in PERSONAS])
def test_the_report_quotes_the_persons_telling_words(content: Content, path: Path) -> None:
    run = drive(content, path)
    report = report_text(content, run)
    for words in run.persona.get("expect_quotes") or []:
        assert f"“{words}" in report or f"{words}”" in report, (
            f"{run.persona['name']}: the report does not quote {words!r}:\n{report}"
        )


@pytest.mark.parametrize("path", PERSONAS, ids=[p.stem for p in PERSONAS])
def test_each_answer_is_quoted_once_and_never_as_a_bare_label(content: Content, path: Path) -> None:
    run = drive(content, path)
    findings = content.findings(run.conversation)
    quotes = [r.quote for f in findings for r in f.rules if r.quote is not None]
    quotes += [f.strength.quote for f in findings if f.strength is not None]
    questions = [q.question for q in quotes]
    assert len(questions) == len(set(questions)), f"{run.persona['name']}: {questions}"
    for quote in quotes:
        kind = content.script.question(quote.question).kind
        assert quote.said, f"{run.persona['name']}: {quote.question} quoted without words"
        if kind == "scale":
            assert quote.said.endswith(" of 5") and len(quote.said) > 20, quote.said
        elif kind == "choice":
            short = content.script.question(quote.question).short
            assert short and short in quote.said, quote.said
    flagged = [f for f in findings if f.level in ("risk", "watch")]
    assert all(r.quote is not None for f in flagged for r in f.rules[:1]), (
        f"{run.persona['name']}: a flagged lesson opens without quoting the person"
    )


@pytest.mark.parametrize("path", PERSONAS, ids=[p.stem for p in PERSONAS])
def test_prompts_name_the_other_side_briefly_never_by_their_whole_answer(
    content: Content, path: Path
) -> None:
    run = drive(content, path)
    typed = run.typed["other_side"].strip()
    for question in run.visited:
        text = content.prompt(question, "text", run.conversation).text
        if question != "other_side" and len(typed.split()) > 6:
            assert typed not in text, f"{question} pastes the whole answer: {text}"


def test_a_clear_lesson_says_what_the_person_does_well(
    runs: dict[str, Run], content: Content
) -> None:
    run = runs["salary_well_prepared"]
    findings = content.findings(run.conversation)
    applicable = [f for f in findings if f.applies]
    assert all(f.level == "clear" and f.strength is not None for f in applicable)
    assert [f.lesson.id for f in findings if not f.applies] == ["mediator"]


@pytest.mark.parametrize("path", PERSONAS, ids=[p.stem for p in PERSONAS])
def test_persona_gets_the_expected_verdict_for_every_lesson(content: Content, path: Path) -> None:
    run = drive(content, path)
    findings = content.findings(run.conversation)
    levels = {f.lesson.id: f.level for f in findings}
    assert levels == run.persona["expect"], (
        f"{run.persona['name']}: levels differ; fired rules: "
        f"{sorted(r.id for f in findings for r in f.rules)}"
    )
    fired = {r.id for f in findings for r in f.rules}
    missing = set(run.persona.get("expect_rules") or ()) - fired
    assert not missing, f"{run.persona['name']}: expected rules did not fire: {sorted(missing)}"


@pytest.mark.parametrize("path", PERSONAS, ids=[p.stem for p in PERSONAS])
def test_evidence_quotes_the_users_own_words(content: Content, path: Path) -> None:
    run = drive(content, path)
    for finding in content.findings(run.conversation):
        for rule in finding.rules:
            assert rule.evidence, f"{rule.id} fired without evidence"
            for evidence in rule.evidence:
                question = content.script.question(evidence.question)
                if question.kind == "text" and evidence.question in run.typed:
                    assert evidence.answer == run.typed[evidence.question].strip(), (
                        f"{run.persona['name']}: {rule.id} quotes {evidence.answer!r} for "
                        f"{evidence.question!r}, but the user typed "
                        f"{run.typed[evidence.question]!r}"
                    )


@pytest.mark.parametrize("path", PERSONAS, ids=[p.stem for p in PERSONAS])
def test_an_unknown_answer_is_a_gap_never_a_fired_rule(content: Content, path: Path) -> None:
    run = drive(content, path)
    for finding in content.findings(run.conversation):
        for rule in finding.rules:
            for evidence in rule.evidence:
                if evidence.question in rule_reads(content, rule.id):
                    assert run.conversation.values.get(evidence.question) != "unknown", (
                        f"{run.persona['name']}: {rule.id} fired on an 'I don't know' answer to "
                        f"{evidence.question!r}"
                    )


def rule_reads(content: Content, rule_id: str) -> set[str]:
    rule = next(r for r in content.script.rules if r.id == rule_id)
    return rule.when.questions()


def test_personas_between_them_visit_every_question(runs: dict[str, Run], content: Content) -> None:
    visited = {q for run in runs.values() for q in run.visited}
    never = [q.id for q in content.script.questions if q.id not in visited]
    assert not never, f"no persona reaches {never}; add a persona for that branch"


def test_personas_flag_every_lesson_at_least_once(runs: dict[str, Run]) -> None:
    for lesson in LESSON_IDS:
        flagged = [
            name for name, run in runs.items() if run.persona["expect"][lesson] in ("risk", "watch")
        ]
        assert flagged, f"no persona expects {lesson!r} to be flagged as risk or watch"


def test_personas_include_an_all_clear_and_an_all_gap_case(runs: dict[str, Run]) -> None:
    verdicts = [set(run.persona["expect"].values()) for run in runs.values()]
    assert {"clear"} in verdicts
    assert any("gap" in v for v in verdicts)


def test_with_no_third_party_the_mediator_role_question_is_never_asked(
    runs: dict[str, Run],
) -> None:
    without = [r for r in runs.values() if r.conversation.values["third_party"] == "none"]
    assert without, "no persona has no third party"
    for run in without:
        assert "mediator_expect" not in run.visited
        assert "mediator_direct" in run.visited


def test_forum_side_channel_is_asked_only_when_three_or_more_parties(
    runs: dict[str, Run],
) -> None:
    assert any(r.conversation.values["parties"] == "many" for r in runs.values())
    for run in runs.values():
        many = run.conversation.values["parties"] == "many"
        assert ("forum_side_channel" in run.visited) == many, run.persona["name"]


def test_hostile_free_text_is_quoted_literally_and_escaped_in_html(
    runs: dict[str, Run], content: Content
) -> None:
    run = runs["peace_talks_hostile_text"]
    typed = run.typed["other_side"]
    assert "{{ 7*7 }}" in typed
    assert "<script>" in typed
    # later prompts name the other side by the first phrase of what she typed
    name = short_name(typed)
    assert "{{ 7*7 }}" in name and "<script>" in name
    text = content.prompt("power_their_alt", "text", run.conversation).text
    html = content.prompt("power_their_alt", "html", run.conversation).text
    assert name in text and typed not in text
    assert "49" not in text
    assert "<script>" not in html
    assert str(escape(name)) in html
    assert run.conversation.shown["topic"] == run.typed["topic"]
    assert "🕊️" in run.conversation.shown["topic"]
    assert "وقف إطلاق النار" in run.conversation.shown["topic"]


@pytest.mark.parametrize(
    ("persona", "belief"),
    [
        ("too_big_to_care", "too_big"),
        ("landlord_they_will_cave", "they_cave"),
        ("time_believer_weak_alternative", "they_cave"),
    ],
)
def test_the_power_headline_is_the_belief_the_person_holds(
    runs: dict[str, Run], content: Content, persona: str, belief: str
) -> None:
    power = next(f for f in content.findings(runs[persona].conversation) if f.lesson.id == "power")
    assert power.assumption == power.lesson.beliefs[belief]


def test_the_mirror_of_the_time_lesson_has_its_own_headline(
    runs: dict[str, Run], content: Content
) -> None:
    time = next(
        f
        for f in content.findings(runs["job_candidate_no_plan"].conversation)
        if f.lesson.id == "time"
    )
    assert time.assumption == time.lesson.beliefs["drifting"]
    assert "forum_urgency" not in runs["job_candidate_no_plan"].visited  # not asked of a job offer
