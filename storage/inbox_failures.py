"""Updates whose handling raised: counted on their inbox row, and given up at a limit.

An update stays in the inbox until it is handled, so one whose handling always raises would be
replayed at every start-up (polling) or retried by the drain every second, holding back its
chat's later messages (several workers). Each failed handling adds one to `inbox.attempts`; at
the limit the row is marked `failed` and handled (`processed_at`), so nothing replays it and
the chat moves on. Same conventions as storage.repository: the caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.schema import InboxUpdate
from storage.uow import UnitOfWork

INBOX = cast(Table, InboxUpdate.__table__)


@dataclass(frozen=True)
class Failure:
    attempts: int
    """Failed handlings so far, this one included."""
    given_up: bool
    """True when this failure reached the limit: the update is now marked failed."""
    chat_id: int | None


def record_failure(
    db: UnitOfWork, update_id: int, reason: str, max_attempts: int, now: datetime
) -> Failure | None:
    """Count one failed handling of an unhandled inbox update; None when there is no such
    update waiting (never stored, or handled meanwhile: its effects were committed)."""
    connection = db
    row = connection.execute(
        update(INBOX)
        .where(INBOX.c.update_id == update_id, INBOX.c.processed_at.is_(None))
        .values(attempts=INBOX.c.attempts + 1)
        .returning(INBOX.c.attempts, INBOX.c.chat_id)
    ).first()
    if row is None:
        return None
    attempts = int(row.attempts)
    if attempts < max_attempts:
        return Failure(attempts, False, row.chat_id)
    connection.execute(
        update(INBOX)
        .where(INBOX.c.update_id == update_id)
        .values(failed=reason[:200], processed_at=now)
    )
    return Failure(attempts, True, row.chat_id)


def store_refused(db: UnitOfWork, update_id: int, reason: str, now: datetime) -> None:
    """Keep an update id whose body was refused as failed and handled, without its body; an
    update already stored under that id is left as it is."""
    dialect = db.dialect
    base = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(INBOX)
    db.execute(
        base.values(
            update_id=update_id,
            chat_id=None,
            payload={},
            received_at=now,
            processed_at=now,
            attempts=0,
            failed=reason[:200],
        ).on_conflict_do_nothing()
    )


def failed_count(db: UnitOfWork) -> int:
    """How many updates were given up (kept for the operator; their payload stays)."""
    query = select(func.count()).select_from(INBOX).where(INBOX.c.failed.is_not(None))
    return int(db.execute(query).scalar_one())
