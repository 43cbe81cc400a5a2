"""A broken script is refused with an error that names the file, the question and the field."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.engine.errors import ScriptError
from bot.engine.script import load_script, parse_script

MINI = Path(__file__).parent / "scripts" / "mini.yaml"


@pytest.fixture
def raw() -> dict[str, Any]:
    data = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return copy.deepcopy(data)


def question(raw: dict[str, Any], qid: str) -> dict[str, Any]:
    return next(q for q in raw["questions"] if q["id"] == qid)


def refused(raw: dict[str, Any]) -> ScriptError:
    with pytest.raises(ScriptError) as caught:
        parse_script(raw, "dialogues/broken.yaml")
    return caught.value


def test_the_fixture_script_itself_is_valid(raw: dict[str, Any]) -> None:
    assert len(parse_script(raw, "mini.yaml").questions) == 5


def test_unknown_goto_target_names_question_and_field(raw: dict[str, Any]) -> None:
    question(raw, "parties")["next"][0]["goto"] = "nowhere"
    error = refused(raw)
    assert str(error) == (
        "dialogues/broken.yaml: question 'parties', field 'next.0.goto': unknown target 'nowhere'"
    )


def test_unreachable_question_is_refused(raw: dict[str, Any]) -> None:
    question(raw, "parties")["next"] = "stake"
    assert "question 'forum'" in str(refused(raw))
    assert "unreachable" in str(refused(raw))


def test_dead_end_without_default_branch_is_refused(raw: dict[str, Any]) -> None:
    question(raw, "parties")["next"] = [
        {"when": {"answer": "parties", "equals": "many"}, "goto": "forum"}
    ]
    error = refused(raw)
    assert "question 'parties'" in str(error)
    assert "dead end" in str(error)


def test_loop_that_never_reaches_the_end_is_a_dead_end(raw: dict[str, Any]) -> None:
    question(raw, "forum")["next"] = [
        {"when": {"answer": "forum", "unknown": True}, "goto": "spin_a"},
        {"goto": "stake"},
    ]
    raw["questions"] += [
        {"id": "spin_a", "kind": "text", "prompt": "a?", "next": "spin_b"},
        {"id": "spin_b", "kind": "text", "prompt": "b?", "next": "spin_a"},
    ]
    error = refused(raw)
    assert "question 'spin_a', field 'next': dead end" in str(error)


def test_choice_without_options_names_the_field(raw: dict[str, Any]) -> None:
    question(raw, "parties")["options"] = []
    error = refused(raw)
    assert "question 'parties'" in str(error)
    assert "at least two options" in str(error)


def test_unknown_kind_names_the_field(raw: dict[str, Any]) -> None:
    question(raw, "stake")["kind"] = "slider"
    error = refused(raw)
    assert "question 'stake', field 'kind'" in str(error)


def test_condition_on_unknown_question_is_refused(raw: dict[str, Any]) -> None:
    raw["rules"][0]["when"] = {"answer": "ghost", "equals": "x"}
    error = refused(raw)
    assert "rule 'forum.group-only', field 'when'" in str(error)
    assert "unknown question 'ghost'" in str(error)


def test_condition_with_two_tests_is_refused(raw: dict[str, Any]) -> None:
    raw["rules"][1]["when"] = {"answer": "stake", "gte": 4, "lte": 2}
    assert "exactly one test" in str(refused(raw))


def test_condition_cannot_smuggle_code(raw: dict[str, Any]) -> None:
    raw["rules"][1]["when"] = "answers['stake'] > 3 or __import__('os')"
    error = refused(raw)
    assert "rule 'power.high-stakes', field 'when'" in str(error)


def test_unknown_field_is_refused_by_name(raw: dict[str, Any]) -> None:
    question(raw, "topic")["promt"] = "typo"
    error = refused(raw)
    assert "question 'topic', field 'promt'" in str(error)


def test_duplicate_question_id_is_refused(raw: dict[str, Any]) -> None:
    question(raw, "forum")["id"] = "stake"
    assert "duplicate question id" in str(refused(raw))


def test_several_problems_are_reported_together(raw: dict[str, Any]) -> None:
    question(raw, "topic")["kind"] = "slider"
    question(raw, "stake")["prompt"] = ""
    error = refused(raw)
    assert len(error.problems) == 2


def test_yaml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nquestions:\n  - id: a\n    prompt: [unclosed\n", encoding="utf-8")
    with pytest.raises(ScriptError) as caught:
        load_script(broken)
    assert str(broken) in str(caught.value)
    assert "line" in str(caught.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ScriptError, match="file not found"):
        load_script(tmp_path / "nope.yaml")


def test_a_synonym_shared_by_two_options_is_refused_naming_both(raw: dict[str, Any]) -> None:
    options = question(raw, "parties")["options"]
    options[0]["also"] = ["a few"]
    options[1]["also"] = ["A few"]
    error = refused(raw)
    assert "question 'parties'" in str(error)
    assert f"synonym of both {options[0]['value']!r} and {options[1]['value']!r}" in str(error)


def test_a_numeric_synonym_is_refused(raw: dict[str, Any]) -> None:
    question(raw, "parties")["options"][0]["also"] = ["2"]
    assert "empty or a number" in str(refused(raw))
