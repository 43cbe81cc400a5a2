"""Deliveries, the inbox and the outbox: what makes each message count exactly once.

Same conventions as storage.repository (which re-exports these): the caller's unit of work owns
the transaction and the clock; each statement is defined once (storage.statements).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.expression import Executable

from storage.schema import InboxUpdate, OutboxMessage, ProcessedDelivery
from storage.statements import Statement
from storage.uow import UnitOfWork

DELIVERIES = cast(Table, ProcessedDelivery.__table__)
INBOX = cast(Table, InboxUpdate.__table__)
OUTBOX = cast(Table, OutboxMessage.__table__)


def values_of(table: Table, *names: str) -> dict[str, Any]:
    """`{column: bindparam(column)}` typed like the column, for INSERT/UPDATE .values()."""
    return {name: bindparam(name, type_=table.c[name].type) for name in names}


def upsert(table: Table, dialect: str) -> Any:
    """INSERT for `dialect` that can take ON CONFLICT (SQLite's and PostgreSQL's differ)."""
    return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(table)


def _claim(dialect: str) -> Executable:
    base = upsert(DELIVERIES, dialect).values(values_of(DELIVERIES, "delivery_id", "processed_at"))
    return cast(Executable, base.on_conflict_do_nothing().returning(DELIVERIES.c.delivery_id))


def _add_inbox(dialect: str) -> Executable:
    names = ("update_id", "chat_id", "payload", "received_at", "attempts", "failed")
    return cast(
        Executable, upsert(INBOX, dialect).values(values_of(INBOX, *names)).on_conflict_do_nothing()
    )


_CLAIM = Statement(_claim)
_ADD_OUTBOX = Statement(
    insert(OUTBOX)
    .values(values_of(OUTBOX, "user_id", "channel", "chat_id", "payload", "created_at", "attempts"))
    .returning(OUTBOX.c.id, sort_by_parameter_order=True)
)
_MARK_DELIVERED = Statement(
    update(OUTBOX).where(OUTBOX.c.id == bindparam("key")).values(values_of(OUTBOX, "delivered_at"))
)
_ADD_INBOX = Statement(_add_inbox)
_FINISH_INBOX = Statement(
    update(INBOX)
    .where(INBOX.c.update_id == bindparam("key"), INBOX.c.processed_at.is_(None))
    .values(values_of(INBOX, "processed_at"))
)
_INBOX_EXISTS = Statement(select(INBOX.c.update_id).where(INBOX.c.update_id == bindparam("key")))


def claim_delivery(db: UnitOfWork, delivery_id: str) -> bool:
    """Record a delivery id; False when it was already processed (a redelivery).

    One INSERT .. ON CONFLICT DO NOTHING: the row lock of the insert also serialises two
    workers that received the same delivery at once."""
    outcome = db.run(_CLAIM, {"delivery_id": delivery_id, "processed_at": db.now()})
    return outcome.first() is not None


# ---- outbox -----------------------------------------------------------------------------------
def add_outbox(
    db: UnitOfWork,
    user_id: int | None,
    channel: str,
    chat_id: str,
    payloads: list[dict[str, Any]],
) -> list[int]:
    """Queue messages; returns their ids in the order given."""
    if not payloads:
        return []
    now = db.now()
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
    return [int(row["id"]) for row in db.run(_ADD_OUTBOX, rows).rows]


def pending_outbox(
    db: UnitOfWork, channel: str, limit: int = 500, chat_id: str | None = None
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
    return list(db.execute(query))


def mark_delivered(db: UnitOfWork, ids: Sequence[int], when: datetime | None = None) -> None:
    if ids:
        moment = when or db.now()
        db.run(_MARK_DELIVERED, [{"key": row_id, "delivered_at": moment} for row_id in ids])


def mark_failed(db: UnitOfWork, ids: Sequence[int], reason: str) -> None:
    """Give up on messages that can never be delivered (the user blocked the bot)."""
    if ids:
        db.execute(update(OUTBOX).where(OUTBOX.c.id.in_(ids)).values(failed=reason[:200]))


def fail_pending_for_chat(db: UnitOfWork, channel: str, chat_id: str, reason: str) -> None:
    db.execute(
        update(OUTBOX)
        .where(
            OUTBOX.c.channel == channel,
            OUTBOX.c.chat_id == chat_id,
            OUTBOX.c.delivered_at.is_(None),
        )
        .values(failed=reason[:200])
    )


# ---- inbox ------------------------------------------------------------------------------------
def add_inbox(db: UnitOfWork, updates: Sequence[tuple[int, int | None, dict[str, Any]]]) -> None:
    """Store a fetched batch (update id, chat id, JSON) in one statement; an update already
    stored is left as it is."""
    if not updates:
        return
    now = db.now()
    rows = [
        {
            "update_id": uid,
            "chat_id": chat,
            "payload": body,
            "received_at": now,
            "attempts": 0,
            "failed": None,
        }
        for uid, chat, body in updates
    ]
    db.run(_ADD_INBOX, rows)


def pending_inbox(db: UnitOfWork, limit: int = 10_000) -> list[tuple[int, dict[str, Any]]]:
    query = (
        select(INBOX.c.update_id, INBOX.c.payload)
        .where(INBOX.c.processed_at.is_(None))
        .order_by(INBOX.c.update_id)
        .limit(limit)
    )
    return [(row.update_id, row.payload) for row in db.execute(query)]


def finish_inbox(db: UnitOfWork, update_id: int) -> bool | None:
    """Mark an inbox update handled. True the first time; False if it was handled before
    (a redelivery); None if it was never stored in the inbox."""
    if db.run(_FINISH_INBOX, {"key": update_id, "processed_at": db.now()}).rowcount == 1:
        return True
    if db.run(_INBOX_EXISTS, {"key": update_id}).first() is not None:
        return False
    return None


def count_pending_outbox(db: UnitOfWork, channel: str) -> int:
    query = (
        select(func.count())
        .select_from(OUTBOX)
        .where(
            OUTBOX.c.channel == channel,
            OUTBOX.c.delivered_at.is_(None),
            OUTBOX.c.failed.is_(None),
        )
    )
    return int(db.execute(query).scalar_one())


def chats_with_pending_updates(db: UnitOfWork, limit: int = 200) -> list[int]:
    """Chats that have stored but unhandled updates (a worker may have died holding them)."""
    query = (
        select(INBOX.c.chat_id)
        .where(INBOX.c.processed_at.is_(None), INBOX.c.chat_id.is_not(None))
        .group_by(INBOX.c.chat_id)
        .order_by(func.min(INBOX.c.update_id))
        .limit(limit)
    )
    return [int(row.chat_id) for row in db.execute(query)]


def pending_inbox_for_chat(db: UnitOfWork, chat_id: int) -> list[tuple[int, dict[str, Any]]]:
    query = (
        select(INBOX.c.update_id, INBOX.c.payload)
        .where(INBOX.c.chat_id == chat_id, INBOX.c.processed_at.is_(None))
        .order_by(INBOX.c.update_id)
    )
    return [(row.update_id, row.payload) for row in db.execute(query)]


def chats_with_pending_outbox(
    db: UnitOfWork, channel: str, older_than: datetime, limit: int = 200
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
    return [str(row.chat_id) for row in db.execute(query)]
