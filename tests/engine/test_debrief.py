"""The debrief script and the engine features it needs: several scripts per content folder,
conditions on a context seeded from the preparation, the `record:` map and /progress."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.engine import debrief
from bot.engine.conditions import Condition
from bot.engine.content import Content, load_content
from bot.engine.errors import ScriptError, UnknownScriptError
from bot.engine.lessons import LESSON_IDS, progress
from bot.engine.machine import Conversation
from bot.engine.script import END, parse_script
from tests import persona as persona_file

DIALOGUES = Path(__file__).resolve().parents[2] / "dialogues"
PERSONAS = Path(__file__).resolve().parents[1] / "personas"
TODAY = date(2026, 12, 4)
HOSTILE = "{{ 7*7 }} <b>rent</b> & “more”"


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content()


@pytest.fixture(scope="module")
def prepared(content: Content) -> Conversation:
    """The lease persona's finished preparation (power and package risk, mediator watch)."""
    conv = content.dialogue.start()
    for text in persona_file.answers("lease_single_issue", TODAY):
        assert content.dialogue.answer(conv, text, TODAY).accepted
    return conv


def started(content: Content, levels: dict[str, str], prep: Conversation) -> Conversation:
    """A debrief conversation with the context /debrief gives it."""
    follow = content.follow_up()
    assert follow is not None
    conv = follow.dialogue.start()
    full = {lesson: levels.get(lesson, "clear") for lesson in LESSON_IDS}
    for key, (value, shown) in debrief.seed(content.script, "A lease", full, prep).items():
        conv.values[key] = value
        conv.shown[key] = shown
    return conv


def answer_all(content: Content, conv: Conversation, *answers: str) -> list[str]:
    """Answer in order; returns the questions asked."""
    follow = content.for_script("debrief")
    asked = []
    for text in answers:
        asked.append(conv.state)
        step = follow.dialogue.answer(conv, text, TODAY)
        assert step.accepted, f"{step.question}: {step.reason}"
    return asked


OUTCOME = ("2", "1", "We kept the rent", "4", "5", "3", "2")


def test_the_folder_loads_both_scripts_with_coach_the_default(content: Content) -> None:
    assert content.script.id == "coach"
    assert content.script_ids == ("coach", "debrief")
    follow = content.follow_up()
    assert follow is not None and follow.script.id == "debrief"
    assert follow.script.follows == "coach"
    assert content.for_script("debrief").for_script("coach") is content
    with pytest.raises(UnknownScriptError, match="'gone' is loaded"):
        content.for_script("gone")


def test_only_the_lessons_the_preparation_flagged_are_asked_about(
    content: Content, prepared: Conversation
) -> None:
    levels = {"power": "risk", "forum": "gap", "mediator": "watch", "time": "clear"}
    conv = started(content, levels, prepared)
    asked = answer_all(
        content, conv, *OUTCOME, "Yes, it caught me", "No, it didn't", "Partly", "6", "Listen"
    )
    assert [q for q in asked if q.startswith("proved_")] == [
        "proved_power",
        "proved_forum",
        "proved_mediator",
    ]
    assert conv.state == END


def test_with_nothing_flagged_the_debrief_goes_straight_to_the_wrong_assumption(
    content: Content, prepared: Conversation
) -> None:
    conv = started(content, {}, prepared)
    asked = answer_all(content, conv, *OUTCOME, "None of these", "Ask more questions")
    assert asked[-2:] == ["wrong_assumption", "change_next_time"]
    assert conv.state == END


def test_prompts_quote_the_preparation_escaped_and_literally(
    content: Content, prepared: Conversation
) -> None:
    prep = Conversation(prepared.state, dict(prepared.values), dict(prepared.shown))
    prep.path = list(prepared.path)
    prep.shown["topic"] = HOSTILE
    conv = started(content, {"power": "gap"}, prep)
    follow = content.for_script("debrief")
    html = follow.prompt("outcome_target", "html", conv).text
    assert "{{ 7*7 }} &lt;b&gt;rent&lt;/b&gt; &amp; “more”" in html
    assert follow.prompt("outcome_target", "text", conv).text.count(HOSTILE) == 1
    assert (
        "Beforehand you rated your walk-away option 2 out of 5"
        in follow.prompt("outcome_walkaway", "text", conv).text
    )
    power = follow.prompt("proved_power", "text", conv).text
    assert "“Power is not size” as something you didn't know yet" in power


