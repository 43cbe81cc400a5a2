"""Content carries no code. (Imports pointing inward and the absence of circles are checked
by import-linter's contracts in pyproject.toml, run by `make lint`.)"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_dialogue_content_is_data_only() -> None:
    assert list((REPO / "dialogues").rglob("*.py")) == []
