"""Queries the coach service needs, inside the unit of work it owns.

Deliveries, inbox and outbox live in storage.messaging and are re-exported here, so callers
have one module for every query. Every function takes the caller's `UnitOfWork` and never
commits: one inbound message is one transaction (DESIGN.md), so the repository only reads and
stages. The statements are SQLAlchemy Core over plain records (see storage.records for why),
each defined once; the per-message ones run on sqlite3 on SQLite (storage.statements).

The session columns are read and written by the fields of `SessionRecord`: a new column of
`coaching_sessions` is a field there (with its default), and tests/storage/test_session_columns
fails until it is.

Over 300 lines: it is every statement one coaching turn runs, defined once (storage.statements);
splitting users from sessions would split the one joined query that loads both.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.sql.expression import Executable

from storage.errors import StaleSessionError
from storage.messaging import add_inbox as add_inbox
from storage.messaging import add_outbox as add_outbox
from storage.messaging import chats_with_pending_outbox as chats_with_pending_outbox
from storage.messaging import chats_with_pending_updates as chats_with_pending_updates
from storage.messaging import claim_delivery as claim_delivery
from storage.messaging import count_pending_outbox as count_pending_outbox
from storage.messaging import fail_pending_for_chat as fail_pending_for_chat
from storage.messaging import finish_inbox as finish_inbox
from storage.messaging import mark_delivered as mark_delivered
from storage.messaging import mark_failed as mark_failed
from storage.messaging import pending_inbox as pending_inbox
from storage.messaging import pending_inbox_for_chat as pending_inbox_for_chat
from storage.messaging import pending_outbox as pending_outbox
from storage.messaging import upsert, values_of
from storage.records import AnswerRecord, LineRecord, SessionRecord, UserRecord
from storage.schema import (
    Answer,
    CoachingSession,
    LessonFinding,
    OutboxMessage,
    ProcessedDelivery,
    TranscriptLine,
    User,
)
from storage.statements import Row, Statement
from storage.uow import UnitOfWork

ANSWERS = cast(Table, Answer.__table__)
DELIVERIES = cast(Table, ProcessedDelivery.__table__)
FINDINGS = cast(Table, LessonFinding.__table__)
LINES = cast(Table, TranscriptLine.__table__)
OUTBOX = cast(Table, OutboxMessage.__table__)
SESSIONS = cast(Table, CoachingSession.__table__)
USERS = cast(Table, User.__table__)

USER_FIELDS = tuple(f.name for f in fields(UserRecord))
SESSION_FIELDS = tuple(f.name for f in fields(SessionRecord))
_SESSION_PREFIX = "session_"
"""Session columns in the user+session join are labelled with this prefix (both have `id`)."""
_USER_COLUMNS = tuple(USERS.c[name] for name in USER_FIELDS)
_SESSION_COLUMNS = tuple(SESSIONS.c[name] for name in SESSION_FIELDS)


def _session_update() -> Executable:
    """Every field but the key, guarded by the version read (a concurrent write is refused)."""
    changed = [name for name in SESSION_FIELDS if name not in ("id", "version")]
    return (
        update(SESSIONS)
        .where(SESSIONS.c.id == bindparam("key"), SESSIONS.c.version == bindparam("old_version"))
        .values({**values_of(SESSIONS, *changed), "version": bindparam("new_version")})
    )


def _answer_upsert(dialect: str) -> Executable:
    names = ("session_id", "question_id", "value", "shown", "words", "answered_at")
    base = upsert(ANSWERS, dialect).values(values_of(ANSWERS, *names))
    return cast(
        Executable,
        base.on_conflict_do_update(
            index_elements=["session_id", "question_id"],
            set_={
                "value": base.excluded.value,
                "shown": base.excluded.shown,
                "words": base.excluded.words,
                "answered_at": base.excluded.answered_at,
            },
        ),
    )


_USER_BY_EXTERNAL_ID = Statement(
    select(*_USER_COLUMNS).where(USERS.c.external_id == bindparam("key"))
)
_USER_BY_ID = Statement(select(*_USER_COLUMNS).where(USERS.c.id == bindparam("key")))
_USER_AND_SESSION = Statement(
    select(*_USER_COLUMNS, *(c.label(_SESSION_PREFIX + c.key) for c in _SESSION_COLUMNS))
    .select_from(USERS.outerjoin(SESSIONS, SESSIONS.c.id == USERS.c.current_session_id))
    .where(USERS.c.external_id == bindparam("key"))
)
_ADD_USER = Statement(
    insert(USERS)
    .values(
        values_of(
            USERS, *USER_FIELDS[1:], "timezone", "timezone_set", "reminders_enabled", "created_at"
        )
    )
    .returning(USERS.c.id)
)
_SAVE_USER = Statement(
    update(USERS)
    .where(USERS.c.id == bindparam("key"))
    .values(values_of(USERS, "display_name", "current_session_id", "pending_action", "active"))
)
_SESSION_BY_ID = select(*_SESSION_COLUMNS).where(SESSIONS.c.id == bindparam("key"))
_GET_SESSION = Statement(_SESSION_BY_ID)
_LOCK_SESSION = Statement(_SESSION_BY_ID.with_for_update())
_ADD_SESSION = Statement(
    insert(SESSIONS).values(values_of(SESSIONS, *SESSION_FIELDS[1:])).returning(SESSIONS.c.id)
)
_SAVE_SESSION = Statement(_session_update())
_COUNT_SESSIONS = Statement(
    select(func.count().label("n"))
    .select_from(SESSIONS)
    .where(SESSIONS.c.user_id == bindparam("key"))
)
_ANSWERS_OF = Statement(
    select(ANSWERS.c.question_id, ANSWERS.c.value, ANSWERS.c.shown, ANSWERS.c.words).where(
        ANSWERS.c.session_id == bindparam("key")
    )
)
_SAVE_ANSWER = Statement(_answer_upsert)
_ADD_LINES = Statement(
    insert(LINES).values(values_of(LINES, "session_id", "sender", "text", "question_id", "at"))
)
_DROP_FINDINGS = Statement(delete(FINDINGS).where(FINDINGS.c.session_id == bindparam("key")))
_ADD_FINDINGS = Statement(
    insert(FINDINGS).values(
        values_of(FINDINGS, "session_id", "lesson_id", "level", "evidence", "created_at")
    )
)


# ---- users ------------------------------------------------------------------------------------
def _user(row: Row) -> UserRecord:
    return UserRecord(**{name: row[name] for name in USER_FIELDS})


def _renamed(user: UserRecord, name: str) -> UserRecord:
    """The display name follows the channel's (saved with the turn if it changed)."""
    if name and user.display_name != name[:128]:
        user.display_name = name[:128]
    return user