def test_the_record_reads_answers_through_the_scripts_map(
    content: Content, prepared: Conversation
) -> None:
    conv = started(content, {"power": "risk", "package": "watch"}, prepared)
    answer_all(content, conv, *OUTCOME, "1", "4", "Something else", "They'd wait", HOSTILE)
    follow = content.for_script("debrief")
    lessons = [(lesson.id, lesson.title) for lesson in content.book.lessons]
    record = debrief.record(follow.script, lessons, conv, follow.prompt_texts(conv))
    assert record["ratings"] == {"outcome": 4, "self": 5, "process": 3, "relationship": 2}
    assert record["outcome"]["target"] == {"value": "met", "answer": "I reached my target"}
    assert record["outcome"]["notes"]["answer"] == "We kept the rent"
    assert [(item["id"], item["prep_level"], item["proved"]) for item in record["lessons"]] == [
        ("power", "risk", "yes"),
        ("package", "watch", "unsure"),
    ]
    assert record["wrong_assumption"] == {
        "lesson": None,
        "answer": "Something else",
        "text": "They'd wait",
    }
    assert record["change_next_time"] == HOSTILE
    assert record["answers"][0]["prompt"].startswith("Before the talks, you wanted this:")
    assert follow.findings(conv) == []  # a debrief records; it judges nothing


def test_naming_an_assumption_as_wrong_counts_as_it_showing_up(
    content: Content, prepared: Conversation
) -> None:
    conv = started(content, {"power": "risk"}, prepared)
    answer_all(content, conv, *OUTCOME, "No, it didn't", "Time was on my side", "Set a date")
    follow = content.for_script("debrief")
    assert debrief.verdicts(follow.script, conv, LESSON_IDS) == {"power": "no", "time": "yes"}


def test_a_context_condition_reads_the_seeded_value() -> None:
    flagged = Condition.model_validate(
        {"context": "prep.level.power", "in": ["risk", "watch", "gap"]}
    )
    assert flagged.holds({"prep.level.power": "watch"})
    assert not flagged.holds({"prep.level.power": "clear"})
    assert not flagged.holds({})
    assert flagged.contexts() == {"prep.level.power"} and flagged.questions() == set()
    with pytest.raises(ValueError, match="`answer:` or `context:`"):
        Condition.model_validate({"answer": "x", "context": "prep.title", "equals": "y"})


@pytest.fixture
def raw() -> dict[str, Any]:
    data = yaml.safe_load((DIALOGUES / "debrief.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_context_conditions_need_a_script_to_follow(raw: dict[str, Any]) -> None:
    del raw["follows"]
    with pytest.raises(ScriptError) as caught:
        parse_script(raw, "dialogues/debrief.yaml")
    assert "dialogues/debrief.yaml: field 'follows'" in str(caught.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("ratings", "self", "outcome_notes"), "field 'record.ratings.self': 'outcome_notes' must"),
        (("proved", "power", "rate_self"), "field 'record.proved.power': 'rate_self' must be"),
        (("outcome", "target", "nowhere"), "field 'record.outcome.target': unknown question"),
        (("proved", "power", "wrong_assumption"), "options of 'wrong_assumption' must have"),
    ],
)
def test_a_record_naming_the_wrong_question_is_refused(
    raw: dict[str, Any], change: tuple[str, str, str], message: str
) -> None:
    part, name, question = change
    raw["record"][part][name] = question
    with pytest.raises(ScriptError, match=message.replace("(", r"\(")):
        parse_script(raw, "dialogues/debrief.yaml")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "dialogues"
    shutil.copytree(DIALOGUES, copy)
    return copy


