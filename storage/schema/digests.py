"""Instructors hear about new work (issue 14 item 6): what is new for each instructor, and when
their next digest may go out.

News rows, not a query over shares and completions at send time: each row is claimed by exactly
one digest (its `digest_at` set in the transaction that queues the message), so a digest never
repeats an item and never drops one that arrived while the previous digest was being sent,
whatever the clock says. The schedule row is what the reminder scan arms, like a reminder.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema.base import Base, utcnow


class InstructorDigest(Base):
    """One instructor's digest schedule. `due_at` set: a digest is waiting to go out then (at
    least an hour after `last_sent_at`); None: nothing waiting. `enabled` is `/notify on|off`."""

    __tablename__ = "instructor_digests"
    __table_args__ = (Index("ix_instructor_digests_due", "due_at"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    last_sent_at: Mapped[datetime | None] = mapped_column(default=None)


class InstructorNews(Base):
    """A piece of new work for one instructor: a shared session completed ("session") or a
    debrief of a shared preparation completed ("debrief"). `digest_at`: the digest that told
    them (None: not told yet)."""

    __tablename__ = "instructor_news"
    __table_args__ = (Index("ix_instructor_news_waiting", "instructor_id", "digest_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instructor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_sessions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    digest_at: Mapped[datetime | None] = mapped_column(default=None)
