"""instructors hear about new work: news per instructor and their digest schedule (issue 14)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "instructor_digests",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("last_sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_index("ix_instructor_digests_due", "instructor_digests", ["due_at"])
    op.create_table(
        "instructor_news",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instructor_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("digest_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["instructor_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["coaching_sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_instructor_news_waiting", "instructor_news", ["instructor_id", "digest_at"])
    op.create_index("ix_instructor_news_session_id", "instructor_news", ["session_id"])


def downgrade() -> None:
    op.drop_index("ix_instructor_news_session_id", table_name="instructor_news")
    op.drop_index("ix_instructor_news_waiting", table_name="instructor_news")
    op.drop_table("instructor_news")
    op.drop_index("ix_instructor_digests_due", table_name="instructor_digests")
    op.drop_table("instructor_digests")