def user_by_external_id(db: UnitOfWork, external_id: str) -> UserRecord | None:
    row = db.run(_USER_BY_EXTERNAL_ID, {"key": external_id}).first()
    return _user(row) if row is not None else None


def user_by_id(db: UnitOfWork, user_id: int) -> UserRecord | None:
    row = db.run(_USER_BY_ID, {"key": user_id}).first()
    return _user(row) if row is not None else None


def get_or_create_user(db: UnitOfWork, external_id: str, channel: str, name: str) -> UserRecord:
    user = user_by_external_id(db, external_id)
    if user is not None:
        return _renamed(user, name)
    user = UserRecord(0, external_id, channel, name[:128], None, None)
    values = {f: getattr(user, f) for f in USER_FIELDS[1:]}
    defaults = {"timezone": "UTC", "timezone_set": False, "reminders_enabled": True}
    row = db.run(_ADD_USER, {**values, **defaults, "created_at": db.now()}).first()
    assert row is not None
    user.id = int(row["id"])
    return user


def load_user(
    db: UnitOfWork, external_id: str, channel: str, name: str
) -> tuple[UserRecord, SessionRecord | None]:
    """The user (created on first contact) and their open session, locked for the turn.

    SQLite: one joined query (the IMMEDIATE transaction already holds the write lock).
    PostgreSQL cannot lock the nullable side of an outer join, so the session row is then
    taken with its own SELECT ... FOR UPDATE."""
    if db.dialect == "sqlite":
        row = db.run(_USER_AND_SESSION, {"key": external_id}).first()
        if row is not None:
            user = _renamed(_user(row), name)
            if row[_SESSION_PREFIX + "id"] is None:
                return user, None
            return user, _session(row, _SESSION_PREFIX)
    user = get_or_create_user(db, external_id, channel, name)
    if user.current_session_id is None:
        return user, None
    return user, lock_session(db, user.current_session_id)


def save_user(db: UnitOfWork, user: UserRecord) -> None:
    db.run(
        _SAVE_USER,
        {
            "key": user.id,
            "display_name": user.display_name,
            "current_session_id": user.current_session_id,
            "pending_action": user.pending_action,
            "active": user.active,
        },
    )


def user_names(db: UnitOfWork) -> dict[int, str]:
    """user id -> external id (channel:ref), for operator listings."""
    rows = db.execute(select(USERS.c.id, USERS.c.external_id))
    return {row.id: row.external_id for row in rows}


def delete_user(db: UnitOfWork, user_id: int) -> None:
    """Remove a user and everything about them (foreign keys cascade to sessions, answers,
    transcript lines, findings and their undelivered messages)."""
    db.execute(delete(USERS).where(USERS.c.id == user_id))


# ---- sessions ---------------------------------------------------------------------------------
def _session(row: Row, prefix: str = "") -> SessionRecord:
    record = SessionRecord(**{name: row[prefix + name] for name in SESSION_FIELDS})
    record.path = list(record.path or [])
    record.answer_map = dict(record.answer_map or {})
    return record


