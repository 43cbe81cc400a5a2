"""Deliveries, the inbox and the outbox: what makes each message count exactly once.

Same conventions as storage.repository (which re-exports these): the caller owns the
transaction; statements are built once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Row, Table, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage import sqlite_fast
from storage.schema import InboxUpdate, OutboxMessage, ProcessedDelivery, utcnow

Db = Session | Connection
"""A unit of work's ORM session, or a Core connection in a transaction (the per-message path)."""
DELIVERIES = cast(Table, ProcessedDelivery.__table__)
OUTBOX = cast(Table, OutboxMessage.__table__)
_by_dialect: dict[tuple[str, str], Any] = {}


def driver_of(db: Db) -> sqlite3.Connection | None:
    """The sqlite3 connection under a SQLite unit of work (None on other databases), for the
    per-message statements in storage.sqlite_fast; it shares the open transaction."""
    connection = connection_of(db)
    if connection.dialect.name != "sqlite":
        return None
    driver = connection.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver


def connection_of(db: Db) -> Connection:
    """The Core connection of a unit of work, whichever form it takes."""
    return db.connection() if isinstance(db, Session) else db


_OUTBOX_INSERT = insert(OUTBOX).returning(OUTBOX.c.id, sort_by_parameter_order=True)


def _claim_statement(dialect: str) -> Any:
    key = ("claim", dialect)
    if key not in _by_dialect:
        base = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(DELIVERIES)
        _by_dialect[key] = base.on_conflict_do_nothing().returning(DELIVERIES.c.delivery_id)
    return _by_dialect[key]


def claim_delivery(db: Db, delivery_id: str) -> bool:
    """Record a delivery id; False when it was already processed (a redelivery).

    One INSERT .. ON CONFLICT DO NOTHING: the row lock of the insert also serialises two
    workers that received the same delivery at once."""
    raw = driver_of(db)
    if raw is not None:
        return sqlite_fast.claim_delivery(raw, delivery_id, utcnow())
    statement = _claim_statement(connection_of(db).dialect.name)
    params = {"delivery_id": delivery_id, "processed_at": utcnow()}
    return connection_of(db).execute(statement, params).first() is not None


# ---- outbox -----------------------------------------------------------------------------------
def add_outbox(
    db: Db, user_id: int | None, channel: str, chat_id: str, payloads: list[dict[str, Any]]
) -> list[int]:
    """Queue messages in one statement; returns their ids in the order given."""
    raw = driver_of(db)
    if raw is not None and payloads:
        return sqlite_fast.add_outbox(raw, user_id, channel, chat_id, payloads, utcnow())
    if not payloads:
        return []
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
    return [row.id for row in connection_of(db).execute(_OUTBOX_INSERT, rows)]


def pending_outbox(
    db: Db, channel: str, limit: int = 500, chat_id: str | None = None
) -> list[Row[Any]]:
    query = (
        select(OUTBOX)
        .where(
            OUTBOX.c.channel == channel,
            OUTBOX.c.delivered_at.is_(None),
            OUTBOX.c.failed.is_(None),
        )
        .order_by(OUTBOX.c.id)
        .limit(limit)
    )
    if chat_id is not None:
        query = query.where(OUTBOX.c.chat_id == chat_id)
    return list(connection_of(db).execute(query))


def mark_delivered(db: Db, ids: Sequence[int], when: datetime | None = None) -> None:
    raw = driver_of(db)
    if raw is not None and ids:
        sqlite_fast.mark_delivered(raw, ids, when or utcnow())
        return
    if ids:
        connection_of(db).execute(
            update(OUTBOX).where(OUTBOX.c.id.in_(ids)).values(delivered_at=when or utcnow())
        )


def mark_failed(db: Db, ids: Sequence[int], reason: str) -> None:
    """Give up on messages that can never be delivered (the user blocked the bot)."""
    if ids:
        connection_of(db).execute(
            update(OUTBOX).where(OUTBOX.c.id.in_(ids)).values(failed=reason[:200])
        )


def fail_pending_for_chat(db: Db, channel: str, chat_id: str, reason: str) -> None:
    connection_of(db).execute(
        update(OUTBOX)
        .where(
            OUTBOX.c.channel == channel,
            OUTBOX.c.chat_id == chat_id,
            OUTBOX.c.delivered_at.is_(None),
        )
        .values(failed=reason[:200])
    )


