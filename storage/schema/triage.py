"""An instructor's review queue (issue 14): which shared sessions each instructor has marked
reviewed or sent feedback on. A shared session with no row for an instructor is new to them.

One row per (instructor, session): the queue is per instructor, so a co-instructor's review does
not hide a session from the other.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema.base import Base, utcnow


class ReviewMark(Base):
    """`state`: "reviewed" (the instructor marked it) or "feedback" (they sent feedback)."""

    __tablename__ = "review_marks"

    instructor_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    session_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_sessions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    state: Mapped[str] = mapped_column(String(16))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)
