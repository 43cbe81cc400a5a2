"""Messaging: the inbox of fetched updates, the outbox of replies, and delivery ids seen.

Together they make every update's effects exactly-once: an update is stored before it is
confirmed, its delivery id is recorded in the same transaction as its effects, and every reply
is written before it is sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema.base import Base, utcnow


class ProcessedDelivery(Base):
    """A delivery id seen once; recorded in the same transaction as its effects."""

    __tablename__ = "processed_deliveries"

    delivery_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """A message to send, written before anything is sent and marked when it was."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "delivered_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), default=None
    )
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(default=0)
    failed: Mapped[str | None] = mapped_column(String(200), default=None)


class InboxUpdate(Base):
    """A Telegram update as fetched, written before the offset that confirms it is advanced."""

    __tablename__ = "inbox"

    update_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    chat_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    """Handlings that raised (storage/inbox_failures.py); at the limit the update is given up."""
    failed: Mapped[str | None] = mapped_column(String(200), default=None)
    """Why it was given up (then `processed_at` is set too, so nothing replays it)."""

    __table_args__ = (Index("ix_inbox_chat_pending", "chat_id", "processed_at", "update_id"),)
