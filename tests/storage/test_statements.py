"""The SQLite fast path stores and reads exactly what SQLAlchemy Core does.

storage.statements runs the Core statements on sqlite3 with SQLAlchemy's own type processors;
this writes the same turn's worth of rows through both paths and compares the files' raw
contents (JSON text, timestamps, 0/1 booleans, JSON null) and what the reads return.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from storage import repository as repo
from storage.database import open_database

NOW = datetime(2026, 11, 25, 9, 30, 15, 123456)
TABLES = ("users", "coaching_sessions", "answers", "transcript_lines", "outbox", "inbox")


def _story(path: Path, fast: bool) -> tuple[dict[str, list[Any]], list[Any]]:
    database = open_database(f"sqlite:///{path}", clock=lambda: NOW, fast=fast)
    try:
        with database.begin() as db:
            assert repo.claim_delivery(db, "console:1")
            assert not repo.claim_delivery(db, "console:1")
            user, current = repo.load_user(db, "console:ana", "console", "Ana")
            assert current is None
            row = repo.create_session(db, user.id, "coach", 2, "consent", db.now())
            user.current_session_id, user.pending_action = row.id, "title"
            repo.save_user(db, user)
            repo.save_answer(db, row.id, "consent", None, "—")
            repo.save_answer(db, row.id, "topic", {"a": [1, True, "é"]}, "A raise")
            row.path, row.answer_map, row.completed_at = ["consent"], {"topic": ["x", "X"]}, NOW
            repo.save_session(db, row)
            repo.add_lines(db, [repo.line_row(db, row.id, "user", "hi", "topic")])
            ids = repo.add_outbox(db, user.id, "console", "ana", [{"text": "a"}, {"text": "b"}])
            repo.mark_delivered(db, ids[:1])
            repo.add_inbox(db, [(5, 7, {"update_id": 5}), (6, None, {"update_id": 6})])
            assert repo.finish_inbox(db, 5) is True
            assert repo.finish_inbox(db, 5) is False
            assert repo.finish_inbox(db, 99) is None
        with database.begin() as db:
            reads = [
                repo.load_user(db, "console:ana", "console", "Ana"),
                repo.get_session(db, row.id),
                repo.answers_of(db, row.id),
                repo.count_sessions(db, user.id),
                repo.user_by_id(db, user.id),
            ]
    finally:
        database.dispose()
    with sqlite3.connect(path) as raw:
        stored = {table: raw.execute(f"SELECT * FROM {table}").fetchall() for table in TABLES}
    raw.close()
    return stored, reads


def test_the_fast_path_stores_and_reads_what_core_does(tmp_path: Path) -> None:
    fast = _story(tmp_path / "fast.db", fast=True)
    core = _story(tmp_path / "core.db", fast=False)
    assert fast[0] == core[0]
    assert fast[1] == core[1]
    assert fast[0]["answers"][0][3] == "null"  # JSON null, as Core writes it
    assert "2026-11-25 09:30:15.123456" in fast[0]["coaching_sessions"][0]  # completed_at
