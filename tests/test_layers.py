"""The layers in DESIGN.md hold: imports point inward, content carries no code."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def imported_modules(folder: Path) -> dict[Path, set[str]]:
    found: dict[Path, set[str]] = {}
    for path in folder.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
        found[path] = names
    return found


def offenders(folder: Path, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(REPO)} imports {name}"
        for path, names in imported_modules(folder).items()
        for name in names
        if name.split(".")[0] in forbidden or name.startswith(forbidden)
    ]


def test_engine_imports_neither_telegram_nor_sqlalchemy_nor_the_app() -> None:
    bad = ("telegram", "sqlalchemy", "storage", "starlette", "bot.coach", "bot.telegram")
    assert offenders(REPO / "bot" / "engine", bad) == []


def test_storage_knows_nothing_of_telegram_or_the_dialogue_engine() -> None:
    assert offenders(REPO / "storage", ("telegram", "bot")) == []


def test_coach_service_is_transport_agnostic() -> None:
    for module in (
        "coach.py",
        "conversation.py",
        "turn_state.py",
        "session_commands.py",
        "reports.py",
    ):
        names = imported_modules(REPO / "bot")[REPO / "bot" / module]
        assert not {n for n in names if n.startswith(("telegram", "bot.telegram", "bot.console"))}


def test_dialogue_content_is_data_only() -> None:
    assert list((REPO / "dialogues").rglob("*.py")) == []