# ---- inbox ------------------------------------------------------------------------------------
INBOX = cast(Table, InboxUpdate.__table__)


def _inbox_insert(dialect: str) -> Any:
    key = ("inbox", dialect)
    if key not in _by_dialect:
        base = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(INBOX)
        _by_dialect[key] = base.on_conflict_do_nothing()
    return _by_dialect[key]


def add_inbox(db: Db, updates: Sequence[tuple[int, int | None, dict[str, Any]]]) -> None:
    """Store a fetched batch (update id, chat id, JSON) in one statement; an update already
    stored is left as it is."""
    if not updates:
        return
    raw = driver_of(db)
    if raw is not None:
        sqlite_fast.add_inbox(raw, updates, utcnow())
        return
    now = utcnow()
    rows = [
        {"update_id": uid, "chat_id": chat, "payload": body, "received_at": now}
        for uid, chat, body in updates
    ]
    connection_of(db).execute(_inbox_insert(connection_of(db).dialect.name), rows)


def pending_inbox(db: Db, limit: int = 10_000) -> list[tuple[int, dict[str, Any]]]:
    query = (
        select(INBOX.c.update_id, INBOX.c.payload)
        .where(INBOX.c.processed_at.is_(None))
        .order_by(INBOX.c.update_id)
        .limit(limit)
    )
    return [(row.update_id, row.payload) for row in connection_of(db).execute(query)]


_FINISH_INBOX = (
    update(INBOX)
    .where(INBOX.c.update_id == bindparam("key"), INBOX.c.processed_at.is_(None))
    .values(processed_at=bindparam("now"))
)
_INBOX_EXISTS = select(INBOX.c.update_id).where(INBOX.c.update_id == bindparam("key"))


def finish_inbox(db: Db, update_id: int) -> bool | None:
    """Mark an inbox update handled. True the first time; False if it was handled before
    (a redelivery); None if it was never stored in the inbox."""
    raw = driver_of(db)
    if raw is not None:
        return sqlite_fast.finish_inbox(raw, update_id, utcnow())
    connection = connection_of(db)
    if connection.execute(_FINISH_INBOX, {"key": update_id, "now": utcnow()}).rowcount == 1:
        return True
    if connection.execute(_INBOX_EXISTS, {"key": update_id}).first() is not None:
        return False
    return None


def count_pending_outbox(db: Db, channel: str) -> int:
    query = (
        select(func.count())
        .select_from(OUTBOX)
        .where(
            OUTBOX.c.channel == channel,
            OUTBOX.c.delivered_at.is_(None),
            OUTBOX.c.failed.is_(None),
        )
    )
    return int(connection_of(db).execute(query).scalar_one())


def chats_with_pending_updates(db: Db, limit: int = 200) -> list[int]:
    """Chats that have stored but unhandled updates (a worker may have died holding them)."""
    query = (
        select(INBOX.c.chat_id)
        .where(INBOX.c.processed_at.is_(None), INBOX.c.chat_id.is_not(None))
        .group_by(INBOX.c.chat_id)
        .order_by(func.min(INBOX.c.update_id))
        .limit(limit)
    )
    return [int(row.chat_id) for row in connection_of(db).execute(query)]


def pending_inbox_for_chat(db: Db, chat_id: int) -> list[tuple[int, dict[str, Any]]]:
    query = (
        select(INBOX.c.update_id, INBOX.c.payload)
        .where(INBOX.c.chat_id == chat_id, INBOX.c.processed_at.is_(None))
        .order_by(INBOX.c.update_id)
    )
    return [(row.update_id, row.payload) for row in connection_of(db).execute(query)]


def chats_with_pending_outbox(
    db: Db, channel: str, older_than: datetime, limit: int = 200
) -> list[str]:
    """Chats with messages committed before `older_than` and still not delivered."""
    query = (
        select(OUTBOX.c.chat_id)
        .where(
            OUTBOX.c.channel == channel,
            OUTBOX.c.delivered_at.is_(None),
            OUTBOX.c.failed.is_(None),
            OUTBOX.c.created_at < older_than,
        )
        .group_by(OUTBOX.c.chat_id)
        .limit(limit)
    )
    return [str(row.chat_id) for row in connection_of(db).execute(query)]
