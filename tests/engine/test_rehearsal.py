"""Rehearsal moments: picked from the person's weak spots, replies read with explainable cues."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.engine.content import DIALOGUES_DIR, Content, load_content
from bot.engine.errors import ScriptError
from bot.engine.machine import Conversation
from bot.engine.rehearsal import RehearsalBook, material, parse_rehearsal

LESSONS = ["power", "time", "forum", "package", "mediator"]


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content()


@pytest.fixture(scope="module")
def book(content: Content) -> RehearsalBook:
    assert content.rehearsal is not None
    return content.rehearsal


def _material(content: Content, **shown: str) -> dict[str, Any]:
    conv = Conversation(state="done", values=dict(shown), shown=dict(shown), path=list(shown))
    return material(content.context(conv))


def test_worst_lessons_come_first_and_the_opening_last(book: RehearsalBook) -> None:
    levels = {
        "power": "watch",
        "time": "risk",
        "forum": "clear",
        "package": "risk",
        "mediator": "gap",
    }
    answers = {"opening_lines": "We'd like to keep the rent.", "third_party": "neutral"}
    picked = book.pick(levels, answers)
    assert 3 <= len(picked) <= 5
    lessons = [book.moments[m].lesson for m in picked]
    assert lessons == ["time", "package", "power", "mediator", "opening"]


def test_a_preparation_with_little_flagged_still_gets_three_moments(book: RehearsalBook) -> None:
    levels = dict.fromkeys(LESSONS, "clear") | {"package": "watch"}
    picked = book.pick(levels, {})
    assert len(picked) == 3
    assert book.moments[picked[0]].lesson == "package"
    assert all(book.moments[m].lesson != "mediator" for m in picked)  # nobody in the middle


def test_a_moment_whose_condition_fails_is_not_picked(book: RehearsalBook) -> None:
    levels = dict.fromkeys(LESSONS, "risk")
    picked = book.pick(levels, {"third_party": "none"})
    assert not any(m.startswith("mediator.") for m in picked)
    picked = book.pick(levels, {"third_party": "neutral"})
    assert any(m.startswith("mediator.") for m in picked)


def test_the_other_side_speaks_with_the_persons_own_material(
    content: Content, book: RehearsalBook
) -> None:
    said = _material(content, other_side="My landlord, Mr. Okafor", package_issues="the rent")
    scene, line = book.scene(book.moments["package.not_negotiable"], "text", content.renderer, said)
    assert "Mr. Okafor" in scene
    assert line == "The rent is not negotiable."


def test_a_good_reply_is_praised_in_its_own_words(content: Content, book: RehearsalBook) -> None:
    moment = book.moments["package.not_negotiable"]
    said = _material(content, package_issues="the rent")
    reply = "I hear you. What if we sign for three years in exchange for a lower rent?"
    reading = book.reading(moment, reply, content.renderer, "text", said)
    assert [c.name for c in reading.cues] == ["widens", "acknowledges"]
    assert not reading.traps
    assert "“What if we sign for three years in exchange for a lower rent”" in reading.worked[0]
    assert reading.try_ == ""
    assert "Trade across issues" in reading.rule


def test_a_trap_is_named_with_the_words_that_fell_into_it(
    content: Content, book: RehearsalBook
) -> None:
    moment = book.moments["mediator.wont_press"]
    reading = book.reading(
        moment, "Can't you just push them a bit?", content.renderer, "text", _material(content)
    )
    assert [t.name for t in reading.traps] == ["presses_mediator"]
    assert "“Can't you just push them a bit”" in reading.named[0]
    assert "proposal" in reading.try_


def test_a_negated_trap_does_not_fire(content: Content, book: RehearsalBook) -> None:
    moment = book.moments["power.elsewhere"]
    cues, traps = book.read(
        moment, "We don't have other options, and it's not a take it or leave it"
    )
    assert not cues
    assert not traps


def test_a_reply_with_no_move_gets_one_thing_to_try(content: Content, book: RehearsalBook) -> None:
    moment = book.moments["time.no_hurry"]
    reading = book.reading(moment, "hmm", content.renderer, "text", _material(content))
    assert not reading.cues and not reading.traps
    assert "waiting costs" in reading.try_.casefold() or "delay" in reading.try_.casefold()


def _raw() -> dict[str, Any]:
    raw = yaml.safe_load((DIALOGUES_DIR / "rehearsal.yaml").read_text(encoding="utf-8"))
    assert isinstance(raw, dict)
    return raw


def _questions(content: Content) -> list[str]:
    return [q.id for q in content.script.questions]


def test_a_moment_naming_an_unknown_cue_is_refused(content: Content) -> None:
    raw = _raw()
    raw["moments"][0]["good"] = ["flattery"]
    with pytest.raises(ScriptError, match="unknown reply cue 'flattery'"):
        parse_rehearsal(raw, "rehearsal.yaml", LESSONS, _questions(content))


def test_a_lesson_with_fewer_than_three_moments_is_refused(content: Content) -> None:
    raw = _raw()
    raw["moments"] = [m for m in raw["moments"] if m["id"] != "time.stall"]
    with pytest.raises(ScriptError, match="fewer than 3 for 'time'"):
        parse_rehearsal(raw, "rehearsal.yaml", LESSONS, _questions(content))


def test_a_condition_on_an_unknown_question_is_refused(content: Content) -> None:
    raw = _raw()
    raw["moments"][0]["when"] = {"answer": "favourite_colour", "answered": True}
    with pytest.raises(ScriptError, match="unknown question 'favourite_colour'"):
        parse_rehearsal(raw, "rehearsal.yaml", LESSONS, _questions(content))


def test_a_cue_example_that_does_not_fire_is_refused(content: Content) -> None:
    raw = _raw()
    raw["traps"]["ultimatum"]["examples"]["fires"].append("Let's keep talking")
    with pytest.raises(ScriptError, match="does not fire"):
        parse_rehearsal(raw, "rehearsal.yaml", LESSONS, _questions(content))


def test_a_template_typo_is_caught_at_load(tmp_path: Path) -> None:
    for path in DIALOGUES_DIR.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "templates").symlink_to(DIALOGUES_DIR / "templates")
    raw = _raw()
    raw["moments"][0]["line"] = "{{ name | nosuchfilter }}"
    (tmp_path / "rehearsal.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ScriptError, match=r"moment 'power\.elsewhere'"):
        load_content(tmp_path)
