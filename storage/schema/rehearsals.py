"""Rehearsals (issue 15): hard moments practised against the other side after a preparation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema.base import Base, utcnow


class Rehearsal(Base):
    """One rehearsal of a preparation (`session_id`): its picked moments and where it stands.

    `status`: active → done (every moment passed) or stopped. `position` is the moment under
    way, `attempt` the replies given to it, `phase` reply (waiting for the person's reply) or
    choose (feedback given, waiting for Try again / Next / Stop). A row, not memory: a restart
    in the middle of a moment continues where the last committed turn left it."""

    __tablename__ = "rehearsals"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_sessions.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="active")
    moments: Mapped[list[Any]] = mapped_column()
    position: Mapped[int] = mapped_column(default=0)
    attempt: Mapped[int] = mapped_column(default=0)
    phase: Mapped[str] = mapped_column(String(16), default="reply")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)


class RehearsalReply(Base):
    """A reply to a moment, with what it showed and fell into and the feedback it got."""

    __tablename__ = "rehearsal_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    rehearsal_id: Mapped[int] = mapped_column(
        ForeignKey("rehearsals.id", ondelete="CASCADE"), index=True
    )
    moment_id: Mapped[str] = mapped_column(String(80))
    attempt: Mapped[int] = mapped_column()
    text: Mapped[str] = mapped_column(Text)
    cues: Mapped[list[Any]] = mapped_column()
    traps: Mapped[list[Any]] = mapped_column()
    feedback: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class RehearsalVerdict(Base):
    """An instructor agrees or disagrees with the feedback the rules gave one rehearsal reply
    (as `LevelVerdict` for a lesson's level); a disagreement carries a short reason the
    student reads on their own page. One per instructor and reply: a new one replaces it."""

    __tablename__ = "rehearsal_verdicts"
    __table_args__ = (UniqueConstraint("reply_id", "author_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reply_id: Mapped[int] = mapped_column(
        ForeignKey("rehearsal_replies.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    agree: Mapped[bool] = mapped_column()
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