def test_a_mistyped_context_key_names_file_question_and_field(folder: Path) -> None:
    path = folder / "debrief.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("prep.level.time,", "prep.level.tiem,", 1),
        encoding="utf-8",
    )
    with pytest.raises(ScriptError) as caught:
        load_content(folder)
    assert str(caught.value) == (
        f"{path}: question 'rate_relationship', field 'next.1.when': "
        "unknown context key 'prep.level.tiem'"
    )


def test_a_prompt_quoting_an_unknown_preparation_answer_is_refused(folder: Path) -> None:
    path = folder / "debrief.yaml"
    text = path.read_text(encoding="utf-8").replace("prep.answer.topic %}", "prep.answer.tpic %}")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScriptError, match="question 'outcome_target', field 'prompt'"):
        load_content(folder)


def test_two_scripts_with_one_id_and_a_missing_followed_script_are_refused(folder: Path) -> None:
    shutil.copy(folder / "debrief.yaml", folder / "debrief_copy.yaml")
    with pytest.raises(ScriptError, match=r"debrief_copy\.yaml: field 'id': .* has the same id"):
        load_content(folder)
    (folder / "debrief_copy.yaml").unlink()
    path = folder / "debrief.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("follows: coach", "follows: prepare"),
        encoding="utf-8",
    )
    with pytest.raises(ScriptError, match=r"debrief\.yaml: field 'follows': no loaded script"):
        load_content(folder)


def test_progress_counts_what_debriefs_said() -> None:
    clear = dict.fromkeys(LESSON_IDS, "clear")
    once = [{**clear, "power": "risk", "time": "watch", "forum": "watch", "mediator": "gap"}]
    said = [{"power": "yes", "time": "no", "mediator": "no"}]
    assert progress(once, said) == {
        "power": "recurring",  # flagged once, and it caught them in the real talks
        "time": "overcome",  # flagged, and the debrief says it didn't show up
        "forum": "new",  # flagged, no word from the debrief
        "package": "clear",
        "mediator": "overcome",  # a gap that didn't bite
    }
    twice = [*once, {**clear, "forum": "risk"}]
    assert progress(twice, [*said, {"forum": "no"}]) == {
        "power": "overcome",  # seen before, clear in the latest preparation
        "time": "overcome",
        "forum": "overcome",  # flagged twice, but handled in the latest talks
        "package": "clear",
        "mediator": "clear",  # a gap once, which didn't bite, and clear since
    }
    assert progress(twice, [*said, {"package": "partly"}])["package"] == "recurring"
    assert progress(twice)["forum"] == "recurring"


def test_the_summary_and_prompts_are_valid_telegram_html_with_hostile_answers(
    content: Content, prepared: Conversation
) -> None:
    from bot.coach.reports import report_payloads
    from storage.records import SessionRecord
    from tests.fakes.rules import parse_html

    prep = Conversation(prepared.state, dict(prepared.values), dict(prepared.shown))
    prep.path = list(prepared.path)
    prep.shown = dict.fromkeys(prep.shown, HOSTILE)
    conv = started(content, dict.fromkeys(LESSON_IDS, "risk"), prep)
    follow = content.for_script("debrief")
    for question in follow.script.questions:
        parse_html(follow.prompt(question.id, "html", conv).text)
    answer_all(content, conv, "1", "1", HOSTILE, "1", "1", "1", "1", "1", "2", "3", "4", "1")
    answer_all(content, conv, "Something else", HOSTILE, HOSTILE)
    row = SessionRecord(2, 1, "debrief", 1, HOSTILE, END, [], "completed", 1, None, None)  # type: ignore[arg-type]
    [summary] = report_payloads(follow, row, conv, "html")
    shown = parse_html(summary["text"])
    assert "Next time: “{{ 7*7 }} <b>rent</b> & “more””" in shown
    assert "<b>rent</b>" not in summary["text"]
