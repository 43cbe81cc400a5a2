"""rehearsals of a preparation and their replies (issue 15)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rehearsals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("moments", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["coaching_sessions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rehearsals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rehearsals_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rehearsals_user_id"), ["user_id"], unique=False)
    op.create_table(
        "rehearsal_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rehearsal_id", sa.Integer(), nullable=False),
        sa.Column("moment_id", sa.String(length=80), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("cues", sa.JSON(), nullable=False),
        sa.Column("traps", sa.JSON(), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["rehearsal_id"], ["rehearsals.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rehearsal_replies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rehearsal_replies_rehearsal_id"), ["rehearsal_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("rehearsal_replies")
    op.drop_table("rehearsals")
