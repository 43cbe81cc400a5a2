"""Storage against real databases: file creation, migrations, pragmas, and no lost updates."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from storage import repository as repo
from storage.database import is_current, make_engine
from storage.errors import StaleSessionError
from storage.schema import CoachingSession, User
from storage.uow import Database

Opener = Callable[[str], Database]


def test_sqlite_file_and_its_folder_are_created_on_first_use(
    tmp_path: Path, opened: Opener
) -> None:
    target = tmp_path / "deep" / "er" / "parley.db"
    opened(f"sqlite:///{target}")
    assert target.is_file()
    engine = make_engine(f"sqlite:///{target}")
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    expected = {"users", "coaching_sessions", "answers", "transcript_lines", "lesson_findings"}
    assert expected | {"processed_deliveries", "outbox"} <= tables


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path, opened: Opener) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    factory = opened(url)
    with factory.begin() as db:
        assert db.connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert db.connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    with sqlite3.connect(tmp_path / "p.db") as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    raw.close()


def test_migrations_reach_head_and_a_second_open_is_a_no_op(
    database_url: str, opened: Opener
) -> None:
    opened(database_url)
    engine = make_engine(database_url)
    assert is_current(engine)
    opened(database_url)  # must not fail on an up-to-date database
    assert is_current(engine)
    engine.dispose()


def _new_session(factory: Database) -> int:
    with factory.begin() as db:
        user = repo.get_or_create_user(db, "console:ana", "console", "Ana")
        row = CoachingSession(
            user_id=user.id, script_id="coach", script_version=1, state="q0", path=[]
        )
        with Session(bind=db.connection) as orm:  # the ORM joins the unit of work's transaction
            orm.add(row)
            orm.flush()
            return row.id


def test_concurrent_writers_to_one_session_lose_no_update(
    database_url: str, opened: Opener
) -> None:
    """Each writer reads the path, appends one step and writes it back; none may be lost."""
    factory = opened(database_url)
    session_id = _new_session(factory)
    writers, steps = 4, 25

    def work(name: int) -> None:
        for step in range(steps):
            with factory.begin() as db:
                row = repo.lock_session(db, session_id)
                assert row is not None
                row.path = [*row.path, f"{name}-{step}"]
                repo.save_session(db, row)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with factory.begin() as db:
        row = db.execute(select(CoachingSession).where(CoachingSession.id == session_id)).one()
        assert len(row.path) == writers * steps
        assert row.version == writers * steps + 1


def test_a_delivery_id_is_claimed_once(database_url: str, opened: Opener) -> None:
    factory = opened(database_url)
    with factory.begin() as db:
        assert repo.claim_delivery(db, "telegram:1")
    with factory.begin() as db:
        assert not repo.claim_delivery(db, "telegram:1")
        assert repo.claim_delivery(db, "telegram:2")


def test_answer_is_overwritten_on_re_answer(database_url: str, opened: Opener) -> None:
    factory = opened(database_url)
    session_id = _new_session(factory)
    with factory.begin() as db:
        repo.save_answer(db, session_id, "topic", "a raise", "a raise")
        repo.save_answer(db, session_id, "stake", 4, "4")
    with factory.begin() as db:
        repo.save_answer(db, session_id, "topic", "a lease", "a lease")
    with factory.begin() as db:
        answers = repo.answers_of(db, session_id)
        assert sorted((a.question_id, a.value) for a in answers) == [
            ("stake", 4),
            ("topic", "a lease"),
        ]


def test_deleting_a_user_removes_everything_about_them(database_url: str, opened: Opener) -> None:
    factory = opened(database_url)
    session_id = _new_session(factory)
    with factory.begin() as db:
        repo.save_answer(db, session_id, "topic", "secret", "secret")
        repo.add_line(db, session_id, "user", "secret", "topic")
        repo.add_outbox(db, None, "console", "ana", [{"text": "hi"}])
        user = repo.user_by_external_id(db, "console:ana")
        assert user is not None
        repo.delete_user(db, user.id)
    with factory.begin() as db:
        assert db.execute(select(User)).all() == []
        assert db.execute(select(CoachingSession)).all() == []
        assert repo.answers_of(db, session_id) == []
        assert repo.transcript_of(db, session_id) == []


@pytest.mark.parametrize("url", ["sqlite:///:memory:"])
def test_in_memory_sqlite_needs_no_folder(url: str, opened: Opener) -> None:
    factory = opened(url)
    with factory.begin() as db:
        assert repo.count_sessions(db, 1) == 0


def test_a_stale_session_write_is_refused(database_url: str, opened: Opener) -> None:
    factory = opened(database_url)
    session_id = _new_session(factory)
    with factory.begin() as db:
        first = repo.get_session(db, session_id)
    with factory.begin() as db:
        second = repo.lock_session(db, session_id)
        assert second is not None
        second.state = "q1"
        repo.save_session(db, second)
    assert first is not None
    first.state = "q2"
    with pytest.raises(StaleSessionError), factory.begin() as db:
        repo.save_session(db, first)
    with factory.begin() as db:
        final = repo.get_session(db, session_id)
        assert final is not None
        assert final.state == "q1"


def test_inbox_keeps_a_batch_until_each_update_is_finished(
    database_url: str, opened: Opener
) -> None:
    factory = opened(database_url)
    with factory.begin() as db:
        repo.add_inbox(db, [(10, 7, {"update_id": 10}), (11, 7, {"update_id": 11})])
    with factory.begin() as db:
        repo.add_inbox(db, [(11, 7, {"update_id": 11, "again": True})])  # redelivered: kept once
        repo.finish_inbox(db, 10)
    with factory.begin() as db:
        assert repo.pending_inbox(db) == [(11, {"update_id": 11})]


def test_upgrading_from_0002_keeps_every_session_and_copies_answers_onto_it(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import text

    from storage.database import alembic_config

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(alembic_config(engine), "0002")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, external_id, channel, display_name, timezone, active,"
                " created_at) VALUES (1, 'console:ana', 'console', 'Ana', 'UTC', 1, '2026-11-25')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO coaching_sessions (id, user_id, script_id, script_version, title,"
                " state, path, status, version, started_at, updated_at) VALUES (1, 1, 'coach', 1,"
                " 'A raise', 'kind', '[\"consent\", \"topic\"]', 'active', 1, '2026-11-25',"
                " '2026-11-25')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO answers (session_id, question_id, value, shown, answered_at) VALUES"
                " (1, 'consent', '\"start\"', 'OK', '2026-11-25'),"
                " (1, 'topic', '\"A raise\"', 'A raise', '2026-11-25')"
            )
        )
    command.upgrade(alembic_config(engine), "head")
    with engine.connect() as connection:
        record = repo.get_session(Database(engine).on(connection), 1)
        # 0005 rebuilds `users`: with foreign keys on, dropping the old table would have
        # cascaded to every session. They must be kept, and enforcement back on afterwards.
        foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
    engine.dispose()
    assert foreign_keys == 1
    assert record is not None
    assert record.answer_map == {"consent": ["start", "OK"], "topic": ["A raise", "A raise"]}
