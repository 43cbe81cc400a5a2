"""Coaching: users, their sessions, answers, transcripts and lesson findings.

Coaching state lives in the `coaching_sessions` row (state, path) and the `answers` rows; the
dialogue engine never holds it between messages. `version` on the session row is SQLAlchemy's
`version_id_col`: a second writer that read the same row fails instead of silently losing an
update.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.schema.base import Base, utcnow


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str] = mapped_column(String(128), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # False until the user chose a time zone (reminders then say they assume UTC).
    timezone_set: Mapped[bool] = mapped_column(default=False, server_default=false())
    reminders_enabled: Mapped[bool] = mapped_column(default=True, server_default=true())
    active: Mapped[bool] = mapped_column(default=True)
    # The session new messages go to. No foreign key: users and sessions would reference each
    # other; the coach service clears it when it deletes a session.
    current_session_id: Mapped[int | None] = mapped_column(default=None)
    pending_action: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CoachingSession(Base):
    __tablename__ = "coaching_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    script_id: Mapped[str] = mapped_column(String(64))
    script_version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(80), default="")
    state: Mapped[str] = mapped_column(String(64))
    path: Mapped[list[Any]] = mapped_column(default=list)
    # Every answer as {question_id: [value, shown]}, read with the session row in the same
    # query on each turn. The `answers` table holds the same answers one row each, for review
    # and export; both are written in the same transaction.
    # The server default is migration 0003's, which filled the column for existing rows.
    answer_map: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    pending_answer: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    """The readings the coach asked the person to choose from ("Did you mean ...?")."""
    status: Mapped[str] = mapped_column(String(16), default="active")
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)

    answers: Mapped[list[Answer]] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True
    )

    # SQLAlchemy reads this class attribute; typing it ClassVar would clash with its stubs.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("session_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("coaching_sessions.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    shown: Mapped[str] = mapped_column(Text)
    words: Mapped[str | None] = mapped_column(Text, default=None)
    """What the person typed (also when it was read as an option); empty for a button."""
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[CoachingSession] = relationship(back_populates="answers")


class TranscriptLine(Base):
    __tablename__ = "transcript_lines"
    __table_args__ = (Index("ix_transcript_session_id", "session_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("coaching_sessions.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    sender: Mapped[str] = mapped_column(String(8))
    question_id: Mapped[str | None] = mapped_column(String(64), default=None)
    text: Mapped[str] = mapped_column(Text)


class LessonFinding(Base):
    __tablename__ = "lesson_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_sessions.id", ondelete="CASCADE"), index=True
    )
    lesson_id: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(8))
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
