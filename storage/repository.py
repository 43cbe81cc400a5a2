"""Queries the coach service needs, inside a transaction it owns.

Every function takes the open `Session` of the caller's unit of work and never commits: one
inbound message is one transaction (DESIGN.md), so the repository only reads and stages.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import (
    Answer,
    CoachingSession,
    LessonFinding,
    OutboxMessage,
    ProcessedDelivery,
    TranscriptLine,
    User,
    utcnow,
)

DELIVERIES = cast(Table, ProcessedDelivery.__table__)
LINES = cast(Table, TranscriptLine.__table__)
OUTBOX = cast(Table, OutboxMessage.__table__)


def _insert(db: Session, table: Table) -> Any:
    """A dialect-specific INSERT, for ON CONFLICT clauses (SQLite and PostgreSQL share them)."""
    dialect = db.get_bind().dialect.name
    return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)


def claim_delivery(db: Session, delivery_id: str) -> bool:
    """Record a delivery id; False when it was already processed (a redelivery).

    One INSERT .. ON CONFLICT DO NOTHING: the row lock of the insert also serialises two
    workers that received the same delivery at once."""
    table = DELIVERIES
    statement = _insert(db, table).values(delivery_id=delivery_id, processed_at=utcnow())
    result = db.connection().execute(statement.on_conflict_do_nothing())
    return bool(result.rowcount == 1)


def user_by_external_id(db: Session, external_id: str) -> User | None:
    return db.scalars(select(User).where(User.external_id == external_id)).first()


def get_or_create_user(db: Session, external_id: str, channel: str, name: str) -> User:
    user = user_by_external_id(db, external_id)
    if user is None:
        user = User(external_id=external_id, channel=channel, display_name=name[:128])
        db.add(user)
        db.flush()
    elif name and user.display_name != name[:128]:
        user.display_name = name[:128]
    return user


def lock_session(db: Session, session_id: int) -> CoachingSession | None:
    """The session row, locked for the rest of the transaction (FOR UPDATE on PostgreSQL;
    on SQLite the IMMEDIATE transaction already holds the write lock)."""
    return db.scalars(
        select(CoachingSession).where(CoachingSession.id == session_id).with_for_update()
    ).first()


def answers_of(db: Session, session_id: int) -> Sequence[Answer]:
    return db.scalars(select(Answer).where(Answer.session_id == session_id)).all()


def save_answer(
    db: Session,
    session_id: int,
    question_id: str,
    value: Any,
    shown: str,
    loaded: Sequence[Answer] | None = None,
) -> None:
    """Insert or overwrite the answer to one question (re-answering after /back).

    `loaded` are the session's answers when the caller already has them (saves a query)."""
    if loaded is None:
        loaded = answers_of(db, session_id)
    existing = next((a for a in loaded if a.question_id == question_id), None)
    if existing is None:
        db.add(Answer(session_id=session_id, question_id=question_id, value=value, shown=shown))
    else:
        existing.value = value
        existing.shown = shown
        existing.answered_at = utcnow()


def add_line(db: Session, session_id: int, sender: str, text: str, question: str | None) -> None:
    add_lines(db, [line_row(session_id, sender, text, question)])


def line_row(session_id: int, sender: str, text: str, question: str | None) -> dict[str, Any]:
    return {
        "session_id": session_id,
        "sender": sender,
        "text": text,
        "question_id": question,
        "at": utcnow(),
    }


def add_lines(db: Session, rows: list[dict[str, Any]]) -> None:
    """Insert transcript lines in one statement (a turn writes two to five)."""
    if rows:
        db.connection().execute(insert(LINES), rows)


def transcript_of(db: Session, session_id: int) -> Sequence[TranscriptLine]:
    return db.scalars(
        select(TranscriptLine)
        .where(TranscriptLine.session_id == session_id)
        .order_by(TranscriptLine.id)
    ).all()


def sessions_of(db: Session, user_id: int | None = None) -> Sequence[CoachingSession]:
    """Sessions oldest first; all of them when no user is given (operator listing)."""
    query = select(CoachingSession).order_by(CoachingSession.started_at, CoachingSession.id)
    if user_id is not None:
        query = query.where(CoachingSession.user_id == user_id)
    return db.scalars(query).all()


def replace_findings(db: Session, session_id: int, rows: list[LessonFinding]) -> None:
    db.execute(delete(LessonFinding).where(LessonFinding.session_id == session_id))
    db.add_all(rows)


def add_outbox(
    db: Session, user_id: int | None, channel: str, chat_id: str, payloads: list[dict[str, Any]]
) -> list[int]:
    """Queue messages in one statement; returns their ids in the order given."""
    if not payloads:
        return []
    table = OUTBOX
    now = utcnow()
    rows = [
        {
            "user_id": user_id,
            "channel": channel,
            "chat_id": chat_id,
            "payload": payload,
            "created_at": now,
            "attempts": 0,
        }
        for payload in payloads
    ]
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [row.id for row in db.connection().execute(statement, rows)]


def pending_outbox(db: Session, channel: str, limit: int = 500) -> Sequence[OutboxMessage]:
    return db.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.delivered_at.is_(None),
            OutboxMessage.failed.is_(None),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()


def mark_delivered(db: Session, ids: Sequence[int], when: datetime | None = None) -> None:
    if ids:
        db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(delivered_at=when or utcnow())
        )


def count_sessions(db: Session, user_id: int) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(CoachingSession)
            .where(CoachingSession.user_id == user_id)
        )
        or 0
    )


def delete_user(db: Session, user: User) -> None:
    """Remove a user and everything about them (cascades cover sessions, answers, lines,
    findings and their undelivered messages)."""
    db.execute(delete(User).where(User.id == user.id).execution_options(synchronize_session=False))
    db.expunge_all()


def get_session(db: Session, session_id: int) -> CoachingSession | None:
    return db.get(CoachingSession, session_id)


def user_by_id(db: Session, user_id: int) -> User | None:
    return db.get(User, user_id)


def user_names(db: Session) -> dict[int, str]:
    """user id -> external id (channel:ref), for operator listings."""
    return {row.id: row.external_id for row in db.execute(select(User.id, User.external_id))}
