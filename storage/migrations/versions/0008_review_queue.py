"""each instructor's review queue; a disagreeing verdict's suggested level and reason (issue 14)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_marks",
        sa.Column("instructor_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("marked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["instructor_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["coaching_sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("instructor_id", "session_id"),
    )
    op.create_index("ix_review_marks_session_id", "review_marks", ["session_id"])
    with op.batch_alter_table("level_verdicts") as batch:
        batch.add_column(sa.Column("suggested_level", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("level_verdicts") as batch:
        batch.drop_column("reason")
        batch.drop_column("suggested_level")
    op.drop_index("ix_review_marks_session_id", table_name="review_marks")
    op.drop_table("review_marks")
