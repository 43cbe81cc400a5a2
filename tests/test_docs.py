"""The docs work when followed: every command in README.md and docs/*.md that can run here is run.

A command is a line of a fenced `sh` or `bash` block (continued with a trailing backslash).
Each document's commands run in order in one fresh folder (with the repository's `docs/` and
`dialogues/` beside them, no `.env` and no Parley variables), so a later command sees what an
earlier one made, as for a reader following the page. A command must exit 0, unless its own
comment starts with `error:`: then it must fail with exactly that line on stderr. Settings and
snippets that are not commands go in `ini`, `text` or `yaml` blocks.

Not run here, each for a reason below: Docker, git, make and PostgreSQL's tools, and the two
servers (`python -m bot run` and `python -m bot web`, tested in tests/e2e and tests/web).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(sh|bash)\n(.*?)^```", re.MULTILINE | re.DOTALL)
NOT_HERE = {
    "docker": "needs a Docker engine; tests/test_compose_config.py runs `docker compose config`",
    "git": "changes the checkout",
    "make": "installs into .venv and runs the whole suite; CI runs it",
    "pg_dump": "needs the Compose PostgreSQL service",
    "pg_restore": "needs the Compose PostgreSQL service",
    "python -m bot run": "the Telegram bot, a server: tests/e2e runs it against a fake Bot API",
    "python -m bot web": "the review site, a server: tests/web and tests/browser run it",
}
EXPECTED_OUTPUT = {
    "python -m bot chat --user sofia < docs/examples/lease-answers.txt": "Your report:",
}


def commands(doc: Path) -> list[tuple[int, str]]:
    """(line number, command) for every command line of the document's sh/bash blocks."""
    text = doc.read_text(encoding="utf-8")
    found: list[tuple[int, str]] = []
    for block in FENCE.finditer(text):
        first = text.count("\n", 0, block.start(2)) + 1
        pending = ""
        for offset, line in enumerate(block.group(2).splitlines()):
            pending += line.rstrip()
            if pending.endswith("\\"):
                pending = pending[:-1] + " "
                continue
            command, pending = pending.strip(), ""
            if command and not command.startswith("#"):
                found.append((first + offset, command))
    return found


def reason_not_run(command: str) -> str | None:
    for start, reason in NOT_HERE.items():
        if command == start or command.startswith((start + " ", start + "\t")):
            return reason
    return None


def expected_error(command: str) -> str | None:
    """`# error: ...` at the end of a command: the one line it must fail with."""
    _, marker, comment = command.partition("# error: ")
    return f"error: {comment.strip()}" if marker else None


def environment(folder: Path) -> dict[str, str]:
    python_bin = str(Path(sys.executable).parent)
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "PARLEY_", "WEB", "DATABASE_", "LOG_"))
    }
    return {
        **clean,
        "PATH": f"{python_bin}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(REPO),
        "HOME": str(folder),
    }


def test_the_docs_have_commands_and_the_known_ones_are_found() -> None:
    readme = [command for _, command in commands(REPO / "README.md")]
    assert "python -m bot chat --user sofia < docs/examples/lease-answers.txt" in readme
    assert any(
        c.startswith("docker compose exec -T postgres pg_dump")
        for _, c in commands(REPO / "docs" / "deploy.md")
    )


@pytest.mark.parametrize("doc", DOCS, ids=[doc.name for doc in DOCS])
def test_every_command_in_the_doc_that_can_run_here_works_as_written(
    doc: Path, tmp_path: Path
) -> None:
    for name in ("docs", "dialogues"):
        (tmp_path / name).symlink_to(REPO / name)
    env = environment(tmp_path)
    for line, command in commands(doc):
        if reason_not_run(command) is not None:
            continue
        done = subprocess.run(
            ["bash", "-c", command],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            timeout=180,
            check=False,
        )
        where = f"{doc.name}:{line}: {command}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        error = expected_error(command)
        if error is not None:
            assert done.returncode != 0, where
            assert done.stderr.strip().splitlines() == [error], where
            continue
        assert done.returncode == 0, where
        assert "Traceback" not in done.stderr, where
        if command in EXPECTED_OUTPUT:
            assert EXPECTED_OUTPUT[command] in done.stdout, where
