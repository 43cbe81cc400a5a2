"""Instructors, cohorts, consent and review: who may read which transcript (issue 4).

Access decisions are made in `bot.courses.access`; these tables only record the facts it reads.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from storage.schema.base import Base, utcnow


class Instructor(Base):
    """A user an admin made an instructor. Admins themselves come from PARLEY_ADMIN_IDS."""

    __tablename__ = "instructors"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(128), default="")
    granted_by: Mapped[str | None] = mapped_column(String(64), default=None)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class Cohort(Base):
    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    invite_code: Mapped[str] = mapped_column(String(32), unique=True)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    """Set when the course ended: the invite code stops working and new sessions are no
    longer shared; nothing already shared is deleted."""


class CohortInstructor(Base):
    """Who reads a cohort's shared transcripts (a student sees this list before joining)."""

    __tablename__ = "cohort_instructors"

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CohortMember(Base):
    """A student in a cohort. `left_at` set: they left; sharing stops for new sessions."""

    __tablename__ = "cohort_members"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    consented_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(default=None)


class SessionShare(Base):
    """A session an instructor of `cohort_id` may read: started in the cohort, or chosen."""

    __tablename__ = "session_shares"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    how: Mapped[str] = mapped_column(String(16), default="joined")  # joined | chosen
    shared_at: Mapped[datetime] = mapped_column(default=utcnow)


class AccessLogEntry(Base):
    """One instructor view of a student's transcript; the student sees these in /privacy."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_student", "student_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    viewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    viewer_name: Mapped[str] = mapped_column(String(128), default="")
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("coaching_sessions.id", ondelete="CASCADE"), default=None
    )
    via: Mapped[str] = mapped_column(String(16))  # telegram | web | export
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Annotation(Base):
    """An instructor's note on a transcript line, tagged with a lesson id."""

    __tablename__ = "annotations"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_sessions.id", ondelete="CASCADE"), index=True
    )
    line_id: Mapped[int | None] = mapped_column(
        ForeignKey("transcript_lines.id", ondelete="CASCADE"), default=None
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    lesson_id: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    draft: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Kept from the student (on their own pages) until its author sends feedback."""
    edited_at: Mapped[datetime | None] = mapped_column(default=None)


class LevelVerdict(Base):
    """An instructor agrees or disagrees with the bot's level for one lesson of a session."""

    __tablename__ = "level_verdicts"
    __table_args__ = (UniqueConstraint("session_id", "lesson_id", "author_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_sessions.id", ondelete="CASCADE"), index=True
    )
    lesson_id: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    agree: Mapped[bool] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A disagreement says what the level should be and why; both are shown to the student.
    suggested_level: Mapped[str | None] = mapped_column(String(8), default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)


class Feedback(Base):
    """A note from an instructor to a student about a session (sent, and kept with it)."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_sessions.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    author_name: Mapped[str] = mapped_column(String(128), default="")
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginToken(Base):
    """A one-time sign-in link for the review site: used once, expires after ten minutes."""

    __tablename__ = "login_tokens"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class WebSession(Base):
    """A signed-in browser: the cookie holds a random id whose hash is the key."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