def lock_session(db: UnitOfWork, session_id: int) -> SessionRecord | None:
    """The session row, locked for the rest of the transaction (FOR UPDATE on PostgreSQL;
    on SQLite the IMMEDIATE transaction already holds the write lock)."""
    row = db.run(_LOCK_SESSION, {"key": session_id}).first()
    return _session(row) if row is not None else None


def get_session(db: UnitOfWork, session_id: int) -> SessionRecord | None:
    row = db.run(_GET_SESSION, {"key": session_id}).first()
    return _session(row) if row is not None else None


def create_session(
    db: UnitOfWork, user_id: int, script_id: str, script_version: int, state: str, now: datetime
) -> SessionRecord:
    """A new active session; every other column takes its `SessionRecord` default."""
    record = SessionRecord(
        id=0,
        user_id=user_id,
        script_id=script_id,
        script_version=script_version,
        title="",
        state=state,
        path=[],
        status="active",
        version=1,
        started_at=now,
        updated_at=now,
    )
    row = db.run(_ADD_SESSION, {f: getattr(record, f) for f in SESSION_FIELDS[1:]}).first()
    assert row is not None
    record.id = int(row["id"])
    return record


def save_session(db: UnitOfWork, record: SessionRecord) -> None:
    """Write a changed session row; the version check refuses a concurrent overwrite."""
    params = {name: getattr(record, name) for name in SESSION_FIELDS}
    params.update(key=record.id, old_version=record.version, new_version=record.version + 1)
    if db.run(_SAVE_SESSION, params).rowcount != 1:
        raise StaleSessionError(f"session {record.id} changed since it was read")
    record.version += 1


def sessions_of(db: UnitOfWork, user_id: int | None = None) -> list[SessionRecord]:
    """Sessions oldest first; all of them when no user is given (operator listing)."""
    query = select(*_SESSION_COLUMNS).order_by(SESSIONS.c.started_at, SESSIONS.c.id)
    if user_id is not None:
        query = query.where(SESSIONS.c.user_id == user_id)
    return [_session(dict(row._mapping)) for row in db.execute(query)]


def count_sessions(db: UnitOfWork, user_id: int) -> int:
    row = db.run(_COUNT_SESSIONS, {"key": user_id}).first()
    assert row is not None
    return int(row["n"])


# ---- answers, transcript, findings ------------------------------------------------------------
def answers_of(db: UnitOfWork, session_id: int) -> list[AnswerRecord]:
    rows = db.run(_ANSWERS_OF, {"key": session_id}).rows
    return [
        AnswerRecord(row["question_id"], row["value"], row["shown"], row["words"] or "")
        for row in rows
    ]


def save_answer(
    db: UnitOfWork, session_id: int, question_id: str, value: Any, shown: str, words: str = ""
) -> None:
    """Insert or overwrite the answer to one question (re-answering after /back), with the
    person's own words when they typed it."""
    db.run(
        _SAVE_ANSWER,
        {
            "session_id": session_id,
            "question_id": question_id,
            "value": value,
            "shown": shown,
            "words": words or None,
            "answered_at": db.now(),
        },
    )


def line_row(
    db: UnitOfWork, session_id: int, sender: str, text: str, question: str | None
) -> dict[str, Any]:
    """A transcript line to add with `add_lines`, dated now by the unit of work's clock."""
    return {
        "session_id": session_id,
        "sender": sender,
        "text": text,
        "question_id": question,
        "at": db.now(),
    }


def add_lines(db: UnitOfWork, rows: list[dict[str, Any]]) -> None:
    """Insert transcript lines in one statement (a turn writes two to five)."""
    if rows:
        db.run(_ADD_LINES, rows)


def add_line(db: UnitOfWork, session_id: int, sender: str, text: str, question: str | None) -> None:
    add_lines(db, [line_row(db, session_id, sender, text, question)])


def transcript_of(db: UnitOfWork, session_id: int) -> list[LineRecord]:
    query = select(LINES).where(LINES.c.session_id == session_id).order_by(LINES.c.id)
    return [LineRecord(r.at, r.sender, r.text, r.question_id) for r in db.execute(query)]


def replace_findings(db: UnitOfWork, session_id: int, rows: list[dict[str, Any]]) -> None:
    """Keep the latest verdicts per lesson for a session (recomputed when it completes)."""
    db.run(_DROP_FINDINGS, {"key": session_id})
    now = db.now()
    if rows:
        db.run(
            _ADD_FINDINGS, [{**row, "session_id": session_id, "created_at": now} for row in rows]
        )


def set_user_active(db: UnitOfWork, external_id: str, active: bool) -> None:
    db.execute(update(USERS).where(USERS.c.external_id == external_id).values(active=active))
