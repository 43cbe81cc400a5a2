"""Reminder rows on real databases (SQLite, and PostgreSQL when TEST_DATABASE_URL is set): the
claim that makes a reminder go out once, cancelling, and what the arming scan sees."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from storage import reminders as store
from storage import repository as repo
from storage.uow import Database

NOW = datetime(2026, 12, 2, 9, 0)


def _user_and_session(factory: Database, external_id: str) -> tuple[int, int]:
    channel = external_id.partition(":")[0]
    with factory.begin() as db:
        user = repo.get_or_create_user(db, external_id, channel, "Ana")
        row = repo.create_session(db, user.id, "coach", 1, "consent", NOW)
        return user.id, row.id


def _add(factory: Database, user: int, session: int, due: datetime) -> int:
    with factory.begin() as db:
        [reminder_id] = store.add(db, user, session, [("checklist", due)], NOW)
        return reminder_id


def test_a_due_reminder_is_claimed_once_and_records_when(sessions: Database) -> None:
    user, session = _user_and_session(sessions, "telegram:1")
    reminder_id = _add(sessions, user, session, NOW - timedelta(minutes=5))
    with sessions.begin() as db:
        assert store.claim(db, reminder_id, NOW)
    with sessions.begin() as db:
        assert not store.claim(db, reminder_id, NOW + timedelta(hours=1))
        row = store.get(db, reminder_id)
    assert row is not None and (row.status, row.sent_at) == ("sent", NOW)


def test_a_reminder_not_yet_due_cannot_be_claimed(sessions: Database) -> None:
    user, session = _user_and_session(sessions, "telegram:1")
    reminder_id = _add(sessions, user, session, NOW + timedelta(minutes=1))
    with sessions.begin() as db:
        assert not store.claim(db, reminder_id, NOW)
        assert store.claim(db, reminder_id, NOW + timedelta(minutes=1))


def test_a_claim_rolled_back_with_its_transaction_leaves_the_reminder_pending(
    sessions: Database,
) -> None:
    user, session = _user_and_session(sessions, "telegram:1")
    reminder_id = _add(sessions, user, session, NOW)
    with sessions.engine.connect() as connection, connection.begin() as transaction:
        assert store.claim(sessions.on(connection), reminder_id, NOW)
        transaction.rollback()  # e.g. the outbox insert failed: nothing was queued, nothing sent
    with sessions.begin() as db:
        assert [r.id for r in store.pending_of(db, user)] == [reminder_id]


def test_two_workers_claiming_at_once_send_it_once(sessions: Database) -> None:
    user, session = _user_and_session(sessions, "telegram:1")
    reminder_id = _add(sessions, user, session, NOW)
    results: list[bool] = []
    start = threading.Barrier(4)

    def worker() -> None:
        start.wait()
        with sessions.begin() as db:
            results.append(store.claim(db, reminder_id, NOW))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [False, False, False, True]


def test_cancelled_reminders_are_never_claimed(sessions: Database) -> None:
    user, session = _user_and_session(sessions, "telegram:1")
    first = _add(sessions, user, session, NOW)
    second = _add(sessions, user, session, NOW)
    with sessions.begin() as db:
        assert store.cancel_pending(db, user, session) == 2
        assert not store.claim(db, first, NOW)
        assert not store.claim(db, second, NOW)
        assert store.pending_of(db, user) == []


def test_cancelling_one_session_keeps_the_others(sessions: Database) -> None:
    user, session = _user_and_session(sessions, "telegram:1")
    with sessions.begin() as db:
        other = repo.create_session(db, user, "coach", 1, "consent", NOW).id
    _add(sessions, user, session, NOW)
    kept = _add(sessions, user, other, NOW)
    with sessions.begin() as db:
        assert store.cancel_pending(db, user, session) == 1
        assert [r.id for r in store.pending_of(db, user)] == [kept]


def test_the_scan_sees_only_pending_reminders_of_the_channel_within_the_horizon(
    sessions: Database,
) -> None:
    tg_user, tg_session = _user_and_session(sessions, "telegram:1")
    console_user, console_session = _user_and_session(sessions, "console:bo")
    soon = _add(sessions, tg_user, tg_session, NOW + timedelta(seconds=30))
    later = _add(sessions, tg_user, tg_session, NOW + timedelta(days=3))
    _add(sessions, console_user, console_session, NOW)
    sent = _add(sessions, tg_user, tg_session, NOW)
    with sessions.begin() as db:
        assert store.claim(db, sent, NOW)
        within = store.due_before(db, "telegram", NOW + timedelta(minutes=1))
        everything = store.due_before(db, "telegram", None)
    assert [reminder_id for reminder_id, _ in within] == [soon]
    assert [reminder_id for reminder_id, _ in everything] == [soon, later]


def test_deleting_the_user_deletes_their_reminders(sessions: Database) -> None:
    user, session = _user_and_session(sessions, "telegram:1")
    reminder_id = _add(sessions, user, session, NOW)
    with sessions.begin() as db:
        repo.delete_user(db, user)
    with sessions.begin() as db:
        assert store.get(db, reminder_id) is None
        assert not store.claim(db, reminder_id, NOW)


def test_settings_default_to_utc_unset_and_enabled_then_change(
    sessions: Database,
) -> None:
    user, _session = _user_and_session(sessions, "telegram:1")
    with sessions.begin() as db:
        assert store.settings_of(db, user) == store.ReminderSettings("UTC", False, True)
        store.set_timezone(db, user, "Europe/Berlin")
        store.set_enabled(db, user, False)
    with sessions.begin() as db:
        assert store.settings_of(db, user) == store.ReminderSettings("Europe/Berlin", True, False)
