"""Rehearsal rows on real databases (SQLite, and PostgreSQL when TEST_DATABASE_URL is set): a
rehearsal kept with its preparation, each reply with its cues and feedback, where it stands
after a reopen, and gone with the person who /forgets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from storage import rehearsals as store
from storage import repository as repo
from storage.rehearsals import ReplyRecord
from storage.uow import Database

STARTED = datetime(2026, 12, 2, 9, 0)  # the session's own start; storage dates rows by its clock


def _prepared(factory: Database) -> tuple[int, int]:
    with factory.begin() as db:
        user = repo.get_or_create_user(db, "telegram:7", "telegram", "Sofia")
        row = repo.create_session(db, user.id, "coach", 1, "done", STARTED)
        return user.id, row.id


def test_a_rehearsal_keeps_its_moments_replies_and_place_across_a_reopen(
    sessions: Database, database_url: str, opened: Callable[[str], Database]
) -> None:
    user, session = _prepared(sessions)
    with sessions.begin() as db:
        record = store.create(db, user, session, ["power.elsewhere", "package.split"])
        store.add_reply(
            db,
            record.id,
            ReplyRecord(
                "power.elsewhere",
                1,
                "We have other options too",
                cues=[{"cue": "own_alternative", "words": "other options", "said": "We have..."}],
                feedback="✓ You named your own alternative",
            ),
        )
        record.attempt, record.phase = 1, "choose"
        store.save(db, record)

    reopened = opened(database_url)  # a restart: nothing but the rows
    with reopened.begin() as db:
        found = store.active_of_session(db, session)
        assert found is not None
        assert (found.moment_id, found.attempt, found.phase) == ("power.elsewhere", 1, "choose")
        [reply] = store.replies_of(db, found.id)
    assert reply.cues[0]["cue"] == "own_alternative"
    assert reply.feedback.startswith("✓")
    assert reply.at is not None


def test_a_finished_rehearsal_is_no_longer_under_way_but_stays_listed(sessions: Database) -> None:
    user, session = _prepared(sessions)
    with sessions.begin() as db:
        first = store.create(db, user, session, ["time.stall"])
        first.status, first.completed_at = "done", db.now()
        store.save(db, first)
        second = store.create(db, user, session, ["time.no_hurry"])
    with sessions.begin() as db:
        active = store.active_of_session(db, session)
        assert active is not None and active.id == second.id
        assert [r.status for r in store.of_session(db, session)] == ["done", "active"]


def test_forgetting_the_person_deletes_their_rehearsals(sessions: Database) -> None:
    user, session = _prepared(sessions)
    with sessions.begin() as db:
        record = store.create(db, user, session, ["forum.board"])
        store.add_reply(db, record.id, ReplyRecord("forum.board", 1, "Who decides?"))
    with sessions.begin() as db:
        repo.delete_user(db, user)
    with sessions.begin() as db:
        assert store.get(db, record.id) is None
        assert store.replies_of(db, record.id) == []
