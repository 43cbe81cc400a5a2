"""Sign-in links and signed-in browsers of the review site (tables in storage.schema.courses).

Only hashes of the secrets are kept: a copy of the database alone signs nobody in. Same
conventions as storage.repository: the caller owns the transaction, nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, insert, select, update

from storage.courses.cohorts import person_name
from storage.schema import User
from storage.schema.courses import LoginToken, WebSession
from storage.uow import UnitOfWork

TOKENS = cast(Table, LoginToken.__table__)
BROWSERS = cast(Table, WebSession.__table__)
USERS = cast(Table, User.__table__)


@dataclass(frozen=True)
class TokenRow:
    user_id: int
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class BrowserRow:
    user_id: int
    csrf_token: str
    expires_at: datetime


def add_login_token(db: UnitOfWork, id_hash: str, user_id: int, expires_at: datetime) -> None:
    db.execute(insert(TOKENS).values(id=id_hash, user_id=user_id, expires_at=expires_at))


def login_token(db: UnitOfWork, id_hash: str) -> TokenRow | None:
    row = db.execute(
        select(TOKENS.c.user_id, TOKENS.c.expires_at, TOKENS.c.used_at).where(
            TOKENS.c.id == id_hash
        )
    ).first()
    return TokenRow(row.user_id, row.expires_at, row.used_at) if row is not None else None


def use_login_token(db: UnitOfWork, id_hash: str, now: datetime) -> int | None:
    """Mark the token used if it is unused and unexpired, in one statement: of two browsers
    redeeming the same link at once, exactly one gets the user id."""
    row = db.execute(
        update(TOKENS)
        .where(TOKENS.c.id == id_hash, TOKENS.c.used_at.is_(None), TOKENS.c.expires_at > now)
        .values(used_at=now)
        .returning(TOKENS.c.user_id)
    ).first()
    return int(row.user_id) if row is not None else None


def forget_old_tokens(db: UnitOfWork, before: datetime) -> None:
    """Expired links are useless; keeping them only grows the table."""
    db.execute(delete(TOKENS).where(TOKENS.c.expires_at < before))


def add_browser(
    db: UnitOfWork, id_hash: str, user_id: int, csrf_token: str, now: datetime, expires_at: datetime
) -> None:
    db.execute(
        insert(BROWSERS).values(
            id_hash=id_hash,
            user_id=user_id,
            csrf_token=csrf_token,
            created_at=now,
            expires_at=expires_at,
        )
    )


def browser(db: UnitOfWork, id_hash: str, now: datetime) -> BrowserRow | None:
    """The signed-in browser with this cookie hash, unless its session has expired."""
    row = db.execute(
        select(BROWSERS.c.user_id, BROWSERS.c.csrf_token, BROWSERS.c.expires_at).where(
            BROWSERS.c.id_hash == id_hash, BROWSERS.c.expires_at > now
        )
    ).first()
    return BrowserRow(row.user_id, row.csrf_token, row.expires_at) if row is not None else None


def remove_browser(db: UnitOfWork, id_hash: str) -> None:
    db.execute(delete(BROWSERS).where(BROWSERS.c.id_hash == id_hash))


def forget_old_browsers(db: UnitOfWork, before: datetime) -> None:
    db.execute(delete(BROWSERS).where(BROWSERS.c.expires_at < before))


def student_label(db: UnitOfWork, user_id: int) -> str:
    """How a student is named to their instructors (as everywhere else: `person_name`)."""
    name = db.execute(select(USERS.c.display_name).where(USERS.c.id == user_id)).scalar()
    return person_name(str(name or ""), None, user_id)
