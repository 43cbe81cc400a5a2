"""instructors agree or disagree with a rehearsal reply's feedback (issue 15)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rehearsal_verdicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reply_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("agree", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reply_id"], ["rehearsal_replies.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reply_id", "author_id"),
    )
    with op.batch_alter_table("rehearsal_verdicts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rehearsal_verdicts_reply_id"), ["reply_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("rehearsal_verdicts")
