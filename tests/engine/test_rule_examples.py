"""Every rule of the shipped coaching script has an example that fires it and a near miss that
does not (tests/engine/rule_examples.yaml), read as stored answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.engine.content import Content, load_content

EXAMPLES: dict[str, dict[str, list[dict[str, Any]]]] = yaml.safe_load(
    (Path(__file__).parent / "rule_examples.yaml").read_text(encoding="utf-8")
)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content()


def test_every_rule_has_an_example_and_every_example_a_rule(content: Content) -> None:
    rules = {rule.id for rule in content.script.rules}
    assert sorted(rules - set(EXAMPLES)) == [], "rules without an example"
    assert sorted(set(EXAMPLES) - rules) == [], "examples of rules that don't exist"


@pytest.mark.parametrize("rule_id", sorted(EXAMPLES))
def test_the_rule_fires_on_its_example_and_not_on_the_near_miss(
    content: Content, rule_id: str
) -> None:
    rule = next(r for r in content.script.rules if r.id == rule_id)
    for answers in EXAMPLES[rule_id]["fires"]:
        assert rule.when.holds(answers), f"{rule_id} should fire on {answers}"
        assert rule.when.support(answers), f"{rule_id} fired without naming what held"
    for answers in EXAMPLES[rule_id]["silent"]:
        assert not rule.when.holds(answers), f"{rule_id} should stay silent on {answers}"
